from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views
from .api import views as api_views

admin.site.site_header = _("BIF – Verwaltung")
admin.site.site_title = _("BIF")
admin.site.index_title = _("Verwaltung")

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("konto/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("katalog/", include("departments.urls")),
    path("statistikstelle/", include("statistics_office.urls")),
    path("statistikstelle/", include(("statistics_office.audit_urls", "audit"))),
    path("statistikstelle/", include(("statistics_office.grant_urls", "grants"))),
    path("tabellen/", include("statistics_office.tables.urls")),
    path("einfuehrung/", include("rollout.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("indikatoren/", include("indicators.urls")),
    path("daten/", include("dissemination.urls")),
    path("api/v1/", include("bif.api_urls")),
    path("api/", include("bif.api.urls")),
    path("konto/api-token/", api_views.token_page, name="api-token"),
    path("admin/", admin.site.urls),
]

# Below /api/ unknown addresses and crashes answer with the API's error body (bif/api/errors.py).
handler404 = "bif.api.errors.handler404"
handler500 = "bif.api.errors.handler500"
