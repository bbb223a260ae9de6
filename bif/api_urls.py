"""The REST API, version 1 (included at /api/v1/). Everything here is in the OpenAPI schema
at /api/schema/ and its docs page at /api/docs/ (README "API")."""

from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from dashboards.api import DashboardViewSet
from departments.api import DataSourceViewSet, ImportRunViewSet
from departments.onboarding_api import SourceDescribe
from dissemination import api as dissemination_api
from dissemination import feeds as dissemination_feeds
from indicators import api as indicators_api
from statistics_office.tables import api as tables_api

from .api.filters import IdConverter

register_converter(IdConverter, "id")

router = SimpleRouter()
router.register("sources", DataSourceViewSet, basename="source")
router.register("imports", ImportRunViewSet, basename="import")
router.register("dashboards", DashboardViewSet, basename="dashboard")
router.register("indicators", indicators_api.IndicatorViewSet, basename="indicator")

urlpatterns = [
    # Before the router: "describe" is no source slug (onboarding.RESERVED_SLUGS).
    path("sources/describe/", SourceDescribe.as_view(), name="source-describe"),
    *router.urls,
    path(
        "indicator-profiles/<str:code>/",
        indicators_api.DistrictProfile.as_view(),
        name="indicator-profile",
    ),
    path("tables/", tables_api.PublishedTableList.as_view(), name="table-list"),
    path("tables/<id:pk>/", tables_api.PublishedTableDetail.as_view(), name="table-detail"),
    path("tables/<id:pk>/csv/", tables_api.PublishedTableCSV.as_view(), name="table-csv"),
    # Permalinks by slug (issue 20): after the ids, so a number stays an id.
    path(
        "tables/<slug:slug>/",
        dissemination_api.TablePermalink.as_view(),
        name="table-permalink",
    ),
    path(
        "tables/<slug:slug>/versions/",
        dissemination_api.TableVersions.as_view(),
        name="table-versions",
    ),
    path("feeds/neue-daten/", dissemination_feeds.NewDataFeed.as_view(), name="feed-new-data"),
    path("catalogue/", dissemination_feeds.Catalogue.as_view(), name="catalogue"),
    path(
        "catalogue.<str:fmt>",
        dissemination_feeds.Catalogue.as_view(),
        name="catalogue-format",
    ),
    path(
        "table-definitions/",
        tables_api.DefinitionListCreate.as_view(),
        name="table-definition-list",
    ),
    path(
        "table-definitions/<id:pk>/compute/",
        tables_api.DefinitionCompute.as_view(),
        name="table-definition-compute",
    ),
    path(
        "table-computations/<id:pk>/",
        tables_api.ComputationDetail.as_view(),
        name="table-computation-detail",
    ),
]
