"""Rollout pages: thin views over selectors and services; no permission, no page (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboards.selectors import dashboards_for
from departments.models import DataSource, Department

from . import exports, figures, selectors, services
from .forms import EvidenceForm, FeedbackForm, InvolvementForm, StageForm
from .models import ChecklistItem


def _require(allowed):
    if not allowed:
        raise Http404


@login_required
def overview(request):
    _require(selectors.may_view_overview(request.user))
    rows = selectors.overview_rows()
    return render(
        request,
        "rollout/overview.html",
        {
            "rows": rows,
            "departments": selectors.department_rows(rows),
            "timeline": selectors.stage_timeline(limit=50),
            "is_administration": selectors.is_administration(request.user),
            "headed": selectors.heads_departments(request.user),
        },
    )


@login_required
def overview_export(request):
    _require(selectors.may_view_overview(request.user))
    response = HttpResponse(
        exports.overview_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"bif-einfuehrung-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def checklist(request, slug):
    _require(selectors.is_administration(request.user))
    source = get_object_or_404(DataSource.objects.select_related("department"), slug=slug)
    checklist = services.create_checklist(source)
    passed = selectors.auto_checks([source]).get(source.pk, set())
    items = selectors.item_states(checklist, passed)
    for item in items:
        item.action_url = reverse("rollout:complete-item", args=[source.slug, item.pk])
    upcoming = selectors.next_stage(source.stage)
    return render(
        request,
        "rollout/checklist.html",
        {
            "source": source,
            "checklist": checklist,
            "items": items,
            "progress": selectors.progress(checklist, passed),
            "next_stage": upcoming and DataSource.Stage(upcoming),
            "blocking": selectors.open_required_items(checklist, upcoming, passed)
            if upcoming
            else [],
            "evidence_form": EvidenceForm(),
            "may_edit": True,
            "department_checklist": selectors.department_checklist(source.department),
            "changes": source.stage_changes.select_related("changed_by"),
            "quality": selectors.source_quality(source),
        },
    )


@login_required
@require_POST
def complete_item(request, slug, pk):
    _require(selectors.is_administration(request.user))
    item = get_object_or_404(
        ChecklistItem.objects.select_related("item_template"), pk=pk, checklist__source__slug=slug
    )
    if request.POST.get("reopen"):
        services.reopen_item(item, request.user)
        messages.info(request, _("„%(title)s“ ist wieder offen.") % {"title": item.item_template})
        return redirect("rollout:checklist", slug=slug)
    _complete_from_form(request, item)
    return redirect("rollout:checklist", slug=slug)


def _complete_from_form(request, item):
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Der Link zum Nachweis ist keine gültige Adresse."))
        return
    try:
        services.complete_item(item, request.user, **form.cleaned_data)
    except services.RolloutError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("„%(title)s“ ist erledigt.") % {"title": item.item_template})


@login_required
def department_checklist(request, code):
    """The department's own introduction checklist; administration fills it in, the
    department's head follows it."""
    department = get_object_or_404(Department, code=code)
    _require(selectors.may_manage_staff(request.user, department))
    may_edit = selectors.is_administration(request.user)
    checklist = selectors.department_checklist(department)
    if checklist is None and may_edit:
        checklist = services.create_checklist(department=department)
    items = []
    if checklist is not None:
        passed = selectors.department_auto_checks([department]).get(department.pk, set())
        items = selectors.item_states(checklist, passed)
        for item in items:
            item.action_url = reverse("rollout:department-item", args=[code, item.pk])
    rows = selectors.overview_rows(department=department)
    return render(
        request,
        "rollout/department.html",
        {
            "department": department,
            "checklist": checklist,
            "items": items,
            "progress": (
                round(100 * sum(item.satisfied for item in items) / len(items)) if items else 0
            ),
            "rows": rows,
            "may_edit": may_edit,
            "involvement": department.staff_involvement.all(),
        },
    )


@login_required
@require_POST
def department_item(request, code, pk):
    _require(selectors.is_administration(request.user))
    item = get_object_or_404(
        ChecklistItem.objects.select_related("item_template"),
        pk=pk,
        checklist__department__code=code,
        checklist__source__isnull=True,
    )
    if request.POST.get("reopen"):
        services.reopen_item(item, request.user)
        messages.info(request, _("„%(title)s“ ist wieder offen.") % {"title": item.item_template})
    else:
        _complete_from_form(request, item)
    return redirect("rollout:department", code=code)


@login_required
def evidence(request, pk):
    """An evidence file, only through this view: MEDIA_ROOT is never served."""
    item = get_object_or_404(
        ChecklistItem.objects.select_related("checklist__department", "checklist__source"), pk=pk
    )
    department = item.checklist.department or (
        item.checklist.source.department if item.checklist.source_id else None
    )
    allowed = selectors.is_administration(request.user) or (
        department is not None and selectors.may_manage_staff(request.user, department)
    )
    _require(allowed and bool(item.evidence_file))
    try:
        handle = item.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=item.evidence_file.name.rsplit("/", 1)[-1]
    )


@login_required
def dashboard(request):
    """The overview as a built-in dashboard: charts with their data tables."""
    _require(selectors.may_view_overview(request.user))
    rows = selectors.overview_rows()
    return render(
        request,
        "rollout/dashboard.html",
        {"charts": figures.rollout_charts(rows, selectors.stage_timeline(limit=None))},
    )


@login_required
@require_POST
def advance(request, slug):
    _require(selectors.is_administration(request.user))
    source = get_object_or_404(DataSource, slug=slug)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.advance_stage(
                source, form.cleaned_data["to_stage"], request.user, note=form.cleaned_data["note"]
            )
        except services.RolloutError as error:
            messages.error(request, error.message)
        else:
            source.refresh_from_db()
            messages.success(
                request,
                _("„%(source)s“ ist jetzt „%(stage)s“.")
                % {"source": source.name, "stage": source.get_stage_display()},
            )
    return redirect("rollout:checklist", slug=slug)


@login_required
def staff(request, code):
    department = get_object_or_404(Department, code=code)
    _require(selectors.may_manage_staff(request.user, department))
    form = InvolvementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_involvement(department, request.user, **form.cleaned_data)
        except services.RolloutError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Eintrag gespeichert."))
            return redirect("rollout:staff", code=code)
    return render(
        request,
        "rollout/staff.html",
        {
            "department": department,
            "entries": department.staff_involvement.select_related("user"),
            "form": form,
        },
    )


@login_required
def feedback_list(request):
    _require(selectors.may_read_feedback(request.user))
    return render(
        request, "rollout/feedback_list.html", {"feedback": selectors.feedback_for(request.user)}
    )


@login_required
@require_POST
def feedback(request, pk):
    dashboard = dashboards_for(request.user).filter(pk=pk).first()
    _require(dashboard is not None)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        services.give_feedback(dashboard, request.user, **form.cleaned_data)
        messages.success(request, _("Danke für Ihre Rückmeldung an die Statistikstelle."))
    else:
        messages.error(request, _("Bitte angeben, ob die Zahlen nützlich sind."))
    return redirect(dashboard.get_absolute_url())
