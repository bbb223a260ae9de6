"""Every read of microdata by a person goes through here: the grant was checked, and the
audit entry is written here, with the purpose of the grant, never with a filter value.

Views (and any API or command) call these; the browser and store below them never audit.
"""

from bif import audit

from . import access
from .microdata import browser


def denied(*, request, source, path):
    """An attempt without a current grant: audited as denied (the page shows a 404)."""
    audit.record(
        action=audit.Action.ACCESS_DENIED,
        request=request,
        source=source,
        outcome=audit.Outcome.DENIED,
        details={"path": path[:200]},
    )


def _filter_fields(filters):
    # Filter columns and operators only: a filter value can single a person out.
    return [f"{field} {op}" for field, op, _value in filters]


def browse(*, request, source, version, filters, number, size):
    """One page of the current version (filtered). Returns (fields, rows, total, filters,
    filter_ok); a filter that does not fit the field types is dropped (filter_ok False)."""
    filter_ok = True
    try:
        fields, rows, total = browser.page(version, filters=filters, number=number, size=size)
    except browser.FilterError:
        filter_ok, filters = False, []
        fields, rows, total = browser.page(version, number=1, size=size)
    audit.record(
        action=audit.Action.MICRODATA_FILTER if filters else audit.Action.MICRODATA_VIEW,
        request=request,
        source=source,
        obj=None,
        purpose=access.purpose(request.user, access.VIEW_MICRODATA, source),
        details={
            "version_run": version.import_run_id,
            "page": number,
            "rows_shown": len(rows),
            "filter_fields": _filter_fields(filters),
        },
    )
    return fields, rows, total, filters, filter_ok


def compare(*, request, source, old, new):
    """Two versions side by side: (comparison, old summaries, new summaries)."""
    schema = source.schemas.order_by("-version").first()
    key = ((schema.descriptor.get("primaryKey") or [None]) if schema else [None])[0]
    comparison = browser.compare(old, new, key)
    summaries = browser.summaries(old), browser.summaries(new)
    audit.record(
        action=audit.Action.MICRODATA_VIEW,
        request=request,
        source=source,
        purpose=access.purpose(request.user, access.VIEW_MICRODATA, source),
        details={"compare_runs": [old.import_run_id, new.import_run_id]},
    )
    return comparison, *summaries


def export(*, request, source, version, filters):
    """The rows of an export (audited before the first row is read); filters that do not
    fit are dropped. Returns (filters, rows iterator)."""
    try:
        browser.where_clause(version, filters)
    except browser.FilterError:
        filters = []
    audit.record(
        action=audit.Action.MICRODATA_EXPORT,
        request=request,
        source=source,
        purpose=access.purpose(request.user, access.EXPORT_MICRODATA, source),
        details={"version_run": version.import_run_id, "filter_fields": _filter_fields(filters)},
    )
    return filters, browser.export_rows(version, filters=filters)
