"""Pages of the statistics office. Microdata pages need the sealed database and a grant.

Without a current grant a microdata page is a 404 that explains how to ask for access, and
the attempt is written to the audit log.
"""

import csv
import datetime

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bif import roles
from bif.exports import neutralise_cell
from departments.models import DataSource

from . import access, microdata_reads
from .microdata import browser, store
from .sealed import requires_sealed

PAGE_SIZE = 50


def _no_access(request, source_slug):
    source = DataSource.objects.filter(slug=source_slug).first() if source_slug else None
    microdata_reads.denied(request=request, source=source, path=request.path)
    return render(request, "statistics_office/no_access.html", status=404)


def _granted(request, slug, permission):
    source = DataSource.objects.filter(slug=slug).first()
    if source is None or not access.may(request.user, permission, source):
        return None
    return source


@requires_sealed
def microdata_overview(request):
    if not roles.has_role(request.user, roles.STATISTICIAN):
        return _no_access(request, None)
    granted = access.sources_for(request.user, access.VIEW_MICRODATA)
    versions = store.current_versions_for([s.pk for s in granted])
    rows = [(source, versions.get(source.pk)) for source in granted]
    return render(request, "statistics_office/microdata_overview.html", {"rows": rows})


def _filters(request):
    filters = []
    for i in range(3):
        field = request.GET.get(f"f{i}")
        if field:
            filters.append((field, request.GET.get(f"o{i}", "eq"), request.GET.get(f"v{i}", "")))
    return filters


@requires_sealed
def microdata_browser(request, slug):
    source = _granted(request, slug, access.VIEW_MICRODATA)
    if source is None:
        return _no_access(request, slug)
    version = store.current_version(source.pk)
    context = {"source": source, "version": version, "operators": browser.OPERATORS}
    if version is None:
        return render(request, "statistics_office/microdata_browser.html", context)
    filters = _filters(request)
    page_param = request.GET.get("seite", "1")
    number = int(page_param) if page_param.isdigit() and int(page_param) > 0 else 1
    fields, rows, total, filters, filter_ok = microdata_reads.browse(
        request=request,
        source=source,
        version=version,
        filters=filters,
        number=number,
        size=PAGE_SIZE,
    )
    if not filter_ok:
        context["filter_error"] = _(
            "Der Filter passt nicht zum Feldtyp oder nennt ein unbekanntes Feld."
        )
    context.update(
        {
            "fields": fields,
            "rows": rows,
            "total": total,
            "page": number,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "filters": filters,
            "filter_slots": [
                (i, *(filters[i] if i < len(filters) else ("", "eq", ""))) for i in range(3)
            ],
            "summaries": browser.summaries(version),
            "versions": browser.versions_of(source.pk),
            "can_export": access.may(request.user, access.EXPORT_MICRODATA, source),
            "querystring": request.GET.urlencode(),
        }
    )
    return render(request, "statistics_office/microdata_browser.html", context)


@requires_sealed
def microdata_compare(request, slug):
    source = _granted(request, slug, access.VIEW_MICRODATA)
    if source is None:
        return _no_access(request, slug)
    versions = {str(v.import_run_id): v for v in browser.versions_of(source.pk)}
    old, new = versions.get(request.GET.get("alt", "")), versions.get(request.GET.get("neu", ""))
    comparison = old_summary = new_summary = None
    if old and new:
        comparison, old_summary, new_summary = microdata_reads.compare(
            request=request, source=source, old=old, new=new
        )
    return render(
        request,
        "statistics_office/microdata_compare.html",
        {
            "source": source,
            "versions": list(versions.values()),
            "old": old,
            "new": new,
            "comparison": comparison,
            "pairs": list(zip(old_summary or [], new_summary or [], strict=False)),
        },
    )


class _Echo:
    def write(self, value):
        return value


@requires_sealed
def microdata_export(request, slug):
    source = _granted(request, slug, access.EXPORT_MICRODATA)
    if source is None:
        return _no_access(request, slug)
    version = store.current_version(source.pk)
    if version is None:
        return _no_access(request, slug)
    now = timezone.localtime()
    _filters_used, rows = microdata_reads.export(
        request=request, source=source, version=version, filters=_filters(request)
    )
    watermark = _(
        "VERTRAULICH – Einzeldaten der Statistikstelle. Exportiert von %(user)s am %(time)s. "
        "Nur für den freigegebenen Zweck; Weitergabe verboten (Statistikgeheimnis)."
    ) % {"user": request.user.get_username(), "time": now.strftime("%d.%m.%Y %H:%M")}
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow([watermark])
        yield writer.writerow(list(version.columns))
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])
        yield writer.writerow([watermark])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = now.strftime("%Y%m%d-%H%M")
    name = f"einzeldaten-{source.slug}-{request.user.get_username()}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cell(value):
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else neutralise_cell(value)  # no cell runs as a formula
