"""Protect a new table together with everything already published from the same records.

Runs in the sealed worker, per data version of a source: the publications computed from that
version (withdrawn and superseded ones too, since what was out is known) and the new table
are expressed over common atoms (:mod:`.atoms`), and
:mod:`statistics_office.disclosure.joint` keeps every primary cell of every table, every small
atom and every small difference of two nested cells from being pinned down, by suppressing
further cells of the new table only. Cells whose record set equals a published cell's take
that cell's value and status. The cell key method needs no LP (its noise is consistent) but
refuses a table whose cells differ from published ones by a few records, and tables whose
small cells dominate.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from scipy import sparse

from statistics_office.disclosure import joint

from . import aggregation, protection, ptables
from . import atoms as atom_sql
from . import linked_pattern as pattern
from .linked_pattern import LinkedTableError
from .models import PublishedTable

TIME_DIMENSION = "Stichtag"
SOURCE_DIMENSION = "Datenquelle"
SPEC_FIELDS = ("dimensions", "filters", "measure", "measure_field", "method", "parameters")


def spec_of(definition):
    """The parts of a definition that decide its cells, as stored with each computation."""
    return {name: copy.deepcopy(getattr(definition, name)) for name in SPEC_FIELDS}


def for_source(definition, source):
    """The definition as it applies to one source: a dimension may name the field per source
    ({"field": "Stadtteil", "fields": {"kita": "Wohnort Stadtteil"}}), a filter may be
    limited to one source ({"source": "einwohner", ...})."""
    adjusted = copy.copy(definition)
    adjusted.dimensions = [
        {
            **dim,
            "field": (dim.get("fields") or {}).get(source.slug, dim["field"]),
            # The same dimension name in every source, whatever the field is called there.
            "label": aggregation.dimension_name(dim),
        }
        for dim in definition.dimensions
    ]
    adjusted.filters = [
        flt for flt in definition.filters or [] if flt.get("source") in (None, "", source.slug)
    ]
    return adjusted


def family(measure, measure_field):
    """Tables that share a linear system: counts, or amounts of one field (a mean reveals
    its sum wherever the count is known, so means count as sums)."""
    return ("count",) if measure == "count" else ("amount", measure_field)


def published_on(source, version):
    """Every publication computed from this version of the source, oldest first."""
    run = version.import_run_id
    publications = (
        PublishedTable.objects.filter(definition__sources=source)
        .select_related("computation", "definition")
        .distinct()
        .order_by("pk")
    )
    return [p for p in publications if run in (p.import_run_ids or p.computation.import_run_ids)]


def _part(records, source, version):
    """The records of one source and version in a publication's cells."""
    stamp = version.reference_date.isoformat() if version.reference_date else ""
    if records and TIME_DIMENSION in records[0]:
        records = [r for r in records if r.get(TIME_DIMENSION) == stamp]
    if records and SOURCE_DIMENSION in records[0]:
        records = [r for r in records if r.get(SOURCE_DIMENSION) == source.slug]
    return records


@dataclass
class _Table:
    label: str
    applied: object
    params: dict
    publication: PublishedTable | None = None
    records: dict = field(default_factory=dict)  # codes -> published cell record
    reasons: dict = field(default_factory=dict)  # codes -> reason at computation


def _published_table(publication, source, version):
    spec = publication.spec or publication.computation.spec or spec_of(publication.definition)
    like = SimpleNamespace(**{name: spec.get(name) for name in SPEC_FIELDS})
    like.filters = like.filters or []
    applied = for_source(like, source)
    names = [aggregation.dimension_name(d) for d in applied.dimensions]
    table = _Table(
        label=f"„{publication.title}“ (Version {publication.version})",
        applied=applied,
        params=protection.parameters(ptables.resolve(spec.get("parameters"))),
        publication=publication,
    )
    for record in _part(publication.cells, source, version):
        table.records[tuple(str(record[n]) for n in names)] = record
    for record in _part(publication.computation.cells, source, version):
        table.reasons[tuple(str(record[n]) for n in names)] = record.get("reason") or ""
    return table


def _limits():
    return (
        int(getattr(settings, "BIF_JOINT_MAX_ATOMS", joint.MAX_ATOMS)),
        int(getattr(settings, "BIF_JOINT_MAX_TABLES", 40)),
    )


def protect_with_published(definition, applied, source, version, cells, dims, result):
    """``result`` (the table protected alone) protected jointly with the publications of
    ``source`` on ``version``. Returns the updated :class:`protection.Protected`."""
    mine = family(definition.measure, definition.measure_field)
    publications = [
        p for p in published_on(source, version) if family(p.measure, _field(p)) == mine
    ]
    result.stats["joint"] = {"published_tables": 0, "publication_ids": []}
    if not publications:
        return result
    max_atoms, max_tables = _limits()
    if len(publications) + 1 > max_tables:
        raise LinkedTableError(
            _(
                "Aus diesem Datenstand sind schon %(n)d Tabellen veröffentlicht; gemeinsam "
                "geprüft werden höchstens %(max)d. Bitte ältere Tabellen neu zuschneiden oder "
                "einen neuen Datenstand abwarten."
            )
            % {"n": len(publications), "max": max_tables - 1}
        )
    own = protection.parameters(ptables.resolve(definition.parameters))
    tables = [_Table(_("diese Tabelle"), applied, own)]
    tables += [_published_table(p, source, version) for p in publications]
    system = _System.build(tables, version, definition, cells, dims, max_atoms)
    if definition.method == protection.CELLKEY:
        pattern.refuse_small_differences(system, tables)
    outcome = pattern.jointly(system, tables, definition, cells, dims, result)
    outcome.stats["joint"].update(
        published_tables=len(publications),
        publication_ids=[p.pk for p in publications],
        atoms=int(system.atoms.shape[0]),
    )
    return outcome


def _field(publication):
    spec = publication.spec or publication.computation.spec or {}
    return spec.get("measure_field") or publication.definition.measure_field


@dataclass
class _System:
    atoms: object  # DataFrame
    matrix: sparse.csr_array  # all cells of all tables × atoms
    table_of: np.ndarray  # table index per row
    codes: list  # codes tuple per row
    values: np.ndarray  # true value per row
    new_rows: dict  # codes -> row, for the new table

    @classmethod
    def build(cls, tables, version, definition, cells, dims, max_atoms):
        measure_field = definition.measure_field if definition.measure != "count" else None
        try:
            atoms, plans = atom_sql.atom_table(
                version,
                [t.applied for t in tables],
                measure_field=measure_field,
                max_atoms=max_atoms,
            )
        except joint.JointProtectionError as exc:
            raise LinkedTableError(str(exc)) from exc
        blocks, table_of, codes = [], [], []
        for t, table in enumerate(tables):
            bottom, named, member = atom_sql.table_codes(atoms, plans, t)
            table_dims = (
                dims
                if t == 0
                else aggregation.dimensions(plans[t], bottom, table.applied.dimensions)
            )
            table_cells, matrix = joint.membership(named, table_dims, member)
            blocks.append(matrix)
            table_of.extend([t] * matrix.shape[0])
            codes.extend(tuple(map(str, row)) for row in table_cells.itertuples(index=False))
        matrix = sparse.csr_array(sparse.vstack(blocks))
        table_of = np.array(table_of)
        values = matrix @ atoms["value"].to_numpy(dtype=float)
        new_rows = {codes[r]: r for r in np.flatnonzero(table_of == 0)}
        return cls(atoms, matrix, table_of, codes, values, new_rows)

    def frame_rows(self, cells, dims):
        """For each row of the new table's frame, its row in the system (or -1: no atoms)."""
        names = [d.name for d in dims]
        keys = cells[names].astype(str).itertuples(index=False, name=None)
        return np.array([self.new_rows.get(tuple(k), -1) for k in keys])
