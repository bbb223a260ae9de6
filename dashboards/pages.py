"""A dashboard page's body and a figure's ETag: cached and versioned by what they show.

The body is the part of the page that is the same for every viewer allowed to see the
dashboard; its key names the dashboard's and widgets' last change, the publications they may
draw, the filters and the language, so nothing stale is ever served.
"""

import hashlib
import json

from django.core.cache import cache
from django.db.models import Count, Max, Q, Subquery, Sum, Value
from django.utils import translation

from indicators.models import Indicator
from statistics_office.tables.exports import secret_sign
from statistics_office.tables.models import PublishedTable

from .models import Dashboard, Widget
from .services import CACHE_SECONDS


def _micros(moment):
    return int(moment.timestamp() * 1_000_000) if moment else 0


def _scalar(queryset, **aggregate):
    """One aggregate over the whole of `queryset` as a scalar subquery (no GROUP BY, so one
    row even when the queryset is empty)."""
    return Subquery(
        queryset.order_by()
        .annotate(_all=Value(1))
        .values("_all")
        .annotate(**aggregate)
        .values(*aggregate)[:1]
    )


def _state(dashboard):
    """What the body depends on in the database, in one query: the widgets (count, ids, last
    change), the publications they may draw (count, ids; a withdrawn version leaves the set,
    a new one comes with a higher id) and the indicator catalogue (count, last change)."""
    widgets = Widget.objects.filter(dashboard=dashboard.pk)
    published = PublishedTable.objects.filter(
        Q(definition_id__in=widgets.values("table_id"))
        | Q(definition_id__in=widgets.values("compare_table_id")),
        withdrawn_at=None,
    )
    row = (
        Dashboard.objects.filter(pk=dashboard.pk)
        .annotate(
            widgets_n=_scalar(widgets, n=Count("pk")),
            widgets_ids=_scalar(widgets, s=Sum("pk")),
            widgets_at=_scalar(widgets, m=Max("updated_at")),
            tables_n=_scalar(published, n=Count("pk")),
            tables_ids=_scalar(published, s=Sum("pk")),
            tables_max=_scalar(published, m=Max("pk")),
            indicators_n=_scalar(Indicator.objects.all(), n=Count("pk")),
            indicators_at=_scalar(Indicator.objects.all(), m=Max("updated_at")),
        )
        .values_list(
            "widgets_n",
            "widgets_ids",
            "widgets_at",
            "tables_n",
            "tables_ids",
            "tables_max",
            "indicators_n",
            "indicators_at",
        )
        .first()
    )
    return [v.isoformat() if hasattr(v, "isoformat") else v for v in row or ()]


def page_key(dashboard, filters):
    """The key the dashboard page's body is cached under: one small query.

    It names everything the body depends on: the dashboard's and its widgets' last change,
    the publications they may draw (a new or withdrawn version changes the set), the
    indicator definitions, the filters and the language. Nothing of the viewer is in it,
    because the body holds nothing of the viewer (who may see the dashboard at all is
    decided before)."""
    state = json.dumps(
        {
            "dashboard": [dashboard.pk, _micros(dashboard.updated_at)],
            "state": _state(dashboard),
            "filters": sorted(filters.items()),
            "lang": translation.get_language(),
            "sign": secret_sign(),
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(state.encode()).hexdigest()[:40]
    return f"bif:dashboards:page:{digest}"


def etag_of(key, request):
    """A strong ETag for a rendered widget: its cache key plus what the response adds (the
    address the map's GeoJSON is given under and the format asked for)."""
    if not key:
        return None
    extra = f"{request.get_host()}|{request.headers.get('Accept', '')}"
    return '"' + hashlib.sha256(f"{key}|{extra}".encode()).hexdigest()[:32] + '"'


def cached_page_body(key, build):
    """The page body's HTML from the cache, or built (and kept) once per key."""
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, CACHE_SECONDS)
    return body


# --- Filters -----------------------------------------------------------------------------
