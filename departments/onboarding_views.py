"""Onboarding pages: upload a sample, correct the proposed schema in a form, save it as the
source's first (or next) schema version. For the statistics office and the administration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import onboarding
from .forms import OnboardForm, SchemaFieldFormSet
from .models import DataSource, Department

SESSION_KEY = "bif_onboarding"


def _onboarders_only(request):
    if not onboarding.can_onboard(request.user):
        raise PermissionDenied(
            _("Neue Datenquellen legen die Statistikstelle und die Administration an.")
        )


@login_required
def onboard_start(request):
    """Step 1: the sample file and the new source's name, department and kind."""
    _onboarders_only(request)
    form = OnboardForm(
        request.POST or None, request.FILES or None, departments=Department.objects.all()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            description = onboarding.describe_upload(
                data["file"], sheet=data["sheet"] or None, request=request
            )
        except onboarding.SchemaRejected as rejected:
            for problem in rejected.problems:
                form.add_error("file", problem)
        else:
            request.session[SESSION_KEY] = {
                "description": description,
                "file_name": data["file"].name[:255],
                "source": {
                    "name": data["name"],
                    "slug": data["slug"],
                    "department": data["department"].pk,
                    "kind": data["kind"],
                },
            }
            return redirect("departments:onboard-schema")
    return render(request, "departments/onboard_start.html", {"form": form})


@login_required
def onboard_schema(request):
    """Step 2: the proposed schema in a form; saving creates the source with it."""
    _onboarders_only(request)
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return redirect("departments:onboard-start")
    description = pending["description"]
    schema = description["schema"]
    formset = SchemaFieldFormSet(request.POST or None, descriptors=schema["fields"])
    problems = []
    if request.method == "POST" and formset.is_valid():
        corrected = onboarding.apply_corrections(schema, formset.corrections())
        source_data = pending["source"]
        try:
            source = onboarding.create_source(
                slug=source_data["slug"],
                name=source_data["name"],
                department=get_object_or_404(Department, pk=source_data["department"]),
                kind=source_data["kind"],
                schema=corrected,
                user=request.user,
            )
        except onboarding.SchemaRejected as rejected:
            problems = rejected.problems
        else:
            del request.session[SESSION_KEY]
            messages.success(
                request, _("Datenquelle mit Schema (Version 1) angelegt: %s") % source.name
            )
            return redirect(source)
    return render(
        request,
        "departments/schema_form.html",
        {
            "formset": formset,
            "layout": description["layout"],
            "flags": description["flags"],
            "row_count": description["row_count"],
            "file_name": pending["file_name"],
            "source_name": pending["source"]["name"],
            "problems": problems,
            "creating": True,
        },
    )


@login_required
def schema_edit(request, slug):
    """Correct the current schema of a source; saving stores the next version."""
    _onboarders_only(request)
    source = get_object_or_404(DataSource, slug=slug)
    current = source.schemas.order_by("-version").first()
    if current is None:
        raise PermissionDenied(_("Für diese Datenquelle gibt es noch kein Schema."))
    schema = current.descriptor
    formset = SchemaFieldFormSet(request.POST or None, descriptors=schema["fields"])
    problems = []
    if request.method == "POST" and formset.is_valid():
        corrected = onboarding.apply_corrections(schema, formset.corrections())
        try:
            version = onboarding.save_schema(source, corrected, user=request.user)
        except onboarding.SchemaRejected as rejected:
            problems = rejected.problems
        else:
            saved = _("Schema gespeichert (Version %(version)d).") % {"version": version.version}
            messages.success(request, saved)
            return redirect(source)
    return render(
        request,
        "departments/schema_form.html",
        {
            "formset": formset,
            "source": source,
            "source_name": source.name,
            "version": current.version,
            "layout": schema.get("layout") or {},
            "flags": [],
            "problems": problems,
            "creating": False,
        },
    )
