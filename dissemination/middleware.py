"""Open-data mode: the process answers only the open tables' read-only endpoints.

Everything else — pages, other API endpoints, admin, login, any write — is 404 (or 405 for
a write), so a process started with BIF_OPEN_DATA_MODE=1 cannot be turned into the portal.
Which tables are open is decided in dissemination.selectors.visible_tables.
"""

from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import Resolver404, resolve

OPEN_ROUTES = {
    "table-permalink",
    "table-versions",
    "catalogue",
    "catalogue-format",
    "feed-new-data",
    "health",
}


class OpenDataOnly:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "BIF_OPEN_DATA_MODE", False):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name not in OPEN_ROUTES:
            return JsonResponse(
                {"error": {"code": "not_found", "message": "Nicht gefunden (offene Daten)."}},
                status=404,
            )
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        # Never a session or a login here: anonymous and read-only.
        request.user = _anonymous()
        return self.get_response(request)


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
