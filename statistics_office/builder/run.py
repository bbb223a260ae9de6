"""A builder query in the sealed worker: aggregate, check, perturb, store protected cells.

The aggregation is the tables' own (statistics_office.tables.aggregation, PostgreSQL or
DuckDB snapshots), the perturbation the tables' cell key method with the office's
perturbation table and the version's record keys: a cell shows the same value here as in
every published table and every other query over the same records.
"""

import functools
import logging
import time
from types import SimpleNamespace

import numpy as np
from django.utils.translation import gettext as _

from bif import jobs
from statistics_office.disclosure.cellkey import perturbation_table
from statistics_office.tables import aggregation, protection, ptables
from statistics_office.tables.services import display_order

from . import cube as cubes
from . import rules
from .auditing import record_audit
from .models import BuilderQuery, Catalogue

log = logging.getLogger(__name__)
Status = BuilderQuery.Status


def office_parameters(catalogue):
    """The cell key parameters of the catalogue: the office's named table or the defaults.
    A generated table is built once per process and passed on as its rows: the same table,
    without solving for it on every query."""
    raw = {"max_sparse_share": catalogue.max_sparse_share}
    if catalogue.ptable:
        raw["ptable"] = catalogue.ptable
    params = protection.parameters(ptables.resolve(raw))
    if not params.get("ptable_rows"):
        params["ptable_rows"] = _generated_rows(
            int(params["ptable_D"]),
            float(params["ptable_V"]),
            int(params["ptable_js"]),
            params.get("ptable_p_stay"),
        )
    return params


@functools.lru_cache(maxsize=8)
def _generated_rows(D, V, js, p_stay):
    table = perturbation_table(D=D, V=V, js=js, p_stay=p_stay)
    return tuple(
        {"i": int(r.i), "j": int(r.j), "p": float(r.p)} for r in table.rows.itertuples(index=False)
    )


def _definition(resolved, parameters, filters=None):
    return SimpleNamespace(
        dimensions=resolved.dimensions,
        filters=resolved.filters if filters is None else filters,
        measure="count",
        measure_field="",
        method="cellkey",
        parameters=parameters,
    )


def protected_table(version, resolved, catalogue, parameters, *, use_cube=True):
    """(records, layout) of a resolved query on a version, or :class:`rules.Refused`.
    Grouped from the version's cube (cube.py) where it answers the query, else from the
    records: the same cells either way."""
    cube = cubes.for_version(version, catalogue.items) if use_cube else None
    if cube is not None and not cube.answers(resolved.filters):
        cube = None
    try:
        cells, dims = aggregation.aggregate(version, _definition(resolved, parameters), cube=cube)
    except aggregation.DefinitionError as exc:
        if "keinen Datensatz" in str(exc):
            rules.refuse_small_population(0, max(1, catalogue.min_filter_population))
        raise
    rules.refuse_size(len(cells), catalogue.max_cells)
    threshold = max(int(parameters["min_frequency"]), office_threshold(parameters))
    if resolved.filters:
        total = int(cells.loc[_is_grand_total(cells, dims), "n"].sum())
        rules.refuse_small_population(total, catalogue.min_filter_population)
        unfiltered, _dims = aggregation.aggregate(
            version, _definition(resolved, parameters, []), cube=cube
        )
        names = [d.name for d in dims]
        both = unfiltered[[*names, "n"]].merge(
            cells[[*names, "n"]], on=names, how="left", suffixes=("_all", "")
        )
        offending = rules.isolation(both["n"].fillna(0), both["n_all"], threshold)
        rules.refuse_isolation(offending)
    try:
        result = protection.protect(cells, dims, method=protection.CELLKEY, params=parameters)
    except ValueError as exc:  # the tables' sparsity rule, with its suggestion
        raise rules.Refused("sparse", str(exc)) from exc
    records = protection.to_records(result.cells, decimals=0)
    for record in records:
        record.pop("reason", None)
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
        for spec, dim in zip(resolved.dimensions, dims, strict=True)
    ]
    return records, layout


def office_threshold(parameters):
    """Values 1..js are never published: the threshold of small groups is js + 1."""
    return int(protection.office_ptable(parameters).js) + 1


def _is_grand_total(cells, dims):
    mask = np.ones(len(cells), dtype=bool)
    for dim in dims:
        mask &= cells[dim.name].to_numpy() == aggregation.TOTAL
    return mask


def execute(query_id):
    """The task body: claim the row, compute, store the protected cells, audit."""
    if not jobs.claim(
        BuilderQuery, query_id, claimable=[Status.QUEUED, Status.RUNNING], running=Status.RUNNING
    ):
        return None
    started = time.perf_counter()
    query = BuilderQuery.objects.select_related("user", "source").get(pk=query_id)
    from statistics_office.microdata.store import current_version

    try:
        catalogue = Catalogue.objects.get(source_id=query.source_id, enabled=True)
        version = current_version(query.source_id)
        if version is None:
            raise rules.Refused(
                "catalogue", _("Für diese Datenquelle gibt es noch keinen Datenstand.")
            )
        resolved = rules.resolve(
            query.spec,
            items=catalogue.items,
            max_dimensions=catalogue.max_dimensions,
            excluded_combinations=catalogue.excluded_combinations,
        )
        same = _answered_before(query, version)
        if same is not None:
            records, layout = same.cells, same.dimensions
        else:
            records, layout = protected_table(
                version, resolved, catalogue, office_parameters(catalogue)
            )
    except Catalogue.DoesNotExist:
        return _end(query, started, Status.REFUSED, "catalogue", _("Kein Katalog."))
    except rules.Refused as refusal:
        return _end(query, started, Status.REFUSED, refusal.code, str(refusal))
    except (aggregation.DefinitionError, ptables.PerturbationTableError) as exc:
        return _end(query, started, Status.FAILED, "", str(exc))
    except Exception:
        log.exception("builder query %s failed", query_id)
        _end(query, started, Status.FAILED, "", _("Die Abfrage ist abgebrochen."))
        raise
    return _end(
        query,
        started,
        Status.DONE,
        "",
        "",
        cells=records,
        dimensions=layout,
        cell_count=len(records),
        reference_date=version.reference_date,
        import_run_id=version.import_run_id,
    )


def _answered_before(query, version):
    """The same question on the same version has the same answer (consistent noise): an
    earlier answer of anyone's is reused as it is, under the catalogue as it is now."""
    return (
        BuilderQuery.objects.filter(
            source_id=query.source_id,
            import_run_id=version.import_run_id,
            status=Status.DONE,
            spec=query.spec,
            heartbeat_at__gte=Catalogue.objects.get(source_id=query.source_id).updated_at,
        )
        .only("cells", "dimensions")
        .order_by("-pk")
        .first()
    )


def _end(query, started, status, refusal, message, **fields):
    duration = int((time.perf_counter() - started) * 1000)
    jobs.finish(
        BuilderQuery,
        query.pk,
        status,
        message=message,
        refusal=refusal,
        progress=100,
        duration_ms=duration,
        **fields,
    )
    record_audit(query, status=status, refusal=refusal, cells=fields.get("cell_count", 0))
    query.refresh_from_db()
    return query
