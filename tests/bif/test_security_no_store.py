"""No cache keeps a copy of microdata or unpublished figures: every answer of the sealed side,
of import runs and their findings, of unpublished tables and of their API says `no-store`
(bif.security.NoStoreMiddleware, settings.NO_STORE_PATHS)."""

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from departments import services, uploads
from statistics_office import access
from statistics_office.intake import versions
from tests import factories

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Stadtteil", "type": "string"},
    ],
    "primaryKey": ["Personen-ID"],
}


def routes(patterns=None, prefix="/"):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def concrete(route, ids):
    """A route with its converters filled: ids by parameter name, slugs with the source."""
    path = re.sub(r"^\^|\$$", "", route).replace("\\.", ".").replace("\\Z", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: f"<x:{m.group(1)}>", path)
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(ids.get(m.group(2), "csv")), path)


@pytest.fixture
def office(source, analyst):
    services.set_schema(source, SCHEMA)
    data = b"Personen-ID;Stadtteil\n" + b"\n".join(f"{i};0{i % 3 + 1}".encode() for i in range(9))
    run = uploads.submit_upload(
        source=source, uploaded_by=analyst, file_name="e.csv", chunks=[data + b"\n"]
    )
    run.refresh_from_db()
    if run.status == "review":
        versions.activate(run.pk)
    statistician = factories.statistician(username="statistik-cache")
    factories.grant(statistician, source, access.VIEW_MICRODATA, access.EXPORT_MICRODATA)
    return statistician, run


def test_every_sensitive_answer_says_no_store(client, source, office, administrator):
    statistician, run = office
    ids = {"pk": run.pk, "slug": source.slug, "user_id": statistician.pk, "fmt": "csv"}
    paths = sorted(
        {
            concrete(route, ids)
            for route in routes()
            if route.startswith(tuple(settings.NO_STORE_PATHS)) and not route.startswith("/admin/")
        }
    )
    assert len(paths) >= 30
    seen = {}
    for user in (statistician, administrator):
        client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, path
            assert "no-store" in response.get("Cache-Control", ""), (user, path)
            seen.setdefault(path, set()).add(response.status_code)
    # The pages that show microdata and findings were answered, not only refused.
    client.force_login(statistician)
    shown = [
        reverse("statistics_office:microdata-browser", args=[source.slug]),
        reverse("statistics_office:microdata-export", args=[source.slug]),
        reverse("departments:run-detail", args=[run.pk]),
        reverse("departments:run-findings-csv", args=[run.pk]),
        f"/api/v1/imports/{run.pk}/",
    ]
    for path in shown:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    client.force_login(administrator)
    for name in ("audit:audit-log", "audit:audit-log-csv", "grants:grant-list"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], name


def test_published_tables_and_dashboards_may_be_cached_by_the_browser(client, staff):
    client.force_login(staff)
    response = client.get(reverse("tables:published-list"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
