"""Permalinks of published tables in every dissemination format, and their versions.

`/api/v1/tables/<slug>/` is always the current version; `?version=N` a fixed one;
`?as_of=2026-03-01` the version that was current then; `?time=from(2021)` / `top(3)`
selects periods of the time dimension of whatever version is current, so shared links
roll forward. `?format=` json-stat (default), sdmx-csv, px, parquet, csv, xlsx.
"""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import datasets, selectors
from .formats import registry
from .formats.selection import SelectionError, select_time

CACHE_SECONDS = 3600


def _renderer(name, media_type):
    class FormatRenderer(BaseRenderer):
        format = name
        charset = None

        def render(self, data, accepted_media_type=None, renderer_context=None):
            import json

            return data if isinstance(data, bytes) else json.dumps(data).encode()

    FormatRenderer.media_type = media_type.split(";")[0]
    FormatRenderer.__name__ = f"{name.title().replace('-', '')}Renderer"
    return FormatRenderer


RENDERERS = [_renderer(name, spec[1]) for name, spec in registry.FORMATS.items()]


class OpenDataAccess:
    """Open-data mode: anyone may read (rate-limited); otherwise a login is needed."""

    throttle_scope = "open_data"

    def get_permissions(self):
        if selectors.open_data_mode():
            return [permissions.AllowAny()]
        return super().get_permissions()

    def get_authenticators(self):
        if selectors.open_data_mode():
            return []  # anonymous and read-only: no token or session counts here
        return super().get_authenticators()

    def get_throttles(self):
        if selectors.open_data_mode():
            return [ScopedRateThrottle()]
        return super().get_throttles()


def _int(value, name):
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise ValidationError({name: _("Bitte eine ganze Zahl angeben.")})
    return int(value)


def table_from_query(request, slug):
    as_of = request.query_params.get("as_of")
    moment = None
    if as_of:
        moment = selectors.parse_as_of(as_of)
        if moment is None:
            raise ValidationError({"as_of": _("Datum als JJJJ-MM-TT angeben.")})
    version = _int(request.query_params.get("version"), "version")
    return selectors.table_for(request.user, slug, version=version, as_of=moment)


def rendered(table, fmt, time=None):
    """The file of a version in a format and its ETag: a published version never changes,
    so it is written once per process and cache (the cells are loaded only then)."""
    query = hashlib.sha256((time or "").encode()).hexdigest()
    # The legend and signs' texts are in the request's language.
    key = f"dissemination:{table.pk}:{fmt}:{translation.get_language()}:{query}"
    hit = cache.get(key)
    if hit is None:
        dataset = datasets.dataset_of(table)
        try:
            dataset = select_time(dataset, time)
        except SelectionError:
            raise ValidationError(
                {"time": _("Zeitauswahl als from(2021), to(2023), top(3) oder 2021,2022 angeben.")}
            )
        body, media_type, extension = registry.write(dataset, fmt)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        hit = (body, media_type, extension, etag)
        cache.set(key, hit, CACHE_SECONDS)
    return hit


def table_response(table, fmt, time=None, if_none_match=None):
    body, media_type, extension, etag = rendered(table, fmt, time)
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=media_type)
        name = f"{table.definition.slug}_v{table.version}.{extension}"
        disposition = "inline" if fmt == "json-stat" else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["ETag"] = etag
    response["Link"] = f'<{datasets.permalink(table)}>; rel="canonical"'
    return response


class TablePermalink(OpenDataAccess, APIView):
    renderer_classes = RENDERERS

    @extend_schema(
        operation_id="tables_permalink",
        summary="Tabelle per Permalink / table permalink",
        parameters=[
            OpenApiParameter("format", str, enum=list(registry.FORMATS), description="Format"),
            OpenApiParameter("version", int, description="Version N"),
            OpenApiParameter("as_of", str, description="Version, die an diesem Datum galt"),
            OpenApiParameter("time", str, description="from(2021), to(2023), top(3), 2021,2022"),
        ],
        responses={
            (200, spec[1].split(";")[0]): (
                OpenApiTypes.OBJECT if name == "json-stat" else OpenApiTypes.BINARY
            )
            for name, spec in registry.FORMATS.items()
        },
        tags=["tables"],
    )
    def get(self, request, slug):
        fmt = request.query_params.get("format") or "json-stat"
        if fmt not in registry.FORMATS:
            raise ValidationError({"format": _("Unbekanntes Format.")})
        table = table_from_query(request, slug)
        return table_response(
            table,
            fmt,
            request.query_params.get("time"),
            if_none_match=request.headers.get("If-None-Match"),
        )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    title = serializers.CharField()
    revision_note = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_revision_note(self, obj) -> str:
        return datasets.metadata_of(obj).revision_note

    def get_url(self, obj) -> str:
        return f"{datasets.permalink(obj)}?version={obj.version}"


class TableVersions(OpenDataAccess, APIView):
    @extend_schema(
        operation_id="tables_versions",
        summary="Versionen einer Tabelle / versions of a table",
        responses={200: VersionSerializer(many=True)},
        tags=["tables"],
    )
    def get(self, request, slug):
        tables = list(selectors.versions_of(request.user, slug).select_related("definition"))
        if not tables:
            raise Http404
        return Response(VersionSerializer(tables, many=True).data)
