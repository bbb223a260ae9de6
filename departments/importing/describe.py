"""Describe a sample file: the layout found in it and a proposed Table Schema.

The same reading functions as the import run on the proposed layout, so the proposal accepts
the file it came from. Nothing of the file's records is returned except code lists of
columns with few distinct values (the categories a table is built from).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.compute as pc

from . import genesis, grid, inference, transform
from .notation import STATUS_CODES
from .schema import validate_schema_descriptor

HEAD_ROWS = 60
SPLIT_SAMPLE = 2000
THREADS = 4
OFFICIAL = ("genesis_table", "ffcsv", "ffcsv_new")
# The columns a GENESIS table's layout adds or names itself.
GENESIS_ROLES = {
    "code": "area_key",
    "name": "area_key",
    "ebene": "dimension",
    "zeit": "reference_date",
}
FEATURE_COLUMN = re.compile(r"^(\d+)_(Auspraegung|variable_attribute)_(Code|Label|code|label)$")


@dataclass
class Description:
    layout: dict  # what was detected (format, encoding, header, title, notes …)
    schema: dict  # the proposed Table Schema (with its declarative "layout")
    flags: list[dict] = field(default_factory=list)  # columns needing a decision
    row_count: int = 0

    def as_dict(self) -> dict:
        return {
            "layout": self.layout,
            "schema": self.schema,
            "flags": self.flags,
            "row_count": self.row_count,
        }


def describe(
    path, *, filename: str | None = None, sheet: str | None = None, code_lists=None
) -> Description:
    """``code_lists``: {name: entries} the city already has (its Stadtteile); a column whose
    names are these entries written otherwise ("westliche_hoehe") gets that code list."""
    path = Path(path)
    filename = filename or path.name
    head = grid.read_grid(path, filename=filename, sheet=sheet, limit=HEAD_ROWS)
    kind = genesis.detect_format(head.rows) if head.encoding != "xlsx" else "table"
    declared: dict = {"format": kind}
    if kind == "genesis_table":
        # A GENESIS table is small, and its footer decides where the records end.
        full = grid.read_grid(path, filename=filename, sheet=sheet)
        kind = genesis.detect_format(full.rows)
        declared["format"] = kind
    header_rows = _stacked_header_rows(head.rows) if kind == "table" else 1
    if header_rows > 1:
        declared["headerRows"] = header_rows
    read = grid.read_for_schema(path, filename=filename, layout=declared, sheet=sheet)
    if not read.has_header:
        declared["header"] = False
    splits = _code_name_columns(read.frame)
    if splits:
        declared["splitColumns"] = splits
    wide = transform.wide_columns(list(read.frame.columns))
    if len(wide) >= 2 and len({key for _m, key in wide.values()}) >= 2:
        declared["wideToLong"] = {"columns": transform.YEAR_COLUMNS, "key": "jahr", "value": "wert"}
    read = transform.apply(read, declared)

    fields_, flags = _fields(read, kind)
    for descriptor in fields_:
        _use_known_code_list(descriptor, code_lists or {})
    schema = {"fields": fields_, "missingValues": [""], "layout": declared}
    key = inference.primary_key(read.frame, fields_)
    if key:
        schema["primaryKey"] = key
    problems = validate_schema_descriptor(schema)
    assert not problems, problems  # the proposal must be a schema the office can save
    detected = {
        "format": kind,
        "encoding": read.encoding,
        "delimiter": read.delimiter,
        "decimal": read.decimal,
        "header": read.has_header,
        "header_line": read.header_line,
        "header_rows": header_rows,
        "title_lines": read.title_lines,
        "footer_lines": read.dropped_footer_lines,
        "sheet": read.sheet,
        "wide_to_long": bool(declared.get("wideToLong")),
        "split_columns": [s["column"] for s in splits],
        **{k: v for k, v in read.details.items() if k != "units"},
    }
    return Description(layout=detected, schema=schema, flags=flags, row_count=len(read.frame))


def _fields(read, kind: str) -> tuple[list[dict], list[dict]]:
    official = kind in OFFICIAL
    units = read.details.get("units", {})
    columns = list(read.frame.columns)

    # Arrow's kernels release the GIL: the columns are looked at side by side. One hash pass
    # per column gives its distinct values, from which types, signs and code lists are read.
    def look(column):
        text = inference.trimmed(read.frame[column])
        return text, inference.distinct_values(text)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        looked = dict(zip(columns, pool.map(look, columns), strict=True))
        texts = {column: text for column, (text, _uniques) in looked.items()}
        signs = tuple(STATUS_CODES) if official else _signs_in_file(looked)
        used: set[str] = set()
        names = _official_names(read.frame, kind, used)
        plans = []
        for header in columns:
            if header.startswith("spalte_") and texts[header].null_count == len(texts[header]):
                plans.append((header, inference.field_name(header, used), None, None))
                continue
            name, title, extra = names.get(header) or (inference.field_name(header, used), None, {})
            plans.append((header, name, title, extra))

        def infer(plan):
            header, name, _title, extra = plan
            if extra is None:  # an empty column of a file without header: nothing to keep
                return {"name": name, "type": "string", "role": "auxiliary", "title": header}
            return inference.infer_field(
                header,
                read.frame[header],
                name=name,
                decimal=read.decimal,
                signs_allowed=signs,
                official=official,
                text=texts[header],
                uniques=looked[header][1],
            )

        proposals = list(pool.map(infer, plans))
    descriptors, flags = [], []
    for (header, name, title, extra), descriptor in zip(plans, proposals, strict=True):
        if extra is None:
            descriptors.append(descriptor)
            continue
        if name != header:
            descriptor["aliases"] = [header]
        if title:
            descriptor["title"] = title
        descriptor.update(extra)
        if descriptor.get("role") != "measure":
            descriptor.pop("statusSigns", None)
        if kind == "genesis_table" and header in GENESIS_ROLES:
            descriptor["role"] = GENESIS_ROLES[header]
            descriptor.pop("statusSigns", None)
        if header in units and descriptor["type"] in ("integer", "number"):
            descriptor["unit"] = units[header]
        if descriptor.get("personal"):
            flags.append({"field": name, "column": header, "personal": descriptor["personal"]})
        descriptors.append(descriptor)
    _link_quality_columns(descriptors)
    return descriptors, flags


def _use_known_code_list(descriptor: dict, code_lists: dict) -> None:
    from .schema import normalise_header

    proposed = (descriptor.get("constraints") or {}).get("enum")
    if descriptor.get("type") != "string" or not proposed or not code_lists:
        return  # only a column with few values has a code list to match
    values = {normalise_header(str(v).replace("_", " ")) for v in proposed}
    for _name, entries in code_lists.items():
        folded = {normalise_header(e) for e in entries}
        if values and values <= folded:
            constraints = descriptor.setdefault("constraints", {})
            constraints["enum"] = list(entries)
            descriptor["codeListMatch"] = "folded"
            return


def _signs_in_file(looked) -> tuple[str, ...]:
    """Signs seen anywhere in a city's table are expected in all its measures next time."""
    found = set()
    for _text, uniques in looked.values():
        found |= inference.signs_in(uniques)
    return tuple(sorted(found, key=STATUS_CODES.index))


def _official_names(frame, kind: str, used: set[str]) -> dict:
    """Names for GENESIS flat file columns from what they say: "1_Auspraegung_Code" of the
    feature DLAND is "dland_code", "FLC006__Gebietsflaeche__qkm" is "gebietsflaeche" (qkm)."""
    if kind not in ("ffcsv", "ffcsv_new"):
        return {}
    names = {}
    for header in frame.columns:
        value = genesis.ffcsv_value_column(header)
        if value:
            base = inference.field_name(value["label"], set())
            name = f"{base}_q" if value["quality"] else base
            extra = {} if value["quality"] else {"unit": value["unit"], "role": "measure"}
            if value["quality"]:
                extra = {"role": "auxiliary"}
            names[header] = (inference.field_name(name, used), value["label"], extra)
            continue
        match = FEATURE_COLUMN.match(header)
        if match:
            feature = f"{match[1]}_{'Merkmal' if match[2] == 'Auspraegung' else 'variable'}"
            code_column = f"{feature}_{'Code' if match[2] == 'Auspraegung' else 'code'}"
            label_column = f"{feature}_{'Label' if match[2] == 'Auspraegung' else 'label'}"
            code = _constant(frame, code_column) or f"merkmal_{match[1]}"
            label = _constant(frame, label_column) or code
            is_code = match[3].lower() == "code"
            base = inference.field_name(code + ("_code" if is_code else ""), set())
            title = f"{label} (Schlüssel)" if is_code else label
            names[header] = (inference.field_name(base, used), title, {})
            continue
        if _constant(frame, header) is not None and header != "time" and header != "Zeit":
            names[header] = (
                inference.field_name(header, used),
                None,
                {"role": "auxiliary", "description": "In der ganzen Datei gleich."},
            )
        elif header in ("Zeit", "time"):
            label = _constant(frame, "Zeit_Label") or _constant(frame, "time_label") or "Zeit"
            names[header] = (inference.field_name(label, used), label, {})
    return names


def _constant(frame, column: str) -> str | None:
    if column not in frame.columns:
        return None
    values = frame[column].dropna().unique()
    return str(values[0]).strip() if len(values) == 1 else None


def _link_quality_columns(descriptors: list[dict]) -> None:
    """A measure and its quality column (``…__q``, ``value_q``): the sign may stand there."""
    by_alias = {(d.get("aliases") or [d["name"]])[0]: d for d in descriptors}
    for alias, descriptor in by_alias.items():
        for candidate in (f"{alias}__q", f"{alias}_q"):
            quality = by_alias.get(candidate)
            if quality and descriptor.get("statusSigns"):
                descriptor["qualityField"] = quality["name"]
                quality["role"] = "auxiliary"
                quality["type"] = "string"
                quality.pop("constraints", None)


def _code_name_columns(frame) -> list[dict]:
    """Columns whose every cell is "code name" ("01 Altstadt") are read as two fields."""
    splits = []
    for column in frame.columns:
        head = frame[column].head(SPLIT_SAMPLE).dropna().str.strip()
        if len(head) < 2 or not head.str.match(transform.CODE_NAME).all():
            continue
        if head.str.match(r"^[\d\s.,%]+$").any():
            continue
        # The sample says "code name"; every other cell must say so too.
        text = inference.trimmed(frame[column]).drop_null()
        if not pc.all(pc.match_substring_regex(text, transform.CODE_NAME)).as_py():
            continue
        base = "stadtteil" if column.startswith("spalte_") else inference.field_name(column, set())
        splits.append({"column": column, "into": [f"{base}_nr", base]})
    return splits


def _stacked_header_rows(rows: list[list[str]]) -> int:
    """Header rows above the first record of a spreadsheet with merged header cells: the
    upper rows leave cells empty that the lower ones fill."""
    from .layout import looks_like_data

    start = next((i for i, r in enumerate(rows) if sum(1 for c in r if c.strip()) >= 2), None)
    if start is None:
        return 1
    for count in range(1, 5):
        index = start + count
        if index >= len(rows):
            return 1
        if looks_like_data(rows[index], rows[index + 1 :]):
            upper = rows[start:index]
            if count > 1 and any(not c.strip() for c in upper[0][1:]):
                return count
            return 1
    return 1
