"""Catalog pages: list of data sources by department and stage, detail, and edit."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, UpdateView

from . import descriptions, onboarding, selectors, services
from .forms import DataSourceForm
from .models import DataSource, Department


def catalog(request):
    sources = selectors.catalog(
        request.user,
        department=request.GET.get("fachbereich") or None,
        stage=request.GET.get("stufe") or None,
        query=request.GET.get("q") or None,
    )
    by_department = {}
    for source in sources:
        by_department.setdefault(source.department, []).append(source)
    return render(
        request,
        "departments/catalog.html",
        {
            "by_department": by_department,
            "departments": Department.objects.all(),
            "stages": DataSource.Stage.choices,
            "selected": request.GET,
            "source_count": len(sources),
            "can_edit": request.user.has_perm("departments.change_datasource"),
            "can_onboard": onboarding.can_onboard(request.user),
        },
    )


def source_detail(request, slug):
    source = get_object_or_404(selectors.data_sources_for(request.user, "view"), slug=slug)
    return render(
        request,
        "departments/source_detail.html",
        {
            "source": source,
            "can_edit": request.user.has_perm("departments.change_datasource"),
            "can_upload": selectors.data_sources_for(request.user, "upload")
            .filter(pk=source.pk)
            .exists(),
            "runs": selectors.import_runs_for(request.user).filter(source=source)[:20],
            "schema": source.schemas.order_by("-version").first(),
            "can_onboard": onboarding.can_onboard(request.user),
            "descriptions": source.descriptions.defer("content"),
            "can_describe": _can_describe(request.user),
        },
    )


def _can_describe(user):
    return onboarding.can_onboard(user) or user.has_perm("departments.change_datasource")


@require_POST
def description_upload(request, slug):
    source = get_object_or_404(selectors.data_sources_for(request.user, "view"), slug=slug)
    uploaded = request.FILES.get("document")
    if not _can_describe(request.user):
        return redirect("departments:source-detail", slug=source.slug)
    if uploaded is None:
        messages.error(request, _("Bitte eine Datei auswählen."))
    elif uploaded.size > descriptions.max_bytes():
        messages.error(
            request,
            _("„%(name)s“ ist zu groß; erlaubt sind höchstens %(limit)s MB.")
            % {"name": uploaded.name, "limit": round(descriptions.max_bytes() / 1048576, 1)},
        )
    else:
        try:
            added = descriptions.add(
                source, user=request.user, file_name=uploaded.name, data=uploaded.read()
            )
            messages.success(
                request,
                _("Die Datensatzbeschreibung ist gespeichert (Version %(v)s).")
                % {"v": added.version},
            )
        except descriptions.DescriptionRejected as rejected:
            messages.error(request, str(rejected))
    return redirect("departments:source-detail", slug=source.slug)


def description_download(request, slug, version):
    source = get_object_or_404(selectors.data_sources_for(request.user, "view"), slug=slug)
    document = get_object_or_404(source.descriptions, version=version)
    response = HttpResponse(
        bytes(document.content), content_type=descriptions.content_type(document)
    )
    response["Content-Disposition"] = content_disposition_header(True, document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class DataSourceCreate(PermissionRequiredMixin, CreateView):
    permission_required = "departments.add_datasource"
    model = DataSource
    form_class = DataSourceForm
    template_name = "departments/source_form.html"

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        source = services.create_data_source(
            department=data.pop("department"), slug=data.pop("slug"), name=data.pop("name"), **data
        )
        messages.success(self.request, _("Datenquelle angelegt."))
        return redirect(source)


class DataSourceUpdate(PermissionRequiredMixin, UpdateView):
    permission_required = "departments.change_datasource"
    model = DataSource
    form_class = DataSourceForm
    template_name = "departments/source_form.html"

    def form_valid(self, form):
        messages.success(self.request, _("Datenquelle gespeichert."))
        return super().form_valid(form)
