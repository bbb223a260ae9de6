"""The access matrix: every URL of the project (taken from the URL resolver, so new views are
included automatically) requested as every role. No response to anyone without a valid grant
may contain a microdata value; the sources are seeded with marker values to search for."""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from departments import services, uploads
from statistics_office.microdata import reports
from statistics_office.models import Grant
from tests import factories

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Name", "type": "string"},
        {"name": "Merkmal", "type": "string"},
        {"name": "Stadtteil", "type": "string"},
        {"name": "Alter", "type": "integer"},
    ],
    "primaryKey": ["Personen-ID"],
}
MARK = {"X": ("ZZXMARK", "QQXCAT"), "Y": ("ZZYMARK", "QQYCAT")}


def upload(source, letter, user):
    name, category = MARK[letter]
    rows = [
        f"{letter}{i:05d};{name}{i:04d};{category}{i % 3};0{i % 9 + 1};{20 + i % 50}"
        for i in range(1, 61)
    ]
    data = "Personen-ID;Name;Merkmal;Stadtteil;Alter\n" + "\n".join(rows) + "\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=user, file_name=f"{letter}.csv", chunks=[data.encode()]
    )
    run.refresh_from_db()
    assert run.status == "accepted", reports.findings_of(run.pk)
    return run


def walk(patterns, prefix=""):
    """(route template, pattern) for every URL pattern, resolvers expanded."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def concrete_paths(route, values):
    """Sample paths for a route (path() converters or regex groups) with every value choice."""
    names = [m.group(2) or m.group(3) for m in PARAM.finditer(route)]
    choices = [[None]]
    for name in names:
        choices = [c + [v] for c in choices for v in values.get(name, ["1"])]
    for choice in choices:
        picks = iter(choice[1:])
        path = PARAM.sub(lambda m, picks=picks: str(next(picks)), route)
        path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
        path = re.sub(r"[()?*+\[\]\\]", "", path)
        yield "/" + path.lstrip("/")


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_no_response_without_a_valid_grant_contains_microdata(client):
    a = factories.DepartmentFactory(name="Einwohnermeldewesen", code="ewo")
    b = factories.DepartmentFactory(name="Kindertagesbetreuung", code="kita")
    x = factories.DataSourceFactory(name="Einwohner", slug="quelle-x", department=a)
    y = factories.DataSourceFactory(name="Kita", slug="quelle-y", department=b)
    for source in (x, y):
        services.set_schema(source, SCHEMA)
    analyst_a = factories.analyst_of(a, username="analyst-a")
    analyst_b = factories.analyst_of(b, username="analyst-b")
    run_x, run_y = upload(x, "X", analyst_a), upload(y, "Y", analyst_b)

    granted = factories.statistician(username="stat-granted")
    grants_x = factories.grant(granted, x, "view_microdata", "export_microdata", "define_tables")
    expired = factories.statistician(username="stat-expired")
    (old,) = factories.grant(expired, x, "view_microdata")
    Grant.objects.filter(pk=old.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    untrained = factories.statistician(username="stat-untrained")
    factories.grant(untrained, x, "view_microdata")
    untrained.office_member.training_valid_until = timezone.localdate() - datetime.timedelta(1)
    untrained.office_member.save()

    roles = {
        "anonymous": None,
        "Mitarbeitende": factories.staff_user(username="staff-m"),
        "analyst A": analyst_a,
        "analyst B": analyst_b,
        "statistician without grant": factories.statistician(username="stat-none"),
        "statistician with grant on X": granted,
        "statistician with expired grant": expired,
        "statistician without training": untrained,
        "administrator": factories.administrator(username="admin-m"),
    }
    ids = sorted({run_x.pk, run_y.pk, grants_x[0].pk, old.pk, granted.pk, 1})
    values = {
        "slug": [x.slug, y.slug],
        "pk": ids,
        "id": ids,
        "user_id": [granted.pk, expired.pk],
        "object_id": ids,
        "app_label": ["departments", "statistics_office", "auth"],
        "model_name": ["datasource", "importrun", "grant"],
        "format": ["json", "csv"],
        "content_type_id": ["1"],
        "url": ["x"],
    }
    paths = sorted(
        {p for route in walk(get_resolver().url_patterns) for p in concrete_paths(route, values)}
    )
    assert len(paths) > 50

    leaks, requests = [], 0
    for role, user in roles.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        allowed = {"X"} if role == "statistician with grant on X" else set()
        for path in paths:
            response = client.get(path)
            requests += 1
            assert response.status_code < 500, (role, path, response.status_code)
            body = body_of(response)
            for letter, markers in MARK.items():
                if letter not in allowed and any(m in body for m in markers):
                    leaks.append((role, path, letter))
    print(f"\naccess matrix: {len(roles)} roles x {len(paths)} URLs = {requests} requests")
    assert leaks == []
    # And the one who may, does see X (so the markers are findable at all).
    client.force_login(granted)
    assert MARK["X"][0] in body_of(client.get(f"/statistikstelle/einzeldaten/{x.slug}/"))
