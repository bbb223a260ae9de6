"""Pages: the statistics office's table work (statisticians only, others get 404) and the
published tables every logged-in person may see and download."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from departments.models import DataSource
from statistics_office import access

from . import exports, selectors, services
from .models import TableComputation, TableDefinition


def statistician_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not selectors.is_statistician(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class DefinitionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    slug = forms.SlugField(label=gettext_lazy("Kennung"), max_length=80, required=False)
    description = forms.CharField(
        label=gettext_lazy("Beschreibung"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    sources = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Datenquellen"),
        queryset=DataSource.objects.none(),
        help_text=gettext_lazy(
            "Mehrere Quellen stehen nebeneinander (eigene Geheimhaltung je Quelle); ein Feld, "
            'das je Quelle anders heißt: {"field": "Stadtteil", "fields": {"kita": '
            '"Wohnort Stadtteil"}}'
        ),
    )
    dimensions = forms.JSONField(
        label=gettext_lazy("Merkmale"),
        help_text=gettext_lazy(
            'z. B. [{"field": "Stadtteil", "kind": "code"}, {"field": "Geburtsdatum", '
            '"kind": "age_band", "bands": "5y"}]'
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    filters = forms.JSONField(
        label=gettext_lazy("Filter"),
        required=False,
        help_text=gettext_lazy('z. B. [{"field": "Geschlecht", "op": "in", "values": ["w"]}]'),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measure = forms.ChoiceField(
        label=gettext_lazy("Kennzahl"), choices=TableDefinition.Measure.choices
    )
    measure_field = forms.CharField(
        label=gettext_lazy("Feld der Kennzahl"), max_length=100, required=False
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Geheimhaltungsverfahren"), choices=TableDefinition.Method.choices
    )
    parameters = forms.JSONField(
        label=gettext_lazy("Parameter"),
        required=False,
        help_text=gettext_lazy('z. B. {"min_frequency": 3}'),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    auto_publish = forms.BooleanField(
        label=gettext_lazy("bei neuem Datenstand ohne Prüfung veröffentlichen"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = selectors.permitted_sources(user, [access.DEFINE_TABLES])
        # Microdata and aggregate sources alike (an aggregate table is published without a
        # microdata step; its dimensions and measure come from its schema's roles).
        self.fields["sources"].queryset = DataSource.objects.filter(pk__in=allowed.values("pk"))


def _form_initial(definition):
    return {
        "title": definition.title,
        "slug": definition.slug,
        "description": definition.description,
        "sources": list(definition.sources.all()),
        "dimensions": definition.dimensions,
        "filters": definition.filters,
        "measure": definition.measure,
        "measure_field": definition.measure_field,
        "method": definition.method,
        "parameters": definition.parameters,
        "auto_publish": definition.auto_publish,
    }


@statistician_required
def definition_list(request):
    # Reviewers (PUBLISH_TABLES) see the definitions too: they review the computations.
    definitions = selectors.definitions_for(request.user, selectors.READ_PERMISSIONS)
    definitions = definitions.order_by("title")
    return render(request, "tables/definition_list.html", {"definitions": definitions})


@statistician_required
def definition_form(request, pk=None):
    definition = selectors.definition_for(request.user, pk) if pk else None
    if request.method == "POST":
        form = DefinitionForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            sources = list(data.pop("sources"))
            data["filters"] = data["filters"] or []
            data["parameters"] = data["parameters"] or {}
            if not data["slug"]:
                data.pop("slug")
            try:
                definition = services.save_definition(
                    user=request.user, sources=sources, definition=definition, **data
                )
            except services.TableError as exc:
                form.add_error(None, str(exc))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:  # model validation, e.g. a slug already in use
                form.add_error(None, "; ".join(exc.messages))
            else:
                messages.success(request, _("Die Tabellendefinition ist gespeichert."))
                return redirect(definition)
    else:
        initial = _form_initial(definition) if definition else {"filters": [], "parameters": {}}
        form = DefinitionForm(initial=initial, user=request.user)
    return render(request, "tables/definition_form.html", {"form": form, "definition": definition})


@statistician_required
def definition_detail(request, pk):
    definition = selectors.definition_for(request.user, pk, selectors.READ_PERMISSIONS)
    computations = selectors.computations_for(request.user).filter(definition=definition)[:20]
    publications = definition.publications.defer("cells").order_by("-version")
    can_define = selectors.definitions_for(request.user).filter(pk=definition.pk).exists()
    return render(
        request,
        "tables/definition_detail.html",
        {
            "definition": definition,
            "computations": computations,
            "publications": publications,
            "can_define": can_define,
        },
    )


@statistician_required
@require_POST
def definition_compute(request, pk):
    definition = selectors.definition_for(request.user, pk)
    try:
        computation = services.request_computation(definition, request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(definition)
    messages.info(request, _("Die Berechnung ist angestoßen."))
    return redirect(computation)


@statistician_required
def computation_detail(request, pk):
    """The protected preview: only what would be published, plus the reasons for the office."""
    computation = selectors.computation_for(request.user, pk)
    definition = computation.definition
    decimals = services.DECIMALS[definition.measure]
    g = exports.grid(computation.cells, computation.dimensions, services.measure_label(definition))
    can_review = (
        computation.status == TableComputation.Status.COMPUTED
        and computation.computed_by_id != request.user.pk
    )
    return render(
        request,
        "tables/computation_detail.html",
        {
            "computation": computation,
            "definition": definition,
            "grid": _shown(g, decimals),
            "can_review": can_review,
            "legend": exports.legend(
                definition.method, computation.stats.get("parameters"), computation.cells
            ),
            "method_text": exports.method_text(definition.method, definition.parameters),
        },
    )


def _shown(g, decimals):
    rows = [
        (
            labels,
            [
                (exports.format_value(c, decimals) if c else "", (c or {}).get("flag", ""))
                for c in values
            ],
            depth,
        )
        for labels, values, depth in g.rows
    ]
    return {"row_names": g.row_names, "columns": g.columns, "rows": rows}


@statistician_required
@require_POST
def computation_review(request, pk):
    computation = selectors.computation_for(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.review(
            computation, request.user, approve=approve, comment=request.POST.get("comment", "")
        )
    except (PermissionDenied, services.TableError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Die Prüfung ist vermerkt."))
    return redirect(computation)


@statistician_required
@require_POST
def computation_publish(request, pk):
    computation = selectors.computation_for(request.user, pk)
    try:
        published = services.publish(computation, request.user)
    except (PermissionDenied, services.TableError) as exc:
        messages.error(request, str(exc))
        return redirect(computation)
    messages.success(request, _("Die Tabelle ist veröffentlicht (Version %s).") % published.version)
    return redirect(published)


@login_required
def published_list(request):
    tables = selectors.latest_published_for(request.user)
    return render(request, "tables/published_list.html", {"tables": tables})


@login_required
def published_detail(request, pk):
    table = selectors.published_table_for(request.user, pk)
    g = exports.grid(table.cells, table.dimensions, table.measure_label)
    return render(
        request,
        "tables/published_detail.html",
        {
            "table": table,
            "grid": _shown(g, exports.DECIMALS.get(table.measure, 0)),
            "footer": exports.footer_lines(table),
        },
    )


@login_required
def published_export(request, pk, fmt):
    table = selectors.published_table_for(request.user, pk)
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(table, fmt)}"'
    return response
