"""Propose one Table Schema field for a column of text: its type in German notation, unit,
constraints, code list, statistical signs and its role; flag personal columns.

Types are guessed on a sample and then checked with the same functions the import uses on
every *distinct* value of the column (one hash pass over the whole column, as keys and code
lists need anyway), so a proposed schema accepts the file it was proposed from. Only a column
with more than VERIFY_DISTINCT distinct values is checked on an evenly spread sample of them, as
a statistician would look at such a file; the import still checks every cell.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import notation
from .layout import STRING_DTYPE
from .notation import SIGNS

SAMPLE = 20_000
VERIFY_DISTINCT = 200_000
CODE_LIST_MAX = 30
DATE_DE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YEAR = re.compile(r"^(19|20)\d\d$")
BOOLEAN_WORDS = {"ja", "nein", "true", "false", "wahr", "falsch", "j", "n"}
LEADING_ZERO = re.compile(r"^0\d+$")

# Header words (normalised: lower case, umlauts folded, no separators).
PERSONAL_HEADERS = {
    "name": re.compile(
        r"^(vor|nach|familien|geburts|ruf)?name$|^(vorname|nachname)|ansprech|kontaktperson"
    ),
    "address": re.compile(r"strasse|anschrift|adresse|hausnummer|hausnr|wohnort"),
    "phone": re.compile(r"telefon|^tel|mobil|handy|^fax"),
    "email": re.compile(r"e?mail"),
    "birthdate": re.compile(r"geburtsdatum|geburtstag|geboren"),
}
STREET = re.compile(r"(stra(ss|ß)e|str\.|weg|platz|allee|gasse|damm|ring)\s*\d+", re.I)
PHONE = re.compile(r"^(\+\d{2}|0)\d{2,5}[ /-]?\d[\d /-]{3,}$")
AREA = re.compile(
    r"stadtteil|stadtbezirk|bezirk|ortsteil|quartier|gemeinde|kreis|^ags|^ars|bundesland|^land"
    r"|dland|region|sozialraum|planungsraum|wahlbezirk"
)
HOLDER = re.compile(r"traeger|halter|inhaber|betreiber|eigentuemer")
IDENTIFIER = re.compile(r"(^|_)(id|nr|nummer|kennung|schluessel|code|kz)($|_)")
REFERENCE = re.compile(r"stichtag|zeit|datum|stand")
YEAR_HEADER = re.compile(r"^(jahr|berichtsjahr|year)$")


def field_name(header: str, used: set[str]) -> str:
    """A readable, stable field name for a header: "Anteil_in_%" -> "anteil_in_prozent"."""
    text = header.replace("%", " prozent ").replace("€", " eur ")
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    base = re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:60] or "feld"
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _key(header: str) -> str:
    return field_name(header, set())


def infer_field(
    header: str,
    series: pd.Series,
    *,
    name: str,
    decimal: str,
    signs_allowed: tuple[str, ...] = (),
    official: bool = False,
    text: pa.ChunkedArray | None = None,
    uniques: pa.Array | None = None,
) -> dict:
    """The proposed descriptor for one column (``official``: a GENESIS layout, no personal
    columns there, all Destatis signs expected). ``text`` and ``uniques`` (its distinct
    values, see column_values) when the caller has them already."""
    text = trimmed(series) if text is None else text
    present = len(text) - text.null_count
    uniques = distinct_values(text) if uniques is None else uniques
    sample = _head(text)
    descriptor: dict = {"name": name, "title": header.replace("_", " ").strip() or name}
    if name != header:
        descriptor["aliases"] = [header]
    constraints: dict = {}
    if present == len(text) and len(text):
        constraints["required"] = True
    key = _key(header)
    personal = None if official else _personal(key, sample)
    kind, extra = _type(uniques, sample, decimal)
    descriptor["type"] = kind
    descriptor.update(extra)
    unit = _unit(key, header, extra)
    if unit:
        descriptor["unit"] = unit
    distinct = len(uniques)
    unique = distinct == present == len(text) and len(text) > 1
    role = _role((key, name), kind, sample, unique, personal)
    descriptor["role"] = role
    if kind in ("integer", "number") and role == "measure":
        found = signs_in(uniques)
        signs = sorted(found | set(signs_allowed), key=notation.STATUS_CODES.index)
        if signs:
            descriptor["statusSigns"] = signs
    if personal:
        descriptor["personal"] = personal
    if unique and role in ("identifier", "area_key") and kind in ("string", "integer"):
        constraints["unique"] = True
    if kind == "string" and role in ("dimension", "area_key", "holder") and not personal:
        values = _code_list(uniques, present)
        if values is not None:
            constraints["enum"] = values
            if any("_" in v for v in sample):
                descriptor["codeListMatch"] = "folded"
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def _head(text: pa.ChunkedArray) -> list[str]:
    """The first SAMPLE present values, the rows a type is guessed from."""
    head = text.slice(0, SAMPLE).drop_null()
    if len(head) < min(SAMPLE, len(text) - text.null_count):
        head = text.drop_null().slice(0, SAMPLE)  # gaps near the top: look further
    return head.to_pylist()


def distinct_values(text: pa.ChunkedArray) -> pa.Array:
    """The column's distinct present values in the order they first occur (one hash pass)."""
    return pc.unique(text.drop_null())


def _verifiable(uniques: pa.Array) -> pa.ChunkedArray:
    """The distinct values a type is checked on: all of them, or an evenly spread sample
    (first and last included) of a column with very many."""
    if len(uniques) > VERIFY_DISTINCT:
        picks = np.unique(np.linspace(0, len(uniques) - 1, VERIFY_DISTINCT).astype(np.int64))
        uniques = uniques.take(pa.array(picks))
    return pa.chunked_array([uniques], type=uniques.type)


def signs_in(text: pa.Array | pa.ChunkedArray) -> set[str]:
    """Status codes of the statistical signs anywhere in a column (not only in a sample);
    its distinct values say the same for less."""
    keys = pa.array(list(SIGNS), text.type)
    hits = pc.filter(text, pc.fill_null(pc.is_in(text, value_set=keys), False))
    return {SIGNS[v] for v in pc.unique(hits).to_pylist()}


def trimmed(series: pd.Series) -> pa.ChunkedArray:
    array = pa.array(series.astype(STRING_DTYPE), type=pa.large_string())
    array = pa.chunked_array([array]) if isinstance(array, pa.Array) else array
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.large_string()), trimmed)


def _type(uniques: pa.Array, sample: list[str], decimal: str) -> tuple[str, dict]:
    """The type the sample suggests, if every distinct value (see _verifiable) agrees."""
    values = [v for v in sample if v not in SIGNS]
    if not values:
        return ("integer", {}) if sample else ("string", {})
    dates = all(DATE_DE.match(v) or DATE_ISO.match(v) for v in values)
    if dates and _all_match(_verifiable(uniques), r"^(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})$"):
        return "date", {}
    if {v.casefold() for v in values} <= BOOLEAN_WORDS and len({v.casefold() for v in values}) == 2:
        return "boolean", {}
    if any(LEADING_ZERO.match(v) for v in values) or not all(
        notation.looks_numeric(v) for v in values
    ):
        return "string", {}
    extra: dict = {}
    column_decimal = notation.column_decimal(values) or decimal
    percent = any(v.endswith("%") for v in values)
    if percent:
        extra["bareNumber"] = False
    if any(re.search(r"\d[ \u00a0\u202f]\d{3}", v) for v in values):
        extra["groupChar"] = " "
    text = _verifiable(uniques)
    for kind in ("number",) if percent else ("integer", "number"):
        measure = notation.read_measure(
            text,
            kind=kind,
            decimal=column_decimal,
            group=extra.get("groupChar"),
            percent=percent,
            signs=notation.STATUS_CODES,
        )
        if not measure.bad.any() and not measure.huge.any():
            if kind == "number" or column_decimal != decimal:
                extra["decimalChar"] = column_decimal
            return kind, extra
    return "string", {}


def _all_match(text: pa.ChunkedArray, pattern: str) -> bool:
    matched = pc.match_substring_regex(text.drop_null(), pattern)
    return bool(pc.all(matched).as_py()) if len(matched) else False


def _code_list(unique: pa.Array, present: int) -> list[str] | None:
    """A code list for a column with few distinct values; codes in the file's order."""
    if not 1 < len(unique) <= CODE_LIST_MAX:
        return None
    if present > 1000 and len(unique) * 5 > present:
        return None
    return [v.replace("_", " ") for v in unique.to_pylist()]


def _personal(key: str, sample: list[str]) -> str | None:
    for kind, pattern in PERSONAL_HEADERS.items():
        if pattern.search(key):
            return kind
    values = sample[:500]
    if not values:
        return None
    share = lambda test: sum(1 for v in values if test(v)) / len(values)  # noqa: E731
    if share(lambda v: "@" in v and "." in v.split("@")[-1]) > 0.5:
        return "email"
    if share(lambda v: bool(STREET.search(v))) > 0.5:
        return "address"
    if share(lambda v: bool(PHONE.match(v)) and not notation.looks_numeric(v)) > 0.5:
        return "phone"
    return None


def _unit(key: str, header: str, extra: dict) -> str | None:
    if extra.get("bareNumber") is False or "%" in header or re.search(r"anteil|quote", key):
        return "%"
    if re.search(r"(^|_)eur($|_)|euro", key):
        return "EUR"
    return None


def _role(keys, kind: str, sample: list[str], unique: bool, personal: str | None) -> str:
    def says(pattern):
        return any(pattern.search(key) for key in keys)

    if personal:
        return "auxiliary"
    if says(HOLDER):
        return "holder"
    if says(AREA):
        return "area_key"
    if kind == "date":
        return "reference_date" if len(set(sample)) == 1 or says(REFERENCE) else "dimension"
    if says(YEAR_HEADER) or (sample and all(YEAR.match(v) for v in sample[:200])):
        return "dimension"
    if unique and (says(IDENTIFIER) or kind == "string"):
        return "identifier"
    if kind in ("integer", "number"):
        return "measure"
    return "dimension"


def primary_key(frame: pd.DataFrame, descriptors: list[dict]) -> list[str]:
    """The identifier, or the dimensions that together name one record (area + year)."""
    for descriptor in descriptors:
        if (descriptor.get("constraints") or {}).get("unique") and descriptor["role"] in (
            "identifier",
            "area_key",
        ):
            return [descriptor["name"]]
    if len(frame) > 200_000:
        return []
    candidates = []
    for descriptor in descriptors:
        column = (descriptor.get("aliases") or [descriptor["name"]])[0]
        if descriptor["role"] not in ("area_key", "dimension", "reference_date"):
            continue
        if column not in frame.columns:
            return []
        text = frame[column].astype(STRING_DTYPE).str.strip()
        if not text.isna().any() and not (text == "").any():
            candidates.append((descriptor["name"], text))
    if not candidates:
        return []
    subset = pd.DataFrame(dict(candidates))
    if subset.duplicated().any():
        return []
    return [name for name, _text in candidates]
