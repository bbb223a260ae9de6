"""Define, compute, review and publish tables: the one way in for views, API, tasks, commands.

Computing needs the sealed database and runs in the statistics office's worker; everything
else touches only the portal's database, and only protected cells ever reach it.
"""

import logging
import time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bif import audit, jobs, roles
from departments.importing.notation import is_status_name
from statistics_office import access

from . import aggregation, gebietsstand, linked, origin, protection, ptables
from .checks import TableError
from .checks import require as _require
from .linked import SOURCE_DIMENSION, TIME_DIMENSION, for_source
from .models import TableComputation, TableDefinition

log = logging.getLogger(__name__)
Status = TableComputation.Status
DECIMALS = {"count": 0, "sum": 2, "mean": 1}
# A table over several sources shows them side by side (e.g. children vs Kita contracts per
# Stadtteil, SOURCE_DIMENSION); each source's part is protected on its own, there is no total
# across sources. A time series (TIME_DIMENSION) protects each reference date on its own.


# --- Definitions -----------------------------------------------------------------------


def validate_spec(*, dimensions, filters, measure, measure_field, method):
    """Structural checks that need no data; field names are checked when computing."""
    if not isinstance(dimensions, list) or not dimensions:
        raise TableError(_("Bitte mindestens ein Merkmal (Dimension) angeben."))
    if len(dimensions) > 4:
        raise TableError(_("Höchstens vier Merkmale je Tabelle."))
    for dim in dimensions:
        if not isinstance(dim, dict) or not dim.get("field"):
            raise TableError(_("Jedes Merkmal braucht ein Feld („field“)."))
        kind = dim.get("kind", "code")
        if kind not in aggregation.KINDS:
            raise TableError(_("Unbekannte Art des Merkmals: „%(kind)s“.") % {"kind": kind})
        if kind == "age_band":
            bands = dim.get("bands", "5y")
            if isinstance(bands, str) and not aggregation.known_age_bands(bands):
                raise TableError(
                    _(
                        "Altersgruppen: „5y“, „5y95“, „planning“, eine Altersgruppen-"
                        "Klassifikation oder eigene angeben."
                    )
                )
            if not isinstance(bands, str):
                try:
                    aggregation.own_age_bands(bands)
                except aggregation.DefinitionError as exc:
                    raise TableError(str(exc)) from exc
        if kind == "hierarchy" and not aggregation.known_hierarchy(dim.get("hierarchy")):
            raise TableError(_("Unbekannte Hierarchie: „%(h)s“.") % {"h": dim.get("hierarchy")})
    if not isinstance(filters, list):
        raise TableError(_("Filter müssen eine Liste sein."))
    for flt in filters:
        if not isinstance(flt, dict) or not flt.get("field"):
            raise TableError(_("Jeder Filter braucht ein Feld („field“)."))
        if flt.get("op") not in aggregation.FILTER_OPS:
            raise TableError(
                _("Unbekannter Vergleich im Filter: „%(op)s“.") % {"op": flt.get("op")}
            )
    if measure not in TableDefinition.Measure.values:
        raise TableError(_("Kennzahl: Anzahl, Summe oder Mittelwert."))
    if measure != "count" and not measure_field:
        raise TableError(_("Für Summe und Mittelwert bitte das Feld der Kennzahl angeben."))
    if method not in TableDefinition.Method.values:
        raise TableError(_("Unbekanntes Geheimhaltungsverfahren."))
    if method == "cellkey" and measure != "count":
        raise TableError(
            _("Das Cell-Key-Verfahren ist nur für Fallzahlen umgesetzt; bitte Zellsperrung wählen.")
        )
    status = next(
        (n for n in _named_fields(dimensions, filters, measure_field) if is_status_name(n)), ""
    )
    if status:
        raise TableError(
            _(
                "„%(field)s“ ist kein Feld, sondern der Status (das Zeichen) der Kennzahl "
                "„%(measure)s“; bitte die Kennzahl selbst wählen."
            )
            % {"field": status, "measure": status[: -len("__status")]}
        )


def _named_fields(dimensions, filters, measure_field):
    """Every field name a definition mentions (also per source, "fields": {slug: name})."""
    for item in [*dimensions, *filters]:
        yield item.get("field")
        yield from (item.get("fields") or {}).values()
    yield measure_field


def save_definition(*, user, sources, definition=None, **fields):
    """Create or update a table definition; needs DEFINE_TABLES on every source."""
    sources = list(sources)
    if not sources:
        raise TableError(_("Bitte eine Datenquelle wählen."))
    if not roles.has_role(user, roles.STATISTICIAN):
        raise PermissionDenied(_("Tabellen definiert nur die Statistikstelle."))
    _require(user, access.DEFINE_TABLES, sources, obj=definition)
    if definition is not None:
        _require(user, access.DEFINE_TABLES, list(definition.sources.all()), obj=definition)
    values = {
        "dimensions": fields.get("dimensions", getattr(definition, "dimensions", [])),
        "filters": fields.get("filters", getattr(definition, "filters", [])) or [],
        "measure": fields.get("measure", getattr(definition, "measure", "count")),
        "measure_field": fields.get("measure_field", getattr(definition, "measure_field", "")),
        "method": fields.get("method", getattr(definition, "method", "suppression")),
    }
    validate_spec(**values)
    with transaction.atomic():
        if definition is None:
            title = fields.get("title") or ""
            if not title:
                raise TableError(_("Bitte einen Titel angeben."))
            definition = TableDefinition(created_by=user)
            fields.setdefault("slug", slugify(title)[:80])
        for name, value in fields.items():
            setattr(definition, name, value)
        definition.filters = values["filters"]
        definition.full_clean(exclude=["sources", "created_by"])
        definition.save()
        definition.sources.set(sources)
    return definition


# --- Computing ---------------------------------------------------------------------------


def request_computation(definition, user, *, automatic=False):
    """Queue a computation (a job row, then the sealed worker's task)."""
    sources = list(definition.sources.all())
    if not automatic:
        if not roles.has_role(user, roles.STATISTICIAN):
            raise PermissionDenied(_("Tabellen berechnet nur die Statistikstelle."))
        _require(user, access.DEFINE_TABLES, sources, obj=definition)
    computation = TableComputation.objects.create(
        definition=definition, computed_by=user, automatic=automatic
    )
    transaction.on_commit(lambda: _send(computation.pk))
    return computation


def _send(computation_id):
    def not_queued(error):
        # A computation that was never sent must not wait as "queued" for ever.
        jobs.finish(
            TableComputation,
            computation_id,
            Status.FAILED,
            progress=100,
            message=_(
                "Die Berechnung konnte nicht gestartet werden, weil der Verarbeitungsdienst "
                "gerade nicht erreichbar ist. Bitte starten Sie sie in einigen Minuten erneut."
            ),
        )

    jobs.enqueue(
        "statistics_office.tables.compute_table", computation_id, on_unavailable=not_queued
    )


def claim(computation_id):
    return jobs.claim(
        TableComputation,
        computation_id,
        claimable=[Status.QUEUED, Status.RUNNING],
        running=Status.RUNNING,
        progress=1,
    )


def _progress(computation_id, progress):
    jobs.progress(TableComputation, computation_id, progress)


def fail_stale_computations(max_silence_seconds=None):
    """Computations whose worker died (no sign of life for a while) end as failed; the
    table can be computed again. A computation writes nothing until it has finished."""
    from django.conf import settings

    silence = max_silence_seconds
    if silence is None:
        silence = settings.TABLE_STALE_SECONDS
    return jobs.fail_stale(
        TableComputation,
        running=Status.RUNNING,
        failed=Status.FAILED,
        silence_seconds=silence,
        progress=100,
        message=_(
            "Die Berechnung wurde unterbrochen (der Verarbeitungsprozess ist ausgefallen). "
            "Bitte starten Sie sie erneut."
        ),
    )


def _versions(definition, source):
    from statistics_office.microdata.models import MicrodataVersion
    from statistics_office.microdata.store import current_version

    if definition.reference_runs:
        versions = list(
            MicrodataVersion.objects.filter(
                source_id=source.pk, import_run_id__in=definition.reference_runs
            ).order_by("reference_date", "import_run_id")
        )
        if len(versions) != len(set(definition.reference_runs)):
            raise TableError(_("Nicht alle gewählten Datenstände sind noch vorhanden."))
        return versions
    version = current_version(source.pk)
    if version is None:
        raise TableError(
            _("Für „%(source)s“ gibt es noch keinen angenommenen Datenstand.")
            % {"source": source.name}
        )
    return [version]


def display_order(dim, spec=None):
    """Codes depth first: the total, then each parent followed by its children (siblings in
    their classification's order, where the dimension has one)."""
    order = []
    ranked = {code: i for i, code in enumerate(aggregation.code_order(spec or {}) or [])}

    def walk(code):
        order.append(code)
        children = dim.children.get(code, [])
        if ranked:
            children = sorted(children, key=lambda c: (ranked.get(c, len(ranked)), c))
        for child in children:
            walk(child)

    walk(aggregation.TOTAL)
    return order


def compute_protected(definition, *, progress=None, clock=None):
    """Aggregate and protect every referenced version. Returns (cells, layout, stats, info)."""
    sources = list(definition.sources.all())
    if not sources:
        raise TableError(_("Eine Tabelle braucht mindestens eine Datenquelle."))
    parts = [(source, version) for source in sources for version in _versions(definition, source)]
    series = bool(definition.reference_runs) or any(
        sum(1 for s, _v in parts if s == source) > 1 for source in sources
    )
    several = len(sources) > 1
    versions = [version for _source, version in parts]
    params = protection.parameters(ptables.resolve(definition.parameters))
    all_cells, layout, per_version, timings = [], None, [], {"aggregate_s": 0.0}
    for i, (source, version) in enumerate(parts):
        applied = for_source(definition, source)
        if source.kind == source.Kind.AGGREGATE:
            result, records, dims = origin.compute(applied, source, version, params, timings)
        else:
            result, records, dims = _from_microdata(
                definition, applied, source, version, params, timings
            )
        for key, seconds in result.timings.items():
            timings[key] = timings.get(key, 0.0) + seconds
        stamp = version.reference_date.isoformat() if version.reference_date else ""
        for record in records:
            if series:
                record[TIME_DIMENSION] = stamp
            if several:
                record[SOURCE_DIMENSION] = source.slug
        all_cells.extend(records)
        per_version.append({**result.stats, "audit_passed": result.audit_passed})
        if layout is None:
            layout = [
                {
                    "name": dim.name,
                    "labels": {
                        code: label
                        for code, label in aggregation.code_labels(spec).items()
                        if code in dim.codes
                    },
                    "order": display_order(dim, spec),
                }
                for spec, dim in zip(applied.dimensions, dims, strict=True)
            ]
        if progress:
            progress(10 + int(85 * (i + 1) / len(parts)))
    if series:
        stamps = sorted({v.reference_date.isoformat() for v in versions if v.reference_date})
        layout.insert(
            0,
            {
                "name": TIME_DIMENSION,
                "labels": {s: f"{s[8:10]}.{s[5:7]}.{s[:4]}" for s in stamps},
                "order": stamps,
            },
        )
    if several:
        layout.insert(
            0,
            {
                "name": SOURCE_DIMENSION,
                "labels": {source.slug: source.name for source in sources},
                "order": [source.slug for source in sources],
            },
        )
    audits = [v["audit_passed"] for v in per_version]
    stats = {
        "method": definition.method,
        "cells": sum(v["cells"] for v in per_version),
        "suppressed": sum(v.get("suppressed", 0) for v in per_version),
        "parameters": {
            **{k: v for k, v in params.items() if k != "ptable_rows"},
            **origin.protection_note(sources),
        },
        "versions": per_version,
        **gebietsstand.describe(definition.dimensions, [v.reference_date for v in versions]),
    }
    info = {
        "audit_passed": None if definition.method == "cellkey" else all(audits),
        "reference_date": max(
            (v.reference_date for v in versions if v.reference_date), default=None
        ),
        "import_run_ids": [v.import_run_id for v in versions],
        "timings": timings,
    }
    return all_cells, layout, stats, info


def _from_microdata(definition, applied, source, version, params, timings):
    started = time.perf_counter()
    cells, dims = aggregation.aggregate(version, applied)
    timings["aggregate_s"] += time.perf_counter() - started
    joint_follows = (
        definition.method == protection.SUPPRESSION
        and definition.measure == "count"
        and linked.has_publications(definition, source, version)
    )
    result = protection.protect(
        cells,
        dims,
        method=definition.method,
        measure=definition.measure,
        params=params,
        audit_alone=not joint_follows,
    )
    started = time.perf_counter()
    result = linked.protect_with_published(
        definition, applied, source, version, cells, dims, result
    )
    timings["joint_s"] = timings.get("joint_s", 0.0) + time.perf_counter() - started
    records = protection.to_records(result.cells, decimals=DECIMALS[definition.measure])
    estimated = aggregation.estimated_codes(applied.dimensions, version.reference_date)
    for record in records:
        if any(record.get(name) in codes for name, codes in estimated.items()):
            record["estimated"] = True  # shown with the sign "s" (geschätzt)
    return result, records, dims


# PostgreSQL advisory locks of table computations: (this number, computation id). "BIFT".
COMPUTATION_LOCK_CLASS = 0x42494654


def execute_computation(computation_id):
    """The task body: one attempt at a time; claim the row, compute, store, audit."""
    with jobs.one_attempt(COMPUTATION_LOCK_CLASS, computation_id) as mine:
        if not mine:
            log.warning("table computation %s is already being computed", computation_id)
            return None
        return _execute_computation(computation_id)


def _execute_computation(computation_id):
    if not claim(computation_id):
        return None
    computation = TableComputation.objects.select_related("definition", "computed_by").get(
        pk=computation_id
    )
    definition = computation.definition
    source = definition.sources.first()
    try:
        cells, layout, stats, info = compute_protected(
            definition, progress=lambda p: _progress(computation_id, p)
        )
    except (
        TableError,
        aggregation.DefinitionError,
        linked.LinkedTableError,
        ptables.PerturbationTableError,
        ValueError,
    ) as exc:
        _fail(computation, source, str(exc))
        return computation
    except Exception:
        log.exception("table computation %s failed", computation_id)
        _fail(computation, source, _("Die Berechnung ist abgebrochen; bitte erneut starten."))
        raise
    TableComputation.objects.filter(pk=computation_id).update(
        status=Status.COMPUTED,
        progress=100,
        computed_at=timezone.now(),
        cells=cells,
        dimensions=layout,
        stats=stats,
        audit_passed=info["audit_passed"],
        reference_date=info["reference_date"],
        import_run_ids=info["import_run_ids"],
        spec=linked.spec_of(definition),
        message="",
    )
    computation.refresh_from_db()
    audit.record(
        action=audit.Action.AGGREGATION_RUN,
        user=computation.computed_by,
        obj=computation,
        source=source,
        details={
            "definition_id": definition.pk,
            "computation_id": computation.pk,
            "cells": stats["cells"],
            "suppressed": stats["suppressed"],
            "import_run_ids": info["import_run_ids"],
        },
    )
    if computation.automatic and definition.auto_publish and computation.is_publishable:
        publish(computation, definition.created_by, automatic=True)
        computation.refresh_from_db()
    return computation


def _fail(computation, source, message):
    jobs.finish(TableComputation, computation.pk, Status.FAILED, message=message, progress=100)
    audit.record(
        action=audit.Action.AGGREGATION_RUN,
        user=computation.computed_by,
        obj=computation,
        source=source,
        outcome=audit.Outcome.FAILED,
        details={"definition_id": computation.definition_id, "computation_id": computation.pk},
    )


def recompute_dependents(source_id):
    """After a newly accepted import: recompute every active table on the source.

    Tables with auto_publish are published at once (if protected and audited); the others
    wait for a second statistician's review. Returns the new computations.
    """
    definitions = TableDefinition.objects.filter(
        sources__pk=source_id, status=TableDefinition.Status.ACTIVE, reference_runs=[]
    ).select_related("created_by")
    return [request_computation(d, d.created_by, automatic=True) for d in definitions]


# Review and publication live in publication.py; this module stays the one way in.
from .publication import (  # noqa: E402
    measure_label,
    publish,
    published_since,
    review,
    sources_label,
    withdraw,
)

__all__ = [
    "TableError",
    "compute_protected",
    "execute_computation",
    "measure_label",
    "publish",
    "published_since",
    "recompute_dependents",
    "request_computation",
    "review",
    "save_definition",
    "sources_label",
    "validate_spec",
    "withdraw",
]
