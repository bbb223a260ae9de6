"""Dashboards: render widgets from stored publications (cached), and the builder's writes.

A widget's figure is cached under a key holding the ids of the publications it draws, the
widget's last change and the filters that touch it. A new publication has a new id, so it
gets new keys: nothing stale is served and nothing else is thrown away.
"""

import hashlib
import json

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from bif.geography import selectors as area_selectors
from indicators.selectors import catalogue_stamp, reference_for
from statistics_office.tables.exports import secret_sign
from statistics_office.tables.models import PublishedTable

from . import cells, figure_texts, figures, maps
from .models import PALETTES, Dashboard, Widget
from .selectors import may_build, visible_groups, widgets_of

TIME = cells.TIME
CACHE_SECONDS = 7 * 24 * 3600
META_FIELDS = (
    "id",
    "definition_id",
    "version",
    "title",
    "reference_date",
    "method",
    "parameters",
    "measure",
    "measure_label",
    "dimensions",
    "sources_label",
    "gebietsstand",
    "area_note",
)


# --- Reading publications (never the sealed database: only PublishedTable) ---------------


def publications(definition_ids):
    """{definition id: [publication metadata, newest version first]}, cells left out."""
    rows = (
        PublishedTable.objects.filter(definition_id__in=set(definition_ids), withdrawn_at=None)
        .order_by("definition_id", "-version")
        .values(*META_FIELDS, slug=F("definition__slug"))
    )
    found = {}
    for row in rows:
        row["reference_date"] = row["reference_date"].isoformat() if row["reference_date"] else None
        row["gebietsstand"] = row["gebietsstand"].isoformat() if row["gebietsstand"] else None
        found.setdefault(row["definition_id"], []).append(row)
    return found


def _has_time(meta):
    return any(d["name"] == TIME for d in meta.get("dimensions") or [])


def pick(metas, filters):
    """The publication a widget shows under the filters (a Stichtag picks the version)."""
    if not metas:
        return None
    wanted = filters.get(TIME)
    if not wanted or _has_time(metas[0]):
        return metas[0]
    return next((m for m in metas if m["reference_date"] == wanted), None)


def _previous(metas, current):
    earlier = [
        m
        for m in metas
        if m["reference_date"]
        and current["reference_date"]
        and m["reference_date"] < current["reference_date"]
    ]
    if earlier:
        return earlier[0]
    return next((m for m in metas if m["version"] < current["version"]), None)


def _series_over_time(metas):
    """Newest version per reference date, oldest date first: the points of a time series."""
    by_date = {}
    for m in metas:
        if m["reference_date"] and m["reference_date"] not in by_date:
            by_date[m["reference_date"]] = m
    return [by_date[d] for d in sorted(by_date)]


def _merge_over_time(points, cells_by_id):
    """One table with a Stichtag dimension from several publications of one definition."""
    latest = points[-1]
    stamps = [p["reference_date"] for p in points]
    cells = [{**cell, TIME: p["reference_date"]} for p in points for cell in cells_by_id[p["id"]]]
    time_dim = {"name": TIME, "labels": {s: figure_texts._date(s) for s in stamps}, "order": stamps}
    return {**latest, "dimensions": [time_dim, *latest["dimensions"]], "cells": cells}


def plan(widget, filters, found):
    """The publications a widget draws under the filters: main (one, or a time series),
    compare and previous (for a KPI tile)."""
    metas = found.get(widget.table_id, [])
    if widget.kind == Widget.Kind.LINE and metas and not _has_time(metas[0]):
        points = _series_over_time(metas)
        if len(points) > 1:
            return {"main": points, "compare": None, "previous": None}
    current = pick(metas, filters)
    if current is None:
        return None
    compare = None
    if widget.compare_table_id:
        compare = pick(found.get(widget.compare_table_id, []), filters)
    previous = _previous(metas, current) if widget.kind == Widget.Kind.KPI else None
    return {"main": [current], "compare": compare, "previous": previous}


def _relevant_filters(filters, used):
    names = {TIME}
    for meta in used:
        names |= {d["name"] for d in meta.get("dimensions") or []}
    return {k: v for k, v in sorted(filters.items()) if k in names and v}


def cache_key(widget, used, filters):
    state = json.dumps(
        {
            "tables": [m["id"] for m in used],
            "filters": filters,
            "lang": translation.get_language(),
            "sign": secret_sign(),
            "indicators": catalogue_stamp(),
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(state.encode()).hexdigest()[:32]
    changed = int(widget.updated_at.timestamp() * 1_000_000) if widget.updated_at else 0
    return f"bif:dashboards:widget:{widget.pk}:{changed}:{digest}"


# --- Maps: the GeoJSON and label points of an area level -----------------------------------


def _level_stamp(slug):
    """Changes when the level's units change (a new Gebietsstand): part of the cache keys."""
    found = area_selectors.units(slug).aggregate(n=Count("pk"), last=Max("pk"))
    return f"{found['n']}-{found['last']}"


def level_geojson(slug):
    key = f"bif:dashboards:geojson:{slug}:{_level_stamp(slug)}"
    found = cache.get(key)
    if found is None:
        found = area_selectors.geojson(slug)
        cache.set(key, found, CACHE_SECONDS)
    return found


def label_points(slug):
    key = f"bif:dashboards:labels:{slug}:{_level_stamp(slug)}"
    found = cache.get(key)
    if found is None:
        found = maps.label_points(level_geojson(slug))
        cache.set(key, found, CACHE_SECONDS)
    return found


def geojson_url(slug):
    return reverse("dashboards:area-geojson", args=[slug])


def map_level(codes, wanted=""):
    """The level a map draws: the builder's choice, else the level with geometry that holds
    most of the table's codes."""
    if wanted:
        return wanted
    codes, best, best_hits = set(codes), "", 0
    for slug, _name in area_selectors.levels_with_geometry():
        hits = len(codes & set(label_points(slug)))
        if hits > best_hits:
            best, best_hits = slug, hits
    return best


def no_data(widget):
    return {
        "kind": widget.kind,
        "figure": None,
        "table": None,
        "summary": _("Für diese Auswahl liegt keine veröffentlichte Tabelle vor."),
        "notes": [],
        "secret_count": 0,
        "empty": True,
        "footer": [],
    }


def render_widget(widget, filters, *, found=None):
    """The widget's figure, data table, summary and notes; from the cache when possible."""
    if found is None:
        found = publications([widget.table_id, widget.compare_table_id])
    chosen = plan(widget, filters, found)
    if chosen is None:
        return no_data(widget)
    used = [*chosen["main"], *(m for m in (chosen["compare"], chosen["previous"]) if m)]
    relevant = _relevant_filters(filters, used)
    key = cache_key(widget, used, relevant)
    result = cache.get(key)
    if result is None:
        result = _build(widget, chosen, used, relevant)
        cache.set(key, result, CACHE_SECONDS)
    # The page caches the widget's rendered HTML under the same key (detail.html).
    return {**result, "cache_key": key}


def _build(widget, chosen, used, filters):
    cells_by_id = dict(
        PublishedTable.objects.filter(pk__in=[m["id"] for m in used]).values_list("id", "cells")
    )

    def table(meta):
        return {**meta, "cells": cells_by_id.get(meta["id"], [])} if meta else None

    if len(chosen["main"]) > 1:
        main = _merge_over_time(chosen["main"], cells_by_id)
    else:
        main = table(chosen["main"][0])
    # The city's value as a data field (issue 19): the builder may draw it as a reference.
    main["reference"] = reference_for(main, widget.compare_table_id)
    tables = [main, *([table(chosen["compare"])] if chosen["compare"] else [])]
    geojson = points = None
    if widget.kind == Widget.Kind.MAP:
        x = widget.x_dimension or cells.default_axes(main, "map")
        codes = next((d.get("order") or [] for d in main["dimensions"] if d["name"] == x), [])
        level = map_level(codes, widget.map_level)
        if level:
            geojson, points = geojson_url(level), label_points(level)
    result = figures.build(
        tables,
        widget.spec,
        filters,
        palette=PALETTES.get(widget.palette),
        geojson=geojson,
        centroids=points,
        previous=table(chosen["previous"]),
    )
    result["reference"] = main["reference"]
    result["tables"] = [
        {"id": m["id"], "slug": m["slug"], "version": m["version"], "title": m["title"]}
        for m in used
    ]
    return result


def table_ids(widgets):
    compared = [w.compare_table_id for w in widgets if w.compare_table_id]
    return [w.table_id for w in widgets] + compared


def render_dashboard(dashboard, filters, *, widgets=None, found=None):
    """[(widget, result)] in grid order, with one query for all publications' metadata."""
    widgets = list(widgets_of(dashboard)) if widgets is None else widgets
    found = publications(table_ids(widgets)) if found is None else found
    return [(w, render_widget(w, filters, found=found)) for w in widgets]


def filters_from(params, dashboard):
    """The dashboard's filters present in GET parameters (the URL is the filter state)."""
    return {name: params[name] for name in dashboard.filters if params.get(name)}


def filter_options(dashboard, widgets=None, *, found=None):
    """[(name, [(code, label)])] for the filter form, from the widgets' publications."""
    widgets = list(widgets_of(dashboard)) if widgets is None else widgets
    found = publications(table_ids(widgets)) if found is None else found
    options = []
    for name in dashboard.filters:
        choices = {}
        for metas in found.values():
            if name == TIME:
                for m in metas:
                    if m["reference_date"]:
                        choices[m["reference_date"]] = figure_texts._date(m["reference_date"])
            latest = metas[0]
            for dim in latest.get("dimensions") or []:
                if dim["name"] == name:
                    for code in dim.get("order") or []:
                        if code != cells.TOTAL:
                            choices.setdefault(code, dim.get("labels", {}).get(code, code))
        items = list(choices.items())
        if name == TIME:
            items.sort(reverse=True)
        options.append((name, items))
    return options


# --- Builder (statistics office) -----------------------------------------------------------


def _require_builder(user):
    if not may_build(user):
        raise PermissionDenied(_("Dashboards gestaltet nur die Statistikstelle."))


DASHBOARD_FIELDS = ("title", "slug", "description", "filters", "visibility")
WIDGET_FIELDS = (
    "title",
    "kind",
    "table",
    "compare_table",
    "x_dimension",
    "series_dimension",
    "palette",
    "width",
    "note",
    "map_level",
    "map_method",
    "map_classes",
    "map_breaks",
)


def create_dashboard(user, *, groups=(), **fields):
    _require_builder(user)
    with transaction.atomic():
        dashboard = Dashboard.objects.create(
            owner=user, **{k: v for k, v in fields.items() if k in DASHBOARD_FIELDS}
        )
        set_groups(dashboard, user, groups)
    return dashboard


def update_dashboard(dashboard, user, *, groups=None, **fields):
    _require_builder(user)
    for name, value in fields.items():
        if name in DASHBOARD_FIELDS:
            setattr(dashboard, name, value)
    with transaction.atomic():
        dashboard.save()
        if groups is not None:
            set_groups(dashboard, user, groups)
    return dashboard


def set_groups(dashboard, user, groups):
    """The groups that may see a dashboard restricted to groups (guardian object grants)."""
    _require_builder(user)
    wanted = set(groups)
    current = set(visible_groups(dashboard))
    for group in current - wanted:
        remove_perm("dashboards.view_dashboard", group, dashboard)
    for group in wanted - current:
        assign_perm("dashboards.view_dashboard", group, dashboard)


def publish_dashboard(dashboard, user, *, publish=True):
    _require_builder(user)
    if publish and not dashboard.widgets.exists():
        raise ValidationError(_("Ein Dashboard ohne Elemente kann nicht veröffentlicht werden."))
    dashboard.status = Dashboard.Status.PUBLISHED if publish else Dashboard.Status.DRAFT
    dashboard.published_at = timezone.now() if publish else None
    dashboard.save(update_fields=["status", "published_at", "updated_at"])
    return dashboard


def check_widget(kind, table, compare_table, x_dimension, series_dimension, *, area_level=""):
    """Dimensions must exist in the table's newest publication; a map needs a dimension
    whose codes are units of an area level with geometry."""
    metas = publications([table.pk]).get(table.pk)
    if not metas:
        raise ValidationError(
            _("Von „%(t)s“ ist noch keine Version veröffentlicht.") % {"t": table}
        )
    names = {d["name"] for d in metas[0].get("dimensions") or []}
    if kind == Widget.Kind.LINE and len(metas) > 1:
        names.add(TIME)
    for field, name in (("x_dimension", x_dimension), ("series_dimension", series_dimension)):
        if name and name not in names:
            raise ValidationError(
                {
                    field: _("„%(name)s“ ist kein Merkmal von „%(t)s“ (vorhanden: %(names)s).")
                    % {"name": name, "t": table, "names": ", ".join(sorted(names))}
                }
            )
    if kind == Widget.Kind.MAP:
        dims = {d["name"]: d.get("order") or [] for d in metas[0].get("dimensions") or []}
        x = x_dimension or cells.default_axes(metas[0], "map")
        level = map_level(dims.get(x, []), area_level)
        if not level or not set(dims.get(x, [])) & set(label_points(level)):
            raise ValidationError(
                _(
                    "Eine Karte braucht ein Merkmal, dessen Codes Gebiete einer Ebene mit "
                    "Geometrie sind (Tabelle „%(t)s“, Merkmal „%(x)s“)."
                )
                % {"t": table, "x": x}
            )
    if compare_table is not None and not publications([compare_table.pk]).get(compare_table.pk):
        raise ValidationError(
            {
                "compare_table": _("Von „%(t)s“ ist noch keine Version veröffentlicht.")
                % {"t": compare_table}
            }
        )


def add_widget(dashboard, user, **fields):
    _require_builder(user)
    fields = {k: v for k, v in fields.items() if k in WIDGET_FIELDS}
    position = dashboard.widgets.aggregate(p=Max("position"))["p"]
    widget = Widget.objects.create(
        dashboard=dashboard, position=0 if position is None else position + 1, **fields
    )
    dashboard.save(update_fields=["updated_at"])
    return widget


def update_widget(widget, user, **fields):
    _require_builder(user)
    for name, value in fields.items():
        if name in WIDGET_FIELDS:
            setattr(widget, name, value)
    widget.save()
    return widget


def delete_widget(widget, user):
    _require_builder(user)
    dashboard = widget.dashboard
    widget.delete()
    _renumber(dashboard)


def move_widget(widget, user, step):
    """Move one place up (step -1) or down (+1) in the grid."""
    _require_builder(user)
    dashboard = widget.dashboard
    with transaction.atomic():
        # Lock only the widget rows: compare_table is a nullable join PostgreSQL cannot lock.
        ordered = list(widgets_of(dashboard).select_for_update(of=("self",)))
        index = next(i for i, w in enumerate(ordered) if w.pk == widget.pk)
        target = index + step
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                Widget.objects.filter(pk=item.pk).update(position=position)


def _renumber(dashboard):
    for position, item in enumerate(widgets_of(dashboard)):
        if item.position != position:
            Widget.objects.filter(pk=item.pk).update(position=position)
