"""Project-wide pages: start page and health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connections
from django.http import JsonResponse
from django.shortcuts import render

from departments import selectors


def home(request):
    return render(
        request,
        "home.html",
        {
            "departments": selectors.departments_with_sources(),
            "upload_sources": selectors.data_sources_for(request.user, "upload"),
        },
    )


@login_not_required
def health(request):
    """Liveness for the load balancer and docker-compose: the portal database answers."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
