"""The table builder's rules on a query, without the database: what the catalogue allows,
filter isolation, the population a filter must leave, and related queries (the office's
list of unusual patterns). The cell key method and the sparsity rule are the tables'
own (statistics_office.tables.protection), so a builder cell equals a published one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _


class Refused(ValueError):
    """A query the builder does not answer; ``code`` is a BuilderQuery.Refusal value."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Resolved:
    """A query in the tables' terms: dimension specs and filters on fields."""

    dimensions: list
    filters: list
    keys: list  # item keys of the dimensions, rows first


def _items(catalogue_items):
    return {item["key"]: item for item in catalogue_items}


def resolve(spec, *, items, max_dimensions, excluded_combinations):
    """Check a query against the catalogue and translate it into table dimensions."""
    by_key = _items(items)
    if not isinstance(spec, dict):
        raise Refused("catalogue", _("Die Abfrage ist unvollständig."))
    rows, columns = list(spec.get("rows") or []), list(spec.get("columns") or [])
    keys = rows + columns
    if not keys:
        raise Refused(
            "catalogue", _("Bitte mindestens ein Merkmal für Zeilen oder Spalten wählen.")
        )
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise Refused(
            "catalogue",
            _("„%(key)s“ bietet der Katalog dieser Datenquelle nicht an.") % {"key": unknown[0]},
        )
    if len(set(keys)) != len(keys):
        raise Refused("catalogue", _("Jedes Merkmal darf nur einmal vorkommen."))
    if len(keys) > max_dimensions:
        raise Refused(
            "catalogue",
            _("Höchstens %(n)d Merkmale je Tabelle; bitte eines weglassen.")
            % {"n": max_dimensions},
        )
    groups = [by_key[k].get("group") or by_key[k]["dimension"]["field"] for k in keys]
    if len(set(groups)) != len(groups):
        raise Refused(
            "catalogue",
            _(
                "Zwei Gliederungen desselben Merkmals („%(label)s“) lassen sich nicht "
                "kombinieren; bitte eine wählen."
            )
            % {"label": by_key[keys[[groups.count(g) > 1 for g in groups].index(True)]]["label"]},
        )
    chosen = set(keys)
    filters = []
    for flt in spec.get("filters") or []:
        key = flt.get("item") if isinstance(flt, dict) else None
        item = by_key.get(key)
        if item is None or not item.get("filter"):
            raise Refused("catalogue", _("Nach „%(key)s“ lässt sich nicht filtern.") % {"key": key})
        values = [str(v) for v in (flt.get("values") or [])]
        if not values:
            raise Refused(
                "catalogue",
                _("Filter „%(label)s“: bitte mindestens einen Wert wählen.")
                % {"label": item["label"]},
            )
        if key in chosen:
            raise Refused(
                "catalogue",
                _("„%(label)s“ ist schon Merkmal der Tabelle und kann nicht zugleich Filter sein.")
                % {"label": item["label"]},
            )
        chosen.add(key)
        filters.append({"field": item["dimension"]["field"], "op": "in", "values": values})
    for combination in excluded_combinations or []:
        if set(combination) <= chosen:
            labels = " und ".join(by_key[k]["label"] for k in combination if k in by_key)
            raise Refused(
                "catalogue",
                _("Die Kombination %(labels)s ist im Tabellenbaukasten ausgeschlossen.")
                % {"labels": labels},
            )
    dimensions = [{**by_key[k]["dimension"], "label": by_key[k]["label"]} for k in keys]
    return Resolved(dimensions=dimensions, filters=filters, keys=keys)


def check_catalogue(items, excluded_combinations, fields):
    """The office's catalogue before it is kept: keys unique, every item on a field of the
    source, exclusions naming offered items. Returns the messages (empty: it may be kept)."""
    problems = []
    keys = [item["key"] for item in items]
    doubled = sorted({k for k in keys if keys.count(k) > 1})
    if doubled:
        problems.append(
            _("Die Kennung „%(key)s“ kommt mehrfach vor; jede Kennung nur einmal.")
            % {"key": doubled[0]}
        )
    for item in items:
        field = item["dimension"]["field"]
        if field not in fields:
            problems.append(
                _("Merkmal „%(label)s“: das Feld „%(field)s“ hat die Datenquelle nicht.")
                % {"label": item["label"], "field": field}
            )
    for combination in excluded_combinations:
        unknown = [k for k in combination if k not in keys]
        if unknown:
            problems.append(
                _("Ausgeschlossene Kombination: „%(key)s“ ist kein Merkmal des Katalogs.")
                % {"key": unknown[0]}
            )
        elif len(set(combination)) < 2:
            problems.append(_("Eine ausgeschlossene Kombination nennt mindestens zwei Merkmale."))
    return problems


def isolation(filtered_n, unfiltered_n, threshold):
    """Filter isolation: the records a filter removes from a cell, if there are any, must be
    at least ``threshold``; otherwise the difference to the unfiltered table (which anyone
    can ask for) would single them out. Returns the number of offending cells."""
    removed = np.asarray(unfiltered_n, dtype=np.int64) - np.asarray(filtered_n, dtype=np.int64)
    return int(((removed > 0) & (removed < threshold)).sum())


def refuse_isolation(offending):
    if offending:
        raise Refused(
            "isolation",
            _(
                "Der Filter grenzt in %(n)d Feldern weniger Fälle aus, als die Geheimhaltung "
                "erlaubt; die Tabelle ließe sich mit der ungefilterten vergleichen. Bitte den "
                "Filter weiter fassen oder weglassen."
            )
            % {"n": offending},
        )


def refuse_small_population(total, minimum):
    if total < minimum:
        raise Refused(
            "population",
            _(
                "Nach den Filtern bleiben zu wenige Fälle für eine Auswertung (mindestens "
                "%(min)d). Bitte die Filter weiter fassen."
            )
            % {"min": minimum},
        )


def refuse_size(cells, maximum):
    if cells > maximum:
        raise Refused(
            "size",
            _(
                "Die Tabelle hätte %(n)d Felder, erlaubt sind %(max)d. Bitte weniger oder "
                "gröbere Merkmale wählen."
            )
            % {"n": cells, "max": maximum},
        )


def _dims(spec):
    return frozenset([*(spec.get("rows") or []), *(spec.get("columns") or [])])


def shape(spec):
    """What stays the same between queries that differ only in filter values (rows and
    columns swapped are the same table)."""
    filters = tuple(sorted(f.get("item", "") for f in spec.get("filters") or []))
    return (tuple(sorted(_dims(spec))), filters)


def _filter_values(spec):
    return {
        f.get("item", ""): frozenset(str(v) for v in f.get("values") or [])
        for f in spec.get("filters") or []
    }


def differ_by_one_category(a, b):
    """Two queries of one shape whose filters differ by exactly one category."""
    if shape(a) != shape(b):
        return False
    va, vb = _filter_values(a), _filter_values(b)
    return sum(len(va[k] ^ vb[k]) for k in va) == 1


def related_pairs(specs):
    """How many pairs of the given queries differ by exactly one filter category."""
    by_shape = {}
    for spec in specs:
        by_shape.setdefault(shape(spec), []).append(spec)
    return sum(
        differ_by_one_category(a, b)
        for group in by_shape.values()
        for a, b in itertools.combinations(group, 2)
    )


def related(a, b):
    """Queries whose answers differ by few records, the raw material of averaging:

    - one table whose filters differ but share a category in every filter (``{Y, Z1}``
      and ``{Y, Z2}``, or ``{Y, Z}`` and ``{Y}``);
    - a filtered table and one that shows the filter's field as a dimension over the
      same other dimensions: it already holds every category of the filter on its own.
    """
    if shape(a) == shape(b) and (a.get("filters") or []):
        va, vb = _filter_values(a), _filter_values(b)
        return va != vb and all(va[k] & vb[k] for k in va)
    return _broken_down(a, b) or _broken_down(b, a)


def _broken_down(filtered, table):
    """``table`` shows ``filtered``'s cells by the categories of one of its filters."""
    filters = _filter_values(filtered)
    if not filters or (table.get("filters") or []):
        return False
    return any(
        item in _dims(table) and _dims(filtered) <= _dims(table) - {item} for item in filters
    )
