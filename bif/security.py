"""Security plumbing that Django does not ship: the client address behind proxies, the login
lockout backend and answer, the lockout audit, the Permissions-Policy header and
`Cache-Control: no-store` for pages that show microdata or unpublished figures.

The policies themselves (limits, CSP directives, headers) live in settings.py ("Security").
"""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
    address the outermost of them appended to X-Forwarded-For.

    Each proxy appends the address it was connected from, so of `X-Forwarded-For` plus
    REMOTE_ADDR the last N are our proxies and the one before them is the client; whatever
    stands further left, the client wrote itself. A request that passed fewer proxies than
    configured (someone reaching the app directly) counts with its REMOTE_ADDR.
    """
    if request is None:
        return ""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote[:45]
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()] + [remote]
    if len(chain) <= proxies:
        return remote[:45]
    candidate = chain[-(proxies + 1)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote[:45]


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes over HTTP.

    A login without a request (the shell, a management command, the test client's
    `login()`) is not an attempt from the network: there is no client address to throttle,
    so it passes on to the next backend instead of failing with an error.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _wants_json(request):
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith("/api/")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or ("application/json" in accept and "text/html" not in accept)
    )


def lockout_response(request, original_response=None, credentials=None):
    """429 Too Many Requests: a page for people, a JSON error for programs (AXES_LOCKOUT_CALLABLE).

    It never says whether the user name exists; the same answer comes for any name.
    """
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    if minutes:
        message = _(
            "Zu viele fehlgeschlagene Anmeldeversuche. Die Anmeldung ist für %(minutes)s "
            "Minuten gesperrt."
        ) % {"minutes": minutes}
    else:
        message = _(
            "Zu viele fehlgeschlagene Anmeldeversuche. Die Anmeldung ist gesperrt, bis die "
            "Administration sie wieder freigibt."
        )
    if _wants_json(request):
        response = JsonResponse(
            {"error": {"status": 429, "code": "locked_out", "message": message}}, status=429
        )
    else:
        context = {"message": message, "minutes": minutes}
        response = render(request, "registration/locked_out.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """The moment an account is locked goes to the audit log (axes' `user_locked_out`)."""
    from bif import audit

    audit.record(
        action=audit.Action.LOGIN_FAILED,
        outcome=audit.Outcome.DENIED,
        request=request,
        details={"username": str(username or "")[:150], "locked_out": True},
    )


class PermissionsPolicyMiddleware:
    """Sets Permissions-Policy (settings.PERMISSIONS_POLICY) and Cross-Origin-Resource-Policy,
    which Django's SecurityMiddleware does not know."""

    def __init__(self, get_response):
        self.get_response = get_response
        features = getattr(settings, "PERMISSIONS_POLICY", {})
        self.policy = ", ".join(
            f"{name}=({' '.join(allow)})" for name, allow in sorted(features.items())
        )
        self.resource_policy = getattr(settings, "CROSS_ORIGIN_RESOURCE_POLICY", "same-origin")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        if self.resource_policy:
            response.headers.setdefault("Cross-Origin-Resource-Policy", self.resource_policy)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` (Django's never_cache headers) on every answer below
    settings.NO_STORE_PATHS: the sealed side's pages (microdata, its exports, the audit log,
    grants), import runs and their findings, unpublished tables and their API. No browser
    cache, back button on a shared machine or proxy keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "NO_STORE_PATHS", ()))

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            add_never_cache_headers(response)
        return response
