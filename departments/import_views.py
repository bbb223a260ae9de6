"""Pages for uploads and import runs: upload, run list, run page with progress, review."""

import csv

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bif.exports import neutralise_text

from . import selectors, uploads
from .forms import ReviewForm, UploadForm
from .importing.findings import from_stored
from .importing.messages import describe


def upload(request):
    sources = selectors.data_sources_for(request.user, "upload")
    # The source page's "Export hochladen" link names its source: preselect it.
    initial = {"source": sources.filter(slug=request.GET.get("quelle", "")).first()}
    form = UploadForm(request.POST or None, request.FILES or None, sources=sources, initial=initial)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            run = uploads.submit_upload(
                source=form.cleaned_data["source"],
                uploaded_by=request.user,
                file_name=uploaded.name,
                chunks=uploaded.chunks(),
                sheet=form.cleaned_data.get("sheet") or "",
            )
        except uploads.ImportRejected as rejected:
            form.add_error("file", str(rejected))
        else:
            messages.success(request, _("Die Datei wurde übernommen und wird geprüft."))
            return redirect(run)
    return render(request, "departments/upload.html", {"form": form, "sources": sources})


def run_list(request):
    runs = selectors.import_runs_for(request.user)
    source = request.GET.get("quelle")
    if source:
        runs = runs.filter(source__slug=source)
    return render(request, "departments/run_list.html", {"runs": runs[:200]})


def _described(run, user):
    described = []
    for data in selectors.visible_findings(run, user):
        finding = from_stored(data)
        described.append({**data, "text": describe(finding)})
    return described


def run_detail(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    can_review = selectors.can_review_imports(request.user, run)
    findings = _described(run, request.user)
    return render(
        request,
        "departments/run_detail.html",
        {
            "run": run,
            "findings": findings,
            "errors": [f for f in findings if f["severity"] == "error"],
            "warnings": [f for f in findings if f["severity"] != "error"],
            "can_review": can_review and run.status == run.Status.AWAITING_REVIEW,
            "can_rollback": can_review and run.status == run.Status.ACCEPTED,
            "can_withdraw": run.status == run.Status.AWAITING_REVIEW
            and run.uploaded_by_id == request.user.pk,
            "who_can_act": selectors.who_can_act(run),
            "review_form": ReviewForm(),
            "distributions": _distributions(run) if can_review else [],
            "findings_sealed": not selectors.run_reports_available(),
            "remap": _remap_choices(run),
        },
    )


def _remap_choices(run):
    if run.status != run.Status.FAILED:
        return None
    missing, extra = uploads.unmapped_columns(run)
    if not (missing and extra):
        return None
    return {"missing": missing, "extra": extra}


def _distributions(run, max_categories=20):
    """Per checked column: each category's share now and in the previous accepted import.

    Only for the statistics office: a profile counts records, some of them small.
    """
    current = selectors.run_profile(run).get("columns", {})
    previous_run = selectors.previous_accepted(run)
    previous = (selectors.run_profile(previous_run) if previous_run else {}).get("columns", {})
    result = []
    for column, summary in current.items():
        categories = summary.get("categories")
        if not categories or len(categories) > max_categories:
            continue
        before = (previous.get(column) or {}).get("categories") or {}
        total_now, total_before = sum(categories.values()) or 1, sum(before.values()) or 1
        keys = sorted(set(categories) | set(before))
        rows = [
            {
                "category": key,
                "now": round(100 * categories.get(key, 0) / total_now, 1),
                "before": round(100 * before.get(key, 0) / total_before, 1) if before else None,
            }
            for key in keys
        ]
        result.append({"column": column, "rows": rows, "has_previous": bool(before)})
    return result


def run_status(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_display": run.get_status_display(),
            "stage": run.stage,
            "stage_display": run.get_stage_display(),
            "progress": run.progress,
            "rows_per_second": run.rows_per_second,
            "row_count": run.row_count,
            "finished": run.is_finished,
            "error_count": run.error_count,
            "warning_count": run.warning_count,
        }
    )


def findings_csv(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="befunde-import-{run.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Schwere"),
            _("Regel"),
            _("Spalte"),
            _("Anzahl"),
            _("Zeilen"),
            _("Beispiele"),
            _("Meldung"),
        ]
    )
    for f in _described(run, request.user):
        writer.writerow(
            [
                _("Fehler") if f["severity"] == "error" else _("Hinweis"),
                f["rule"],
                _neutralise(f.get("column") or ""),
                f.get("count", ""),
                ", ".join(str(r) for r in f.get("rows", [])),
                _neutralise(" | ".join(f.get("values", []))),
                _neutralise(f["text"]),
            ]
        )
    return response


# Spreadsheets run cells that start with = + - @ as formulas; prefix them.
_neutralise = neutralise_text


@require_POST
def run_review(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    if not selectors.can_review_imports(request.user, run):
        return redirect(run)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            uploads.review(
                run,
                user=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Ihre Prüfentscheidung wurde gespeichert."))
        except uploads.ImportRejected as rejected:
            messages.error(request, str(rejected))
    else:
        messages.error(request, _("Bitte wählen Sie eine Entscheidung und begründen Sie sie."))
    return redirect(run)


@require_POST
def run_remap(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    assignments = {
        request.POST.get(f"column_{i}", ""): request.POST.get(f"field_{i}", "")
        for i in range(20)
        if request.POST.get(f"field_{i}")
    }
    try:
        uploads.remap_and_retry(run, assignments)
        messages.success(
            request, _("Die Zuordnung wurde gespeichert und gilt auch für künftige Lieferungen.")
        )
    except uploads.ImportRejected as rejected:
        messages.error(request, str(rejected))
    return redirect(run)


@require_POST
def run_cancel(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    if uploads.request_cancel(run):
        messages.info(request, _("Der Import wird abgebrochen."))
    return redirect(run)


@require_POST
def run_retry(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    try:
        uploads.retry(run)
        messages.info(request, _("Der Import wurde erneut gestartet."))
    except uploads.ImportRejected as rejected:
        messages.error(request, str(rejected))
    return redirect(run)


@require_POST
def run_rollback(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    if selectors.can_review_imports(request.user, run):
        try:
            uploads.rollback(run, user=request.user)
            messages.info(request, _("Der Import wurde zurückgenommen."))
        except uploads.ImportRejected as rejected:
            messages.error(request, str(rejected))
    return redirect(run)


@require_POST
def run_withdraw(request, pk):
    run = get_object_or_404(selectors.import_runs_for(request.user), pk=pk)
    try:
        uploads.withdraw(run, user=request.user)
        messages.info(request, _("Der Import wurde zurückgezogen."))
    except uploads.ImportRejected as rejected:
        messages.error(request, str(rejected))
    return redirect(run)
