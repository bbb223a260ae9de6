"""The REST API, version 1."""

from rest_framework.routers import DefaultRouter

from dashboards.api import DashboardViewSet
from departments.api import DataSourceViewSet, ImportRunViewSet

router = DefaultRouter()
router.register("sources", DataSourceViewSet, basename="source")
router.register("imports", ImportRunViewSet, basename="import")
router.register("dashboards", DashboardViewSet, basename="dashboard")

urlpatterns = router.urls
