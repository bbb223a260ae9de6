"""The Atom feed "Neue Daten" and the DCAT-AP.de catalogue, as API views (token, session
or — in open-data mode — anyone, rate-limited)."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from . import catalogue, datasets, selectors
from .api import OpenDataAccess, _renderer

FEED_SIZE = 50


def new_data_feed(user):
    feed = Atom1Feed(
        title=_("Neue Daten – Statistik %(city)s") % {"city": settings.BIF_CITY_NAME},
        link=f"{settings.BIF_PUBLIC_BASE_URL}/api/v1/tables/",
        description=_("Neu veröffentlichte Tabellen und Versionen"),
        language="de",
        feed_url=f"{settings.BIF_PUBLIC_BASE_URL}/api/v1/feeds/neue-daten/",
    )
    tables = selectors.visible_tables(user).defer("cells").order_by("-published_at")[:FEED_SIZE]
    for table in tables:
        metadata = datasets.metadata_of(table)
        link = f"{datasets.permalink(table)}?version={table.version}"
        feed.add_item(
            title=_("%(title)s (Version %(version)s)")
            % {"title": table.title, "version": table.version},
            link=link,
            unique_id=link,
            description=metadata.revision_note or table.description or table.title,
            pubdate=table.published_at,
            updateddate=table.published_at,
        )
    return feed.writeString("utf-8").encode("utf-8")


@extend_schema(
    summary="Atom-Feed „Neue Daten“ / new data feed",
    responses={(200, "application/atom+xml"): OpenApiTypes.STR},
    tags=["tables"],
)
class NewDataFeed(OpenDataAccess, APIView):
    # JSON first: errors (and a failed ?format= negotiation) answer with the JSON error body.
    renderer_classes = [JSONRenderer, _renderer("atom", "application/atom+xml")]

    def get(self, request):
        return HttpResponse(
            new_data_feed(request.user), content_type="application/atom+xml; charset=utf-8"
        )


@extend_schema(
    summary="DCAT-AP.de-Katalog der offenen Tabellen / DCAT-AP.de catalogue",
    responses={
        (200, "text/turtle"): OpenApiTypes.STR,
        (200, "application/ld+json"): OpenApiTypes.OBJECT,
    },
    tags=["tables"],
)
class Catalogue(OpenDataAccess, APIView):
    renderer_classes = [
        JSONRenderer,
        _renderer("ttl", "text/turtle"),
        _renderer("jsonld", "application/ld+json"),
    ]

    def get(self, request, fmt="ttl"):
        if fmt not in ("ttl", "jsonld"):
            raise Http404
        body, media_type = catalogue.serialise(fmt)
        return HttpResponse(body, content_type=media_type)
