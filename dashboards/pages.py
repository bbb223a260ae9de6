"""A dashboard page's body and a figure's ETag: cached and versioned by what they show.

The body is the part of the page that is the same for every viewer allowed to see the
dashboard; its key names the dashboard's and widgets' last change, the publications they may
draw, the filters and the language, so nothing stale is ever served.
"""

import hashlib
import json

from django.core.cache import cache
from django.utils import translation

from indicators.selectors import catalogue_stamp
from statistics_office.tables.exports import secret_sign
from statistics_office.tables.models import PublishedTable

from .models import Widget
from .services import CACHE_SECONDS


def _micros(moment):
    return int(moment.timestamp() * 1_000_000) if moment else 0


def page_key(dashboard, filters):
    """The key the dashboard page's body is cached under: two small queries.

    It names everything the body depends on: the dashboard's and its widgets' last change,
    the publications they may draw (a new or withdrawn version changes the set), the
    filters and the language. Nothing of the viewer is in it, because the body holds
    nothing of the viewer (who may see the dashboard at all is decided before)."""
    widgets = list(
        Widget.objects.filter(dashboard=dashboard)
        .order_by("pk")
        .values_list("pk", "updated_at", "table_id", "compare_table_id")
    )
    definitions = {t for _pk, _at, *tables in widgets for t in tables if t}
    published = PublishedTable.objects.filter(definition_id__in=definitions, withdrawn_at=None)
    state = json.dumps(
        {
            "dashboard": [dashboard.pk, _micros(dashboard.updated_at)],
            "widgets": [[pk, _micros(at)] for pk, at, *_tables in widgets],
            "tables": sorted(published.values_list("id", flat=True)),
            "filters": sorted(filters.items()),
            "lang": translation.get_language(),
            "sign": secret_sign(),
            "indicators": catalogue_stamp(),  # the definitions beside every figure
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
