"""Reads of microdata for the browser of granted statisticians: pages, summaries, version
comparison, export. Runs only with the sealed credentials; every caller checks the grant
(statistics_office.access) and writes the audit entry first.
"""

import datetime
from dataclasses import dataclass

from django.db import connections
from django.utils.translation import gettext_lazy as _

from bif.db_router import SEALED_ALIAS
from departments.importing.notation import status_name

from .models import MicrodataVersion

# What each status sign means (Zeichenerklärung of Destatis and the Länder offices).
SIGN_MEANINGS = {
    "-": _("nichts vorhanden (genau null)"),
    ".": _("Zahlenwert unbekannt oder geheim zu halten"),
    "x": _("Tabellenfach gesperrt, weil Aussage nicht sinnvoll"),
    "/": _("keine Angabe, da Zahlenwert nicht sicher genug"),
    "...": _("Angabe fällt später an"),
    "0": _("weniger als die Hälfte von 1 in der letzten besetzten Stelle, jedoch mehr als nichts"),
}

OPERATORS = {
    "eq": "=",
    "ne": "<>",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "contains": "LIKE",
}


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class Signed:
    """A measure's value with the status its sign gave it (None: an ordinary number)."""

    value: object
    status: str | None

    @property
    def sign(self) -> str:
        return "–" if self.status == "-" else (self.status or "")

    @property
    def meaning(self) -> str:
        return str(SIGN_MEANINGS.get(self.status, ""))

    def __str__(self):
        if self.status is None:
            return "" if self.value is None else str(self.value)
        return self.sign if self.value is None else f"{self.value} {self.sign}"


def status_fields(version) -> dict[str, str]:
    """{measure: its status column's field} of a sealed version (``<field>__status``)."""
    return {f: status_name(f) for f in version.columns if status_name(f) in version.columns}


def shown_fields(version) -> list[str]:
    """The version's fields as a statistician reads them: a status column is not a field of
    its own but the status of its measure."""
    statuses = set(status_fields(version).values())
    return [f for f in version.columns if f not in statuses]


def _q(name):
    return connections[SEALED_ALIAS].ops.quote_name(name)


def _value(kind, raw):
    raw = (raw or "").strip()
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw.replace(".", "").replace(",", ".") if "," in raw else raw)
        if kind == "date":
            if "." in raw:
                return datetime.datetime.strptime(raw, "%d.%m.%Y").date()
            return datetime.date.fromisoformat(raw)
        if kind == "boolean":
            return raw.lower() in {"1", "ja", "true", "wahr", "x"}
    except ValueError:
        raise FilterError(raw)
    return raw


def where_clause(version, filters):
    """SQL and parameters for [(field, operator, value)]; unknown fields are refused."""
    parts, params = [], []
    for field, operator, raw in filters:
        if field not in version.columns or operator not in OPERATORS:
            raise FilterError(field)
        column = _q(version.columns[field])
        if operator == "contains":
            parts.append(f"CAST({column} AS TEXT) LIKE %s")
            params.append(f"%{raw}%")
        else:
            parts.append(f"{column} {OPERATORS[operator]} %s")
            params.append(_value(version.field_types.get(field, "string"), raw))
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def page(version, *, filters=(), number=1, size=50, order_by=None):
    """One page of records (schema field order, status columns folded into their measures as
    Signed values) and the filtered total."""
    where, params = where_clause(version, filters)
    fields = shown_fields(version)
    statuses = status_fields(version)
    selected = fields + status_columns(fields, statuses)
    columns = ", ".join(_q(version.columns[f]) for f in selected)
    order = _q(version.columns[order_by if order_by in fields else fields[0]])
    with connections[SEALED_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_q(version.table_name)}{where}", params)
        total = cursor.fetchone()[0]
        offset = max(number - 1, 0) * size
        cursor.execute(
            f"SELECT {columns} FROM {_q(version.table_name)}{where} ORDER BY {order} "
            f"LIMIT {int(size)} OFFSET {int(offset)}",
            params,
        )
        rows = [_fold_statuses(row, fields, statuses) for row in cursor.fetchall()]
    return fields, rows, total


def status_columns(fields, statuses):
    return [statuses[f] for f in fields if f in statuses]


def _fold_statuses(row, fields, statuses):
    """A page row (at most one page, never a whole table) with each status beside its value."""
    if not statuses:
        return row
    status_of = dict(zip(status_columns(fields, statuses), row[len(fields) :], strict=True))
    return tuple(
        Signed(value, status_of[statuses[f]]) if f in statuses else value
        for f, value in zip(fields, row[: len(fields)], strict=True)
    )


def summaries(version):
    """Per field: filled values, missing values, distinct values, minimum and maximum."""
    parts = []
    fields = shown_fields(version)
    for field in fields:
        c = _q(version.columns[field])
        parts.append(f"COUNT({c}), COUNT(*) - COUNT({c}), COUNT(DISTINCT {c}), MIN({c}), MAX({c})")
    with connections[SEALED_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)} FROM {_q(version.table_name)}")
        row = cursor.fetchone()
    result = []
    for i, field in enumerate(fields):
        filled, missing, distinct, low, high = row[i * 5 : i * 5 + 5]
        result.append(
            {
                "field": field,
                "type": version.field_types.get(field, "string"),
                "filled": filled,
                "missing": missing,
                "distinct": distinct,
                "min": low,
                "max": high,
            }
        )
    return result


def compare(old, new, key_field):
    """Records only in the old version, only in the new one, and in both (by the key)."""
    if key_field not in old.columns or key_field not in new.columns:
        return None
    a, b = _q(old.columns[key_field]), _q(new.columns[key_field])
    told, tnew = _q(old.table_name), _q(new.table_name)
    with connections[SEALED_ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {told} o "
            f"WHERE EXISTS (SELECT 1 FROM {tnew} n WHERE n.{b} = o.{a})"
        )
        both = cursor.fetchone()[0]
    return {
        "old_rows": old.row_count,
        "new_rows": new.row_count,
        "in_both": both,
        "removed": old.row_count - both,
        "added": new.row_count - both,
    }


def export_rows(version, *, filters=(), batch=5000):
    """All (filtered) records in batches, for a streamed export."""
    where, params = where_clause(version, filters)
    fields = list(version.columns)
    columns = ", ".join(_q(version.columns[f]) for f in fields)
    with connections[SEALED_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {_q(version.table_name)}{where}", params)
        while rows := cursor.fetchmany(batch):
            yield from rows


def versions_of(source_id):
    return MicrodataVersion.objects.filter(source_id=source_id).order_by("-created_at")
