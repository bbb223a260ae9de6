"""What every demo source shares: vectorised formatting in German conventions (dates,
ids, money), Table Schema field builders and quantities derived from the population."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calibration import ST_CODES, bezirk_tables
from ..population import (
    NO_DATE,
    birth_year,
)

DATE_FORMAT = "%d.%m.%Y"


# Formatting (vectorised) -----------------------------------------------------------------------
def fmt_date(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> "dd.mm.yyyy"; NO_DATE (missing) -> ""."""
    days = np.asarray(days, dtype=np.int64)
    out = np.full(len(days), "", dtype=object)
    valid = days != NO_DATE
    if valid.any():
        lo, hi = int(days[valid].min()), int(days[valid].max())
        table = pd.to_datetime(np.arange(lo, hi + 1), unit="D").strftime(DATE_FORMAT).to_numpy()
        out[valid] = table[days[valid] - lo]
    return out


def fmt_id(values: np.ndarray, width: int, prefix: str = "") -> np.ndarray:
    s = np.char.zfill(np.asarray(values, dtype=np.int64).astype(f"U{width}"), width)
    return np.char.add(prefix, s) if prefix else s


def fmt_int(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = np.asarray(values, dtype=np.int64).astype(str).astype(object)
    if missing is not None:
        out[missing] = ""
    return out


def fmt_money(cents: np.ndarray) -> np.ndarray:
    """Integer cents -> "1234,56" (decimal comma, no thousands separator)."""
    cents = np.asarray(cents, dtype=np.int64)
    euros = (np.abs(cents) // 100).astype(str)
    rest = np.char.zfill((np.abs(cents) % 100).astype("U2"), 2)
    out = np.char.add(np.char.add(euros, ","), rest)
    return np.where(cents < 0, np.char.add("-", out), out)


def bezirk_codes() -> np.ndarray:
    return bezirk_tables()[0]


def stichtag_column(year: int, n: int) -> np.ndarray:
    return np.full(n, f"31.12.{year}", dtype=object)


# Table Schema helpers ---------------------------------------------------------------------------
def field(name, type_, title, *, required=False, unique=False, description=None, **constraints):
    f = {"name": name, "type": type_, "title": title}
    if description:
        f["description"] = description
    if type_ == "date":
        f["format"] = DATE_FORMAT
    if type_ == "number":
        f["decimalChar"] = ","
        f["groupChar"] = ""
    if type_ == "boolean":
        f["trueValues"] = ["ja"]
        f["falseValues"] = ["nein"]
    c = {}
    if required:
        c["required"] = True
    if unique:
        c["unique"] = True
    c.update(constraints)
    if c:
        f["constraints"] = c
    return f


def schema(fields: list[dict], key: str) -> dict:
    return {"fields": fields, "primaryKey": [key], "missingValues": [""]}


def stadtteil_field(name="Stadtteil", title="Stadtteil (Wohnort)", required=True):
    return field(
        name, "string", title, required=required, pattern="^[0-9]{2}$", enum=list(ST_CODES)
    )


def bezirk_field(name="Statistischer Bezirk", required=True):
    return field(
        name,
        "string",
        "Statistischer Bezirk",
        required=required,
        pattern="^[0-9]{3}$",
        enum=list(bezirk_codes()),
    )


def stichtag_field():
    return field("Stichtag", "date", "Stichtag (Datenstand)", required=True)


def sex_field(name="Geschlecht", required=True):
    return field(name, "string", "Geschlecht", required=required, enum=["m", "w", "d"])


# Shared derived quantities -----------------------------------------------------------------------
def age_in(pop: dict, year: int) -> np.ndarray:
    return year - birth_year(pop["birth"])


def pseudonym(ids: np.ndarray, mult: int, add: int, modulus: int) -> np.ndarray:
    """A stable bijective pseudonym of an integer id (another register's numbering)."""
    return (np.asarray(ids, dtype=np.int64) * mult + add) % modulus
