"""Target schemas (Frictionless Table Schema dicts) and mapping the file's columns onto them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

TYPES = ("string", "integer", "number", "date", "boolean")
CONSTRAINTS = ("required", "unique", "minimum", "maximum", "enum", "pattern")
FIELD_KEYS = (
    "name",
    "type",
    "title",
    "description",
    "constraints",
    "aliases",
    "format",
    # German numbers: Frictionless' own keys for decimal sign, thousands sign, "35,5%".
    "decimalChar",
    "groupChar",
    "bareNumber",
    # BIF's: unit, role, the statistical signs a measure may carry as status, the quality
    # column holding a measure's sign, matching names written otherwise to the code list,
    # and the decision on a personal column (name, address, phone).
    "unit",
    "role",
    "statusSigns",
    "qualityField",
    "codeListMatch",
    "personal",
    "personalDecision",
    # issue 17: the field's codes are a classification's (bif.geography), by its Kürzel
    "codelist",
)
ROLES = (
    "dimension",
    "measure",
    "identifier",
    "holder",
    "reference_date",
    "area_key",
    "auxiliary",
)
PERSONAL_KINDS = ("name", "address", "phone", "email", "birthdate")
PERSONAL_DECISIONS = ("keep_sealed", "drop")
LAYOUT_FORMATS = ("table", "genesis_table", "ffcsv", "ffcsv_new")

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise_header(name: str) -> str:
    """Compare headers the way people read them: "Geburts-Datum " == "geburtsdatum",
    "Stadtteil Nr." == "stadtteilnr", "Größe" == "groesse"."""
    text = unicodedata.normalize("NFC", str(name)).casefold().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text)


def fields(schema: dict) -> list[dict]:
    return list(schema.get("fields", []))


def dropped_at_intake(schema: dict) -> list[str]:
    """Fields read and checked but not stored: auxiliary fields and personal columns the
    office decided to drop."""
    return [
        d["name"]
        for d in fields(schema)
        if d.get("role") == "auxiliary" or d.get("personalDecision") == "drop"
    ]


def without_dropped(schema: dict) -> dict:
    """The schema of what is stored: fields dropped at intake left out."""
    dropped = set(dropped_at_intake(schema))
    return {**schema, "fields": [d for d in fields(schema) if d["name"] not in dropped]}


def stored_field_types(schema: dict) -> dict[str, str]:
    """{column: type} of what the sealed store keeps: the fields not dropped at intake, and
    next to each measure with statistical signs its status (text)."""
    from .notation import status_name

    dropped = set(dropped_at_intake(schema))
    types = {}
    for descriptor in fields(schema):
        if descriptor["name"] in dropped:
            continue
        types[descriptor["name"]] = descriptor.get("type", "string")
        if descriptor.get("statusSigns"):
            types[status_name(descriptor["name"])] = "string"
    return types


def primary_key(schema: dict) -> list[str]:
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def is_required(schema: dict, field_descriptor: dict) -> bool:
    constraints = field_descriptor.get("constraints") or {}
    return bool(constraints.get("required")) or field_descriptor["name"] in primary_key(schema)


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # field name -> file header
    unmapped_fields: list[str] = field(default_factory=list)  # required fields without a column
    missing_optional: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)

    def as_saved(self) -> dict[str, str]:
        """{file header: field name}, to remember for the next upload of the same source."""
        return {header: name for name, header in self.columns.items()}


def propose_mapping(
    file_columns: list[str], schema: dict, saved: dict[str, str] | None = None
) -> Mapping:
    """Match file columns to schema fields: saved mapping, exact, normalised, title, aliases."""
    descriptors = fields(schema)
    names = {d["name"] for d in descriptors}
    columns: dict[str, str] = {}
    used: set[str] = set()

    def take(field_name: str, header: str) -> None:
        if field_name in names and field_name not in columns and header not in used:
            columns[field_name] = header
            used.add(header)

    by_norm: dict[str, str] = {}
    for header in file_columns:
        by_norm.setdefault(normalise_header(header), header)

    for header, field_name in (saved or {}).items():
        if header in file_columns:
            take(field_name, header)
        elif normalise_header(header) in by_norm:
            take(field_name, by_norm[normalise_header(header)])

    candidates = (
        lambda d: [d["name"]] if d["name"] in file_columns else [],
        lambda d: [by_norm.get(normalise_header(d["name"]))],
        lambda d: [by_norm.get(normalise_header(d.get("title") or ""))] if d.get("title") else [],
        lambda d: [by_norm.get(normalise_header(a)) for a in d.get("aliases") or []],
    )
    for pick in candidates:
        for descriptor in descriptors:
            for header in pick(descriptor):
                if header is not None:
                    take(descriptor["name"], header)

    unmapped = [
        d["name"] for d in descriptors if d["name"] not in columns and is_required(schema, d)
    ]
    optional = [
        d["name"] for d in descriptors if d["name"] not in columns and not is_required(schema, d)
    ]
    extra = [header for header in file_columns if header not in used]
    return Mapping(
        columns=columns, unmapped_fields=unmapped, missing_optional=optional, extra_columns=extra
    )


def validate_schema_descriptor(descriptor: dict) -> list[str]:
    """Problems in a schema descriptor, as German sentences for the admin form."""
    problems: list[str] = []
    if not isinstance(descriptor, dict):
        return ["Das Schema muss ein JSON-Objekt sein."]
    field_list = descriptor.get("fields")
    if not isinstance(field_list, list) or not field_list:
        return ["Das Schema braucht eine nicht leere Liste „fields“."]
    seen: set[str] = set()
    for position, item in enumerate(field_list, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            problems.append(f"Feld {position}: „name“ fehlt oder ist kein Text.")
            continue
        name = item["name"]
        where = f"Feld „{name}“"
        if name in seen:
            problems.append(f"{where}: der Name kommt mehrfach vor.")
        seen.add(name)
        kind = item.get("type", "string")
        if kind not in TYPES:
            problems.append(f"{where}: unbekannter Typ „{kind}“ (erlaubt: {', '.join(TYPES)}).")
        for key in item:
            if key not in FIELD_KEYS:
                problems.append(f"{where}: unbekannte Angabe „{key}“.")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"{where}: „aliases“ muss eine Liste von Texten sein.")
        problems += _constraint_problems(where, kind, item.get("constraints") or {})
        problems += _bif_key_problems(where, item)
    for key in primary_key(descriptor):
        if key not in seen:
            problems.append(f"primaryKey nennt das unbekannte Feld „{key}“.")
    layout = descriptor.get("layout", {})
    if not isinstance(layout, dict) or layout.get("format", "table") not in LAYOUT_FORMATS:
        problems.append(f"„layout.format“ ist eines von {', '.join(LAYOUT_FORMATS)}.")
    missing = descriptor.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
        problems.append("„missingValues“ muss eine Liste von Texten sein.")
    return problems


def _bif_key_problems(where: str, item: dict) -> list[str]:
    from .notation import STATUS_CODES

    problems = []
    if item.get("role") not in (None, *ROLES):
        problems.append(f"{where}: unbekannte Rolle „{item['role']}“.")
    signs = item.get("statusSigns", [])
    if not isinstance(signs, list) or any(s not in STATUS_CODES for s in signs):
        problems.append(f"{where}: „statusSigns“ erlaubt nur die Zeichen {' '.join(STATUS_CODES)}.")
    for key in ("decimalChar", "groupChar"):
        if key in item and (not isinstance(item[key], str) or len(item[key]) != 1):
            problems.append(f"{where}: „{key}“ muss genau ein Zeichen sein.")
    if item.get("personal") not in (None, *PERSONAL_KINDS):
        problems.append(f"{where}: unbekannte Art personenbezogener Angaben.")
    if item.get("personalDecision") not in (None, *PERSONAL_DECISIONS):
        problems.append(f"{where}: „personalDecision“ ist keep_sealed oder drop.")
    return problems


def personal_undecided(schema: dict) -> list[str]:
    """Fields flagged as personal (names, addresses, phones) without a decision yet."""
    return [
        d["name"] for d in fields(schema) if d.get("personal") and not d.get("personalDecision")
    ]


def _constraint_problems(where: str, kind: str, constraints) -> list[str]:
    if not isinstance(constraints, dict):
        return [f"{where}: „constraints“ muss ein Objekt sein."]
    problems = []
    for key, value in constraints.items():
        if key not in CONSTRAINTS:
            problems.append(f"{where}: unbekannte Bedingung „{key}“.")
        elif key in ("required", "unique") and not isinstance(value, bool):
            problems.append(f"{where}: „{key}“ muss true oder false sein.")
        elif key in ("minimum", "maximum") and parse_bound(kind, value) is None:
            problems.append(f"{where}: „{key}“ passt nicht zum Typ {kind}.")
        elif key == "enum" and (not isinstance(value, list) or not value):
            problems.append(f"{where}: „enum“ muss eine nicht leere Liste sein.")
        elif key == "pattern":
            try:
                re.compile(value)
            except (re.error, TypeError) as problem:
                problems.append(
                    f"{where}: „pattern“ ist kein gültiger regulärer Ausdruck ({problem})."
                )
    return problems


def parse_bound(kind: str, value):
    """A minimum/maximum as a comparable value for the field type, or None if it doesn't fit."""
    if isinstance(value, bool):
        return None
    if kind == "integer":
        return value if isinstance(value, int) else None
    if kind == "number":
        return float(value) if isinstance(value, int | float) else None
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    if kind == "string":
        return value if isinstance(value, str) else None
    return None
