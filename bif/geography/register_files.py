"""Reading the address register (adressen.csv), pure: bytes and the known area codes in,
register rows and findings out.

Columns: ``strasse`` and/or ``strassenschluessel``, ``hausnummer``, optional ``zusatz`` and
``hausnummer_bis`` (a range), one column per area level (named by its Kürzel, e.g.
``baublock``) and/or ``x``/``y`` (lon/lat in CRS84, or ETRS89/UTM 32N easting/northing:
values above 180 are read as UTM). Every row needs an area code or a point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pyproj import Transformer

from .addresses import Register, house_numbers
from .files import UTM32N, _rows
from .findings import Finding

ADDRESS_FILE = "adressen.csv"


@dataclass
class AddressRows:
    rows: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _number(text):
    return float(text.replace(",", ".")) if text else None


def read_register(data, known_codes, file_name=ADDRESS_FILE):
    """``known_codes``: {level slug: set of codes}; level columns are those named there."""
    result = AddressRows()
    findings = result.findings
    rows = _rows(data, file_name, findings)
    if not rows:
        return result
    columns = set(rows[0][1])
    if not columns & {"strasse", "strassenschluessel"}:
        findings.append(Finding("missing_column", file_name, column="strasse"))
    if "hausnummer" not in columns:
        findings.append(Finding("missing_column", file_name, column="hausnummer"))
    if findings:
        return result
    levels = [slug for slug in known_codes if slug in columns]
    numbers, _ = house_numbers([r.get("hausnummer", "") for _n, r in rows])
    for (number, row), parsed in zip(rows, numbers, strict=True):
        if parsed < 0:
            findings.append(
                Finding(
                    "bad_house_number",
                    file_name,
                    row=number,
                    column="hausnummer",
                    value=row.get("hausnummer", ""),
                )
            )
            continue
        codes = {}
        for slug in levels:
            code = row.get(slug, "")
            if not code:
                continue
            if code not in known_codes[slug]:
                findings.append(
                    Finding("unknown_area_code", file_name, row=number, column=slug, value=code)
                )
            codes[slug] = code
        try:
            x, y = _number(row.get("x", "")), _number(row.get("y", ""))
        except ValueError:
            findings.append(Finding("bad_point", file_name, row=number, column="x/y"))
            continue
        if not codes and (x is None or y is None):
            findings.append(Finding("address_without_area", file_name, row=number))
            continue
        result.rows.append(
            {
                "row": number,
                "street_key": row.get("strassenschluessel", ""),
                "street": row.get("strasse", ""),
                "number": row.get("hausnummer", ""),
                "suffix": row.get("zusatz", ""),
                "number_to": row.get("hausnummer_bis", ""),
                "codes": codes,
                "x": x,
                "y": y,
            }
        )
    _to_crs84(result.rows)
    register = Register(
        [r["street_key"] or r["street"] for r in result.rows],
        [r["number"] for r in result.rows],
        [r["suffix"] for r in result.rows],
        [r["number_to"] for r in result.rows],
    )
    for index in register.duplicates():
        row = result.rows[index]
        findings.append(
            Finding(
                "duplicate_address",
                file_name,
                row=row["row"],
                value=f"{row['street'] or row['street_key']} {row['number']}{row['suffix']}",
            )
        )
    return result


def _to_crs84(rows):
    utm = [r for r in rows if r["x"] is not None and r["y"] is not None and abs(r["x"]) > 180]
    if not utm:
        return
    transformer = Transformer.from_crs(UTM32N, "OGC:CRS84", always_xy=True)
    lon, lat = transformer.transform(
        np.array([r["x"] for r in utm]), np.array([r["y"] for r in utm])
    )
    for r, x, y in zip(utm, lon, lat, strict=True):
        r["x"], r["y"] = float(x), float(y)
