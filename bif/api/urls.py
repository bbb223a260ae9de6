"""The API's schema and its docs page (both need a login; included at /api/)."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The page's script is a separate file (`?script=`), so a Content-Security-Policy
    # without 'unsafe-inline' lets it run; people who are not logged in go to the login.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/docs.html"
            )
        ),
        name="api-docs",
    ),
]
