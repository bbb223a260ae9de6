"""Type and constraint checks of a read file against its schema, vectorised with Arrow.

Every check works on whole columns; findings carry the file's own row numbers and values so the
analyst can find them in the export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import arrowtext, notation
from .findings import Finding, error, has_errors, warning
from .layout import STRING_DTYPE, ReadResult
from .notation import SIGNS, status_name
from .schema import Mapping, fields, is_required, parse_bound, primary_key
from .transform import match_code_list

# Spreadsheet formula injection: =HYPERLINK(…), +cmd|…, @SUM(…), -A1+…
FORMULA = r"^(=.|[+\-@]\s*[A-Za-z(])"
DATE_DE = r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"
DATE_ISO = r"^\d{4}-\d{2}-\d{2}([T ]00:00(:00)?)?$"
TRUE_WORDS = ["ja", "j", "true", "wahr", "1", "x", "yes", "y"]
FALSE_WORDS = ["nein", "n", "false", "falsch", "0", "no"]
# datetime64[ns] covers 1678-2261; dates outside are almost always placeholders like 01.01.0001.
YEAR_RANGE = (1678, 2261)


@dataclass
class ValidationResult:
    typed: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    row_numbers: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def validate(
    read: ReadResult, schema: dict, mapping: Mapping, *, check_keys: bool = True
) -> ValidationResult:
    """Typed columns and findings of one read file (or chunk).

    ``check_keys=False`` leaves out the unique and primary-key checks: a file read in chunks
    has its keys checked over all chunks at once (chunks.duplicate_keys), and a hash pass
    per chunk whose findings would be thrown away was a third of the validation's time."""
    rows = np.asarray(read.row_numbers, dtype=np.int64)
    findings: list[Finding] = list(read.findings)
    for name in mapping.unmapped_fields:
        findings.append(error("column_missing", _title(schema, name), params={"field": name}))
    for name in mapping.missing_optional:
        findings.append(warning("column_missing", _title(schema, name), params={"field": name}))
    for header in mapping.extra_columns:
        findings.append(warning("column_extra", header))

    length = len(read.frame)
    typed: dict[str, pd.Series] = {}
    raw_by_field: dict[str, pa.ChunkedArray] = {}
    for descriptor in fields(schema):
        name, kind = descriptor["name"], descriptor.get("type", "string")
        header = mapping.columns.get(name)
        if header is None:
            typed[name] = _empty(kind, length)
            continue
        text = _without_missing(_text(read.frame[header]), schema, descriptor)
        check = _Column(header, text, rows, findings, check_keys=check_keys)
        raw_by_field[name] = check.text
        typed[name] = check.run(descriptor, kind, read.decimal, is_required(schema, descriptor))
        if descriptor.get("statusSigns"):
            status = _status_series(check.status, length)
            quality = mapping.columns.get(descriptor.get("qualityField") or "")
            if quality is not None:
                typed[name], status = _with_quality(typed[name], status, read.frame[quality])
            typed[status_name(name)] = status

    frame = pd.DataFrame(typed)
    if check_keys:
        _check_primary_key(frame, schema, mapping, raw_by_field, rows, findings)
    return ValidationResult(typed=frame, findings=findings, row_numbers=rows)


def _without_missing(text, schema: dict, descriptor: dict):
    """Cells written as one of the schema's missingValues are blank (a sign the field keeps
    as status is not)."""
    signs = {t for t, code in SIGNS.items() if code in (descriptor.get("statusSigns") or ())}
    missing = [v for v in schema.get("missingValues") or [] if v and v not in signs]
    if not missing:
        return text
    hit = pc.is_in(text, value_set=pa.array(missing, text.type))
    return pc.if_else(pc.fill_null(hit, False), pa.scalar(None, text.type), text)


def _with_quality(values: pd.Series, status: pd.Series, quality: pd.Series):
    """GENESIS flat files may put the sign in a quality column (``…__q``, ``value_q``) and
    leave the value empty: the sign is the status then, "-" a true zero."""
    signs = quality.astype(STRING_DTYPE).str.strip().map(SIGNS.get, na_action="ignore")
    signs = signs.astype(STRING_DTYPE)
    use = status.isna() & signs.notna() & values.isna()
    status = status.where(~use, signs)
    values = values.where(~(use & (signs == "-")).fillna(False), 0)
    return values, status


def _status_series(status, length: int) -> pd.Series:
    if status is None:
        return pd.Series([None] * length, dtype=STRING_DTYPE)
    return _to_pandas(status, STRING_DTYPE)


def _title(schema: dict, name: str) -> str:
    for descriptor in fields(schema):
        if descriptor["name"] == name:
            return descriptor.get("title") or name
    return name


def _text(series: pd.Series) -> pa.ChunkedArray:
    """The column as trimmed Arrow strings; blank cells become null."""
    array = pa.array(series.astype(STRING_DTYPE), type=pa.large_string())
    array = pa.chunked_array([array]) if isinstance(array, pa.Array) else array
    if not arrowtext.may_need_trim(array).any():
        return array  # nothing to trim, no empty cell: a pass over every character saved
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.large_string()), trimmed)


def _np(mask) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _matches(text, pattern: str) -> np.ndarray:
    return _np(pc.match_substring_regex(text, pattern))


FORMULA_STARTS = b"=+-@"


def _formulas(text) -> np.ndarray:
    """Cells a spreadsheet would run as a formula. The regular expression is run only on
    cells that start like one: in most files none do, and a regex over every cell of every
    column was a quarter of the validation's time."""
    candidates = arrowtext.starts_with_any(text, FORMULA_STARTS)
    if not candidates.any():
        return candidates
    return candidates & _matches(text, FORMULA)


def _to_pandas(array, dtype) -> pd.Series:
    table = pa.table({"v": array})
    mapper = {
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.large_string(): STRING_DTYPE,
        pa.string(): STRING_DTYPE,
    }
    series = table.to_pandas(types_mapper=mapper.get)["v"]
    return series.astype(dtype) if dtype is not None else series


def _empty(kind: str, length: int) -> pd.Series:
    dtypes = {
        "string": STRING_DTYPE,
        "integer": "Int64",
        "number": "float64",
        "date": "datetime64[ns]",
        "boolean": "boolean",
    }
    return pd.Series([None] * length, dtype=dtypes.get(kind, STRING_DTYPE))


class _Column:
    """Checks of one mapped column; appends findings, returns the typed pandas Series."""

    def __init__(self, header, text, rows, findings, *, check_keys=True):
        self.header, self.text, self.rows, self.findings = header, text, rows, findings
        self.check_keys = check_keys
        self.present = ~_np(pc.is_null(text))
        self.status = None

    def report(self, severity, rule, mask, params=None, count=None):
        index = np.flatnonzero(mask)
        if not index.size:
            return
        values = self.text.take(pa.array(index[:5])).to_pylist()
        make = error if severity == "error" else warning
        self.findings.append(
            make(
                rule,
                self.header,
                count=index.size if count is None else count,
                rows=self.rows[index[:5]].tolist(),
                values=values,
                params=params or {},
            )
        )

    def run(self, descriptor: dict, kind: str, decimal: str, required: bool) -> pd.Series:
        constraints = descriptor.get("constraints") or {}
        formula = self.present & _formulas(self.text)
        self.report("error", "formula", formula)
        usable = self.present & ~formula
        if kind in ("integer", "number"):
            values, valid = self._measure(descriptor, kind, usable, decimal)
        else:
            converter = getattr(self, f"_as_{kind}", self._as_string)
            values, valid = converter(usable, decimal)
        if kind == "string" and descriptor.get("codeListMatch") and "enum" in constraints:
            values = match_code_list(values, [str(v) for v in constraints["enum"]])
        if required:
            self.report("error", "required", ~self.present)
        self._constraints(constraints, kind, values, valid)
        return values

    # -- types ---------------------------------------------------------------------------------
    def _as_string(self, usable, decimal):
        return _to_pandas(self.text, STRING_DTYPE), usable

    def _measure(self, descriptor, kind, usable, decimal):
        """Numbers in German notation; signs the schema accepts become the cell's status."""
        decimal = descriptor.get("decimalChar") or self._column_decimal() or decimal
        measure = notation.read_measure(
            pc.if_else(pa.array(usable), self.text, pa.scalar(None, self.text.type)),
            kind=kind,
            decimal=decimal,
            group=descriptor.get("groupChar"),
            percent=descriptor.get("bareNumber") is False or descriptor.get("unit") == "%",
            signs=tuple(descriptor.get("statusSigns") or ()),
        )
        rule = "type_integer" if kind == "integer" else "type_number"
        params = {} if kind == "integer" else {"decimal": decimal}
        self.report("error", rule, usable & measure.bad, params=params)
        limit = "9223372036854775807" if kind == "integer" else "1,8·10^308"
        self.report("error", "too_large", usable & measure.huge, params={"limit": limit})
        self.status = measure.status
        dtype = "Int64" if kind == "integer" else "float64"
        return _to_pandas(measure.values, dtype), usable & measure.ok

    def _column_decimal(self):
        sample = self.text.slice(0, 500).drop_null().to_pylist()
        return notation.column_decimal(sample)

    def _as_date(self, usable, decimal):
        # Dates repeat a lot (a Stichtag, birthdays): parse each distinct text once, then expand.
        encoded = pc.dictionary_encode(self.text.combine_chunks())
        distinct = encoded.dictionary
        position = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        german = _np(pc.match_substring_regex(distinct, DATE_DE))
        iso = _np(pc.match_substring_regex(distinct, DATE_ISO))
        parts = pc.extract_regex(distinct, DATE_DE)
        year = np.where(german, _digits(pc.struct_field(parts, "y")), _digits_at(distinct, 0, 4))
        month = np.where(german, _digits(pc.struct_field(parts, "m")), _digits_at(distinct, 5, 7))
        day = np.where(german, _digits(pc.struct_field(parts, "d")), _digits_at(distinct, 8, 10))
        days, possible = _calendar_days(year, month, day)
        # A date that does not exist (31.02.) or lies outside datetime64[ns] is invalid.
        distinct_good = (german | iso) & possible
        distinct_good &= (year >= YEAR_RANGE[0]) & (year <= YEAR_RANGE[1])

        known = position >= 0
        at = np.where(known, position, 0)
        ok = usable & known & (german | iso)[at] if len(distinct) else np.zeros_like(usable)
        self.report("error", "type_date", usable & ~ok)
        good = ok & distinct_good[at] if len(distinct) else ok
        self.report("error", "date_invalid", ok & ~good)
        values = np.full(len(position), np.datetime64("NaT"), dtype="datetime64[ns]")
        if len(distinct):
            values[good] = days[at[good]]
        return pd.Series(values, dtype="datetime64[ns]"), good

    def _as_boolean(self, usable, decimal):
        lower = pc.utf8_lower(self.text)
        true = _np(pc.is_in(lower, value_set=pa.array(TRUE_WORDS, pa.large_string())))
        false = _np(pc.is_in(lower, value_set=pa.array(FALSE_WORDS, pa.large_string())))
        ok = usable & (true | false)
        self.report("error", "type_boolean", usable & ~ok)
        values = pd.Series(pd.array([None] * len(true), dtype="boolean"))
        values[true & usable] = True
        values[false & usable] = False
        return values, ok

    # -- constraints ---------------------------------------------------------------------------
    def _constraints(self, constraints: dict, kind: str, values: pd.Series, valid: np.ndarray):
        if constraints.get("unique") and self.check_keys:
            duplicated = valid & values.duplicated(keep=False).to_numpy(dtype=bool)
            self.report("error", "unique", duplicated)
        for key, rule in (("minimum", "minimum"), ("maximum", "maximum")):
            if key not in constraints or kind not in ("integer", "number", "date"):
                continue
            bound = parse_bound(kind, constraints[key])
            if bound is None:
                continue
            limit = pd.Timestamp(bound) if kind == "date" else bound
            compare = values < limit if key == "minimum" else values > limit
            shown = bound.strftime("%d.%m.%Y") if kind == "date" else _german_number(bound)
            outside = valid & np.asarray(compare.fillna(False), dtype=bool)
            self.report("error", rule, outside, params={key: shown})
        if "enum" in constraints:
            allowed = _enum_values(kind, constraints["enum"])
            inside = values.isin(allowed).fillna(False).to_numpy(dtype=bool)
            shown = ", ".join(str(v) for v in constraints["enum"][:20])
            self.report("error", "enum", valid & ~inside, params={"allowed": shown})
        if "pattern" in constraints:
            pattern = constraints["pattern"]
            try:
                matched = _matches(self.text, f"^(?:{pattern})$")
            except pa.ArrowInvalid:  # RE2 lacks some Python syntax (look-arounds)
                as_object = pd.Series(self.text.to_pylist(), dtype=object)
                matched = as_object.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
            self.report("error", "pattern", self.present & ~matched, params={"pattern": pattern})


def _digits(text) -> np.ndarray:
    """Whole numbers of a column of digit strings (0 where a cell has none)."""
    numbers = pc.cast(pc.if_else(pc.is_null(text), "0", text), pa.int64(), safe=False)
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.int64)


def _digits_at(text, start: int, stop: int) -> np.ndarray:
    piece = pc.utf8_slice_codeunits(text, start, stop)
    digits = _np(pc.match_substring_regex(piece, r"^\d+$"))
    return np.where(digits, _digits(pc.if_else(pa.array(digits), piece, "0")), 0)


def _calendar_days(year: np.ndarray, month: np.ndarray, day: np.ndarray):
    """Days since 1970 of each (year, month, day) and whether that day exists."""
    in_months = (month >= 1) & (month <= 12)
    y = np.clip(year, YEAR_RANGE[0], YEAR_RANGE[1])
    m = np.where(in_months, month, 1)
    first = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int)
    possible = in_months & (day >= 1) & (day <= length)
    days = first.astype("datetime64[D]") + np.where(possible, day - 1, 0)
    return days.astype("datetime64[ns]"), possible


def _enum_values(kind: str, enum: list) -> list:
    converted = []
    for value in enum:
        try:
            if kind == "integer":
                converted.append(int(value))
            elif kind == "number":
                converted.append(float(value))
            elif kind == "date":
                converted.append(pd.Timestamp(value))
            else:
                converted.append(str(value))
        except (TypeError, ValueError):
            continue
    return converted


def _german_number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,}".replace(",", "\u202f").replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def _check_primary_key(frame, schema, mapping, raw_by_field, rows, findings):
    key = [k for k in primary_key(schema) if k in mapping.columns]
    if not key or len(key) != len(primary_key(schema)):
        return
    if len(key) == 1:
        descriptor = next(d for d in fields(schema) if d["name"] == key[0])
        if (descriptor.get("constraints") or {}).get("unique"):
            return  # already reported as "unique"
    subset = frame[key]
    complete = subset.notna().all(axis=1).to_numpy()
    duplicated = complete & subset.duplicated(keep=False).to_numpy(dtype=bool)
    index = np.flatnonzero(duplicated)
    if not index.size:
        return
    values = [" / ".join(str(raw_by_field[k][int(i)].as_py()) for k in key) for i in index[:5]]
    headers = ", ".join(mapping.columns[k] for k in key)
    findings.append(
        error(
            "primary_key",
            headers,
            count=index.size,
            rows=rows[index[:5]].tolist(),
            values=values,
            params={"fields": ", ".join(key)},
        )
    )
