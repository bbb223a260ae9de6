"""Security headers with production settings (DEBUG off, HTTPS), page by page.

The count of checked headers is printed at the end of the test run (tests/conftest.py).
"""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
FEATURES_OFF = ("camera=()", "geolocation=()", "microphone=()", "payment=()", "usb=()")


@pytest.fixture
def production(settings):
    """What DEBUG=0 gives (tests/conftest.py relaxes these for the other tests)."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


class Tally:
    def __init__(self, config):
        self.store = config.__dict__.setdefault(
            "bif_security_headers", {"headers": 0, "pages": set()}
        )

    def check(self, path, response):
        for name, value in EXPECTED.items():
            assert response.get(name) == value, (path, name, response.get(name))
            self.count(path)
        csp = parse_csp(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"], (path, csp["script-src"])
        assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(csp["script-src"])
        assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'self'"]
        assert csp["form-action"] == ["'self'"]
        assert set(csp["img-src"]) == {"'self'", "data:", "blob:"}
        self.count(path)
        policy = response["Permissions-Policy"]
        assert all(feature in policy for feature in FEATURES_OFF), (path, policy)
        self.count(path)

    def count(self, path, n=1):
        self.store["headers"] += n
        self.store["pages"].add(path)


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def tally(request):
    return Tally(request.config)


def https_get(client, path, **extra):
    return client.get(path, secure=True, **extra)


def test_plain_http_is_redirected_to_https(client, production):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_the_login_page_and_its_cookies(client, production, tally):
    response = https_get(client, reverse("login"))
    assert response.status_code == 200
    tally.check(reverse("login"), response)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    tally.count(reverse("login"))

    factories.staff_user(username="kopf")
    response = client.post(
        reverse("login"),
        {"username": "kopf", "password": "geheim-und-lang-2026"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    tally.count(reverse("login"))


def test_every_kind_of_page_sends_the_headers(
    client, production, tally, administrator, statistician
):
    pages = [
        (administrator, "/", 200),
        (administrator, "/dashboards/", 200),
        (administrator, "/tabellen/", 200),
        (administrator, "/katalog/", 200),
        (administrator, "/katalog/importe/", 200),
        (administrator, "/einfuehrung/", 200),
        (statistician, "/statistikstelle/einzeldaten/", 200),
        (administrator, "/statistikstelle/audit/", 200),
        (administrator, "/admin/", 200),
        (administrator, "/api/v1/sources/", 200),
        (administrator, "/api/docs/", 200),
        (administrator, "/gibt-es-nicht/", 404),
    ]
    for user, path, status in pages:
        client.force_login(user)
        response = https_get(client, path)
        assert response.status_code == status, (path, response.status_code)
        tally.check(path, response)


def test_the_lockout_page_sends_the_headers_too(client, production, tally, staff):
    for _ in range(5):
        response = client.post(
            reverse("login"), {"username": staff.username, "password": "falsch"}, secure=True
        )
    assert response.status_code == 429
    tally.check("lockout", response)


def test_deploy_check_warns_about_nothing_in_this_configuration(production):
    """The settings module itself (not only these overrides) is checked in test_settings.py;
    here: the check framework with the security checks sees production values."""
    from django.core import checks

    messages = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("security.")
    ]
    assert [m.id for m in messages if m.id != "security.W009"] == []
