"""Pages: the statistics office's table work (statisticians only, others get 404) and the
published tables every logged-in person may see and download."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import exports, preview, selectors, services
from .forms import DefinitionForm
from .models import TableComputation


def statistician_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not selectors.is_statistician(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@statistician_required
def definition_list(request):
    # Reviewers (PUBLISH_TABLES) see the definitions too: they review the computations.
    definitions = selectors.definitions_for(request.user, selectors.READ_PERMISSIONS)
    definitions = definitions.order_by("title")
    return render(request, "tables/definition_list.html", {"definitions": definitions})


@statistician_required
def definition_form(request, pk=None):
    """The definition in a form with the sources' fields and code lists; "Vorschau" counts
    the cells and small cells first (sealed side, audited), "Speichern" saves."""
    definition = selectors.definition_for(request.user, pk) if pk else None
    previewed = None
    if request.method == "POST":
        form = DefinitionForm(request.POST, user=request.user, definition=definition)
        if form.is_valid():
            spec = form.spec()
            try:
                if "preview" in request.POST:
                    previewed = preview.preview(
                        user=request.user,
                        **{k: spec[k] for k in PREVIEW_FIELDS},
                    )
                else:
                    return _save(request, definition, spec)
            except (services.TableError, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:  # model validation, e.g. a slug already in use
                form.add_error(None, "; ".join(exc.messages))
    else:
        initial = DefinitionForm.initial_from(definition) if definition else {}
        form = DefinitionForm(initial=initial, user=request.user, definition=definition)
    return render(
        request,
        "tables/definition_form.html",
        {"form": form, "definition": definition, "preview": previewed},
    )


PREVIEW_FIELDS = (
    "sources",
    "dimensions",
    "filters",
    "measure",
    "measure_field",
    "method",
    "parameters",
)


def _save(request, definition, spec):
    sources = spec.pop("sources")
    if not spec["slug"]:
        spec.pop("slug")
    definition = services.save_definition(
        user=request.user, sources=sources, definition=definition, **spec
    )
    messages.success(request, _("Die Tabellendefinition ist gespeichert."))
    return redirect(definition)


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
