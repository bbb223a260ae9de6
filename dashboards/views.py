"""Dashboard pages for all staff, downloads of each widget's figures, and the builder.

Every read goes through selectors.dashboards_for (a dashboard one may not see is a 404);
every write through services.
"""

import json
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from indicators.selectors import catalogue_stamp

from . import builtin, exports, forms, pages, reports, selectors, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def builder_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.may_build(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def dashboard_list(request):
    dashboards = selectors.dashboards_for(request.user).order_by("title")
    return render(
        request,
        "dashboards/list.html",
        {
            "dashboards": dashboards,
            "may_build": selectors.may_build(request.user),
            # Built-in dashboards, drawn from BIF's own records rather than published tables.
            "builtin_dashboards": builtin.builtins_for(request.user),
        },
    )


def dashboard_detail(request, slug):
    dashboard = selectors.dashboard_for(request.user, slug)
    filters = services.filters_from(request.GET, dashboard)
    key = pages.page_key(dashboard, filters)

    def body():
        widgets = list(selectors.widgets_of(dashboard))
        found = services.publications(services.table_ids(widgets))
        context = {
            "dashboard": dashboard,
            "widgets": services.render_dashboard(dashboard, filters, widgets=widgets, found=found),
            "filters": filters,
            "filter_options": services.filter_options(dashboard, widgets, found=found),
            # From the filters only: the cached body must not carry anything else of a URL.
            "query": urlencode(sorted(filters.items())),
            # A widget's cached HTML holds its indicator definitions: renewed when they change.
            "indicator_stamp": catalogue_stamp(),
        }
        return render_to_string("dashboards/_page_body.html", context)

    return render(
        request,
        "dashboards/detail.html",
        {
            "dashboard": dashboard,
            "page_body": mark_safe(pages.cached_page_body(key, body)),  # noqa: S308 (our own template's output)
            "may_build": selectors.may_build(request.user),
        },
    )


def widget_export(request, slug, pk, fmt):
    widget = selectors.widget_for(request.user, slug, pk)
    result = services.render_widget(widget, services.filters_from(request.GET, widget.dashboard))
    if fmt == "csv":
        response = HttpResponse(
            exports.to_csv(widget, result), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(exports.to_xlsx(widget, result), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(widget, fmt)}"'
    return response


# --- Builder -----------------------------------------------------------------------------


def _dashboard_fields(form):
    data = dict(form.cleaned_data)
    groups = data.pop("groups", [])
    return data, groups


@builder_required
def dashboard_form(request, slug=None):
    dashboard = selectors.dashboard_for(request.user, slug) if slug else None
    form = forms.DashboardForm(request.POST or None, instance=dashboard)
    if request.method == "POST" and form.is_valid():
        fields, groups = _dashboard_fields(form)
        if dashboard is None:
            dashboard = services.create_dashboard(request.user, groups=groups, **fields)
            messages.success(request, _("Das Dashboard ist angelegt. Fügen Sie Elemente hinzu."))
        else:
            services.update_dashboard(dashboard, request.user, groups=groups, **fields)
            messages.success(request, _("Die Änderungen sind gespeichert."))
        return redirect("dashboards:edit", slug=dashboard.slug)
    context = {"form": form, "dashboard": dashboard}
    if dashboard is not None:
        context["widgets"] = selectors.widgets_of(dashboard)
    return render(request, "dashboards/builder.html", context)


@builder_required
@require_POST
def dashboard_publish(request, slug):
    dashboard = selectors.dashboard_for(request.user, slug)
    publish = request.POST.get("publish") == "1"
    try:
        services.publish_dashboard(dashboard, request.user, publish=publish)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Das Dashboard ist veröffentlicht.")
            if publish
            else _("Das Dashboard ist ein Entwurf."),
        )
    return redirect("dashboards:edit", slug=slug)


@builder_required
def widget_form(request, slug, pk=None):
    dashboard = selectors.dashboard_for(request.user, slug)
    widget = selectors.widget_for(request.user, slug, pk) if pk else None
    form = forms.WidgetForm(request.POST or None, instance=widget)
    if request.method == "POST" and form.is_valid():
        if widget is None:
            services.add_widget(dashboard, request.user, **form.cleaned_data)
        else:
            services.update_widget(widget, request.user, **form.cleaned_data)
        messages.success(request, _("Das Element ist gespeichert."))
        return redirect("dashboards:edit", slug=slug)
    return render(
        request,
        "dashboards/widget_form.html",
        {
            "form": form,
            "dashboard": dashboard,
            "widget": widget,
            "dimension_names": {str(k): v for k, v in forms.dimension_names().items()},
        },
    )


@builder_required
@require_POST
def widget_move(request, slug, pk):
    widget = selectors.widget_for(request.user, slug, pk)
    services.move_widget(widget, request.user, -1 if request.POST.get("direction") == "up" else 1)
    return redirect(reverse("dashboards:edit", args=[slug]) + f"#widget-{pk}")


@builder_required
@require_POST
def widget_delete(request, slug, pk):
    widget = selectors.widget_for(request.user, slug, pk)
    services.delete_widget(widget, request.user)
    messages.success(request, _("Das Element ist entfernt."))
    return redirect("dashboards:edit", slug=slug)


def area_geojson(request, level):
    """The units of an area level (today's Gebietsstand) as GeoJSON, for the maps. Area
    boundaries are public; nothing here comes from microdata."""
    found = services.level_geojson(level)
    if not found["features"]:
        raise Http404
    response = HttpResponse(
        json.dumps(found, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Reports and embeds ------------------------------------------------------------------


def dashboard_report(request, slug):
    """The dashboard as a report to print or save as PDF (A4): every chart with its data
    table open, its notes and sources, the dashboard's legend of signs at the end."""
    dashboard = selectors.dashboard_for(request.user, slug)
    filters = services.filters_from(request.GET, dashboard)
    widgets = list(selectors.widgets_of(dashboard))
    found = services.publications(services.table_ids(widgets))
    rendered = services.render_dashboard(dashboard, filters, widgets=widgets, found=found)
    return render(
        request,
        "dashboards/report.html",
        {
            "dashboard": dashboard,
            "widgets": rendered,
            "filters": filters,
            "query": urlencode(sorted(filters.items())),
            "report": True,
            "signs": reports.signs_of(result for _w, result in rendered),
            "printed_at": timezone.localtime(),
        },
    )


def _embed_headers(view):
    """The embed page may be framed by the configured ancestors (BIF_EMBED_FRAME_ANCESTORS),
    every other page by nobody."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # django-csp's per-response replacement (what its csp_replace decorator sets), read
        # here at request time so that the setting can change without a restart of tests.
        ancestors = list(settings.BIF_EMBED_FRAME_ANCESTORS) or ["'none'"]
        response._csp_replace = {"frame-ancestors": ancestors}
        return response

    return xframe_options_exempt(wrapper)


@login_not_required
@_embed_headers
def widget_embed(request, slug, pk):
    """One widget alone, to be framed in the intranet. Logged-in staff see what they may see
    in the portal; without a login only a widget whose tables are all open data."""
    if request.user.is_authenticated:
        widget = selectors.widget_for(request.user, slug, pk)
    else:
        widget = selectors.open_widget(slug, pk)
        if widget is None:
            # The same answer for a missing and a closed widget: nothing about it leaks.
            response = render(request, "dashboards/embed_login.html", status=403)
            response["Cache-Control"] = "private, no-store"
            return response
    filters = services.filters_from(request.GET, widget.dashboard)
    result = services.render_widget(widget, filters)
    response = render(
        request,
        "dashboards/embed.html",
        {
            "dashboard": widget.dashboard,
            "widget": widget,
            "result": result,
            "embed": True,
            "query": urlencode(sorted(filters.items())),
        },
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
