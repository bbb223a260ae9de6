"""The portal's URLs plus the grant pages, for tests until bif/urls.py includes them."""

from django.urls import include, path

from bif.urls import urlpatterns as base

_wired = any(getattr(pattern, "namespace", None) == "grants" for pattern in base)

urlpatterns = list(base)
if not _wired:
    urlpatterns.append(
        path("statistikstelle/", include(("statistics_office.grant_urls", "grants")))
    )
