"""Findings: what the import pipeline reports to the analyst, as plain data (no Django)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

ERROR = "error"
WARNING = "warning"

MAX_EXAMPLES = 5
MAX_VALUE_CHARS = 50

# Every rule code the pipeline can emit; messages.describe() has a sentence for each.
RULES: tuple[str, ...] = (
    # reading
    "file_too_large",
    "empty_file",
    "header_only",
    "binary_file",
    "encoding_unknown",
    "single_column",
    "line_too_long",
    "ragged_row",
    "column_duplicate",
    "column_unnamed",
    "xls_legacy",
    "encrypted",
    "xlsx_invalid",
    "zip_bomb",
    "sheet_missing",
    "csv_invalid",
    "xlsx_doctype",
    "xlsx_limit",
    "xlsx_memory",
    "xlsx_timeout",
    "xlsx_formula",
    "xlsx_external_link",
    "xlsx_macro",
    # mapping and validation
    "column_missing",
    "column_extra",
    "required",
    "unique",
    "primary_key",
    "type_integer",
    "type_number",
    "type_date",
    "type_boolean",
    "too_large",
    "date_invalid",
    "minimum",
    "maximum",
    "enum",
    "pattern",
    "formula",
    # plausibility
    "rowcount_change",
    "category_new",
    "category_vanished",
    "share_shift",
    "reference_date_older",
    "duplicate_records",
    "cross_source_above",
    # consistency inside a file, and values across sources
    "total_not_sum",
    "part_above_total",
    "partition_mismatch",
    "cross_source_differs",
    "nothing_mapped",
    # area assignment (statistics_office/intake/areas.py)
    "area_unassigned",
    "address_unmatched",
    "coordinates_deleted",
)


@dataclass(frozen=True)
class Finding:
    severity: str
    rule: str
    column: str | None = None
    count: int = 1
    rows: tuple[int, ...] = ()
    values: tuple[str, ...] = ()
    params: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "column": self.column,
            "count": self.count,
            "rows": list(self.rows),
            "values": list(self.values),
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(
            severity=data["severity"],
            rule=data["rule"],
            column=data.get("column"),
            count=int(data.get("count", 1)),
            rows=tuple(int(r) for r in data.get("rows", ())),
            values=tuple(data.get("values", ())),
            params=dict(data.get("params", {})),
        )


def finding(
    severity: str,
    rule: str,
    column: str | None = None,
    *,
    count: int = 1,
    rows: Iterable = (),
    values: Iterable = (),
    params: dict | None = None,
) -> Finding:
    """Build a Finding, keeping only the first few examples and shortening long values."""
    if rule not in RULES:
        raise ValueError(f"unknown rule code {rule!r}")
    return Finding(
        severity=severity,
        rule=rule,
        column=column,
        count=int(count),
        rows=tuple(int(r) for r in list(rows)[:MAX_EXAMPLES]),
        values=tuple(_short(v) for v in list(values)[:MAX_EXAMPLES]),
        params=dict(params or {}),
    )


def error(rule: str, column: str | None = None, **kwargs) -> Finding:
    return finding(ERROR, rule, column, **kwargs)


def warning(rule: str, column: str | None = None, **kwargs) -> Finding:
    return finding(WARNING, rule, column, **kwargs)


def to_stored(finding: Finding) -> dict:
    """The finding as the run keeps it (JSON): plain values, and who may read it.

    Params starting with "_" steer the pipeline and are not stored; "_audience" becomes the
    finding's audience ("office" for cross-source findings, which quote other sources).
    """
    audience = (finding.params or {}).get("_audience", "department")
    data = asdict(finding)
    data["rows"] = [int(r) for r in finding.rows]
    data["values"] = list(finding.values)
    data["params"] = {
        k: _jsonable(v) for k, v in (finding.params or {}).items() if not k.startswith("_")
    }
    data["audience"] = audience
    return data


def from_stored(data: dict) -> Finding:
    """A finding back from a run's stored findings (for its sentence in messages.describe)."""
    return Finding(
        severity=data["severity"],
        rule=data["rule"],
        column=data.get("column"),
        count=data.get("count", 1),
        rows=tuple(data.get("rows", ())),
        values=tuple(data.get("values", ())),
        params=data.get("params", {}),
    )


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def _short(value) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_VALUE_CHARS:
        return text[: MAX_VALUE_CHARS - 1] + "…"
    return text


class ReadError(Exception):
    """A file cannot be read at all; ``finding`` says why, for the analyst."""

    def __init__(self, finding: Finding):
        super().__init__(f"{finding.rule}: {finding.column or ''} {finding.params or ''}".strip())
        self.finding = finding
