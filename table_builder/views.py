"""The table builder's pages: staff build a table, download it, save it, propose it; the
office sees unusual patterns and proposals. Thin: everything goes through the builder's
services and selectors (statistics_office.builder)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bif import roles
from statistics_office.builder import selectors, services
from statistics_office.builder.models import BuilderQuery, Catalogue, Proposal
from statistics_office.tables.codes import TOTAL, UNKNOWN, UNKNOWN_LEAF, code_labels

from . import results
from .catalogue_forms import CatalogueForm


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not services.may_build(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def office_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not roles.has_role(request.user, roles.STATISTICIAN):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def filter_choices(item):
    """(code, label) a filter offers: the catalogue's own list or the classification's."""
    if item.get("values"):
        return [(str(v["code"]), v.get("label") or v["code"]) for v in item["values"]]
    labels = code_labels(item["dimension"])
    return [
        (code, label)
        for code, label in labels.items()
        if code not in (TOTAL, UNKNOWN, UNKNOWN_LEAF)
    ]


def spec_from_post(post, catalogue):
    filters = []
    for item in catalogue.items:
        if item.get("filter"):
            values = post.getlist(f"filter_{item['key']}")
            if values:
                filters.append({"item": item["key"], "values": values})
    return {
        "rows": [k for k in (post.get("row1"), post.get("row2")) if k],
        "columns": [post["column"]] if post.get("column") else [],
        "filters": filters,
    }


def _own_query(request, pk):
    return get_object_or_404(selectors.own_queries(request.user), pk=pk)


@staff_required
def builder(request):
    catalogues = list(services.catalogues_for(request.user))
    query = None
    if request.GET.get("abfrage"):
        query = _own_query(request, request.GET["abfrage"])
    chosen = query.source_id if query else request.GET.get("quelle") or request.POST.get("quelle")
    catalogue = next((c for c in catalogues if str(c.source_id) == str(chosen)), None)
    if catalogue is None and catalogues:
        catalogue = catalogues[0]
    if request.method == "POST" and catalogue is not None:
        asked = services.ask(
            request.user, catalogue.source, spec_from_post(request.POST, catalogue)
        )
        asked = services.wait(asked)
        _tell(request, asked)
        return redirect(f"{reverse('table_builder:builder')}?abfrage={asked.pk}")
    spec = (query.spec if query else {}) or {}
    chosen_filters = {f["item"]: set(f["values"]) for f in spec.get("filters", [])}
    items = catalogue.items if catalogue else []
    filters = [
        {
            "key": item["key"],
            "label": item["label"],
            "choices": [
                (c, label, c in chosen_filters.get(item["key"], ()))
                for c, label in filter_choices(item)
            ],
        }
        for item in items
        if item.get("filter")
    ]
    rows = list(spec.get("rows") or [])
    context = {
        "catalogues": catalogues,
        "catalogue": catalogue,
        "items": items,
        "filters": filters,
        "row1": rows[0] if rows else "",
        "row2": rows[1] if len(rows) > 1 else "",
        "column": (spec.get("columns") or [""])[0],
        "query": query,
        "remaining": services.remaining_budget(request.user, catalogue.source) if catalogue else 0,
        "saved": selectors.saved_queries(request.user),
    }
    if query is not None and query.status == BuilderQuery.Status.DONE:
        context.update(
            grid=results.grid(query),
            legend=results.legend(),
            title=results.title_of(query),
            downloads=results.DOWNLOADS,
        )
    return render(request, "table_builder/builder.html", context)


def _tell(request, query):
    if query.status in (BuilderQuery.Status.REFUSED, BuilderQuery.Status.FAILED):
        messages.error(request, query.message)


@staff_required
def download(request, pk, fmt):
    query = _own_query(request, pk)
    if fmt not in results.DOWNLOADS or query.status != BuilderQuery.Status.DONE:
        raise Http404
    content, media_type, name = results.download(query, fmt)
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_required
@require_POST
def save(request, pk):
    query = _own_query(request, pk)
    try:
        services.save_query(request.user, query.source, query.spec, request.POST.get("title"))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Die Abfrage ist gespeichert."))
    return redirect(f"{reverse('table_builder:builder')}?abfrage={query.pk}")


@staff_required
@require_POST
def run_saved(request, pk):
    saved = get_object_or_404(selectors.saved_queries(request.user), pk=pk)
    asked = services.wait(services.ask(request.user, saved.source, saved.spec))
    _tell(request, asked)
    return redirect(f"{reverse('table_builder:builder')}?abfrage={asked.pk}")


@staff_required
@require_POST
def propose(request, pk):
    query = _own_query(request, pk)
    try:
        services.propose(
            request.user,
            query,
            title=request.POST.get("title"),
            reason=request.POST.get("reason", ""),
        )
    except (ValueError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Ihr Vorschlag liegt der Statistikstelle zur Prüfung vor. Vielen Dank!"),
        )
    return redirect(f"{reverse('table_builder:builder')}?abfrage={query.pk}")


@office_required
def office(request):
    if request.method == "POST":
        proposal = get_object_or_404(Proposal, pk=request.POST.get("proposal"))
        try:
            proposal = services.decide(
                request.user, proposal, accept=request.POST.get("decision") == "accept"
            )
        except (ValueError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            if proposal.definition:
                messages.success(request, _("Der Vorschlag ist als Tabellendefinition übernommen."))
                return redirect(proposal.definition)
            messages.info(request, _("Der Vorschlag ist abgelehnt."))
        return redirect("table_builder:office")
    return render(
        request,
        "table_builder/office.html",
        {
            "patterns": selectors.unusual_patterns(),
            "proposals": selectors.open_proposals(),
            "sources": services.editable_sources(request.user).select_related("builder_catalogue"),
        },
    )


@office_required
def catalogue(request, source_pk):
    """The office keeps a source's catalogue: offered fields, classifications, limits."""
    source = get_object_or_404(services.editable_sources(request.user), pk=source_pk)
    existing = Catalogue.objects.filter(source=source).first()
    initial = CatalogueForm.initial_from(existing) if existing else {"enabled": True}
    form = CatalogueForm(request.POST or None, source=source, catalogue=existing, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.keep_catalogue(request.user, source, **form.settings())
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Der Katalog ist gespeichert."))
            return redirect("table_builder:office")
    return render(
        request,
        "table_builder/catalogue.html",
        {"form": form, "source": source, "catalogue": existing},
    )
