"""Schemathesis against the live schema: every operation of /api/schema/, as every role
(token) and anonymous, must answer without a 5xx, with a documented status code, the
documented content type and a body that matches the schema.

Cases are generated twice per operation and role: fully at random (mostly 404s and 400s)
and with the path pointing at real objects the seed made (the 200 answers). Hypothesis is
derandomized, so a run is reproducible; the summary line gives the counts."""

import contextlib
import time
from collections import Counter

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bif.api import services as tokens
from dashboards import services as dashboards
from departments import services as catalog
from departments import uploads
from departments.importing.findings import Finding
from departments.models import ImportRun
from statistics_office.microdata import reports
from statistics_office.tables import services as tables
from tests import factories

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and role: random cases, cases on real objects, and invalid (negative) cases.
RANDOM_EXAMPLES = 8
KNOWN_EXAMPLES = 10
NEGATIVE_EXAMPLES = 4

STADTTEIL = {
    "name": "Stadtteil",
    "labels": {"_T": "Insgesamt", "01": "Altstadt", "02": "Neustadt"},
    "order": ["_T", "01", "02"],
}
GESCHLECHT = {
    "name": "Geschlecht",
    "labels": {"_T": "Insgesamt", "m": "männlich", "w": "weiblich"},
    "order": ["_T", "m", "w"],
}
CELLS = [
    {"Stadtteil": st, "Geschlecht": sex, "value": value, "flag": flag}
    for st, sex, value, flag in [
        ("01", "m", 120, ""), ("01", "w", 130, ""), ("01", "_T", 250, ""),
        ("02", "m", None, "secret"), ("02", "w", None, "secret"), ("02", "_T", 9, ""),
        ("_T", "m", 124, ""), ("_T", "w", 135, ""), ("_T", "_T", 259, ""),
    ]
]  # fmt: skip

SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Stadtteil", "type": "string"},
        {"name": "Geschlecht", "type": "string"},
        {"name": "Alter", "type": "integer"},
    ],
    "primaryKey": ["Personen-ID"],
}


@pytest.fixture
def wsgi_app():
    """Django's real WSGI handler, inside the test's transaction: like Django's test client,
    do not let request signals close the connection that holds it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()


def seed():
    """One of everything the API shows, and a token per role. Returns (tokens, objects)."""
    ewo = factories.DepartmentFactory(name="Einwohnermeldewesen", code="ewo")
    source = factories.DataSourceFactory(name="Einwohner", slug="einwohner", department=ewo)
    catalog.set_schema(source, SCHEMA)
    analyst = factories.analyst_of(ewo, username="api-analyst")
    statistician = factories.statistician(username="api-statistik")
    factories.grant(statistician, source, "view_microdata", "define_tables", "publish_tables")
    people = {
        "staff": factories.staff_user(username="api-staff"),
        "analyst": analyst,
        "statistician with grant": statistician,
        "administrator": factories.administrator(username="api-admin"),
        "user without role": factories.UserFactory(username="api-ohne-rolle"),
    }

    data = b"Personen-ID;Stadtteil;Geschlecht;Alter\n1;01;w;30\n2;02;m;41\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=analyst, file_name="ewo.csv", chunks=[data]
    )
    finding = Finding(severity="error", rule="ragged_row", count=1, rows=(3,), params={})
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FAILED, finding_counts={"ragged_row": 1}, message="1 Fehler"
    )
    reports.save(run.pk, findings=[finding.to_dict()])

    definition = tables.save_definition(
        user=statistician,
        sources=[source],
        title="Einwohner nach Stadtteil und Geschlecht",
        dimensions=[{"field": "Stadtteil"}, {"field": "Geschlecht"}],
    )
    table = factories.published_table(
        definition.slug,
        CELLS,
        [STADTTEIL, GESCHLECHT],
        by=statistician,
        suppression_count=2,
    )
    board = dashboards.create_dashboard(
        statistician, title="Profil", slug="profil", filters=["Stadtteil", "Geschlecht"]
    )
    widget = dashboards.add_widget(
        board,
        statistician,
        title="Einwohner",
        kind="bar",
        table=definition,
        x_dimension="Stadtteil",
        series_dimension="Geschlecht",
    )
    dashboards.publish_dashboard(board, statistician)
    from indicators import services as indicators

    indicator = indicators.save_indicator(
        user=statistician,
        name="Einwohner",
        definition="Einwohner mit Hauptwohnsitz.",
        unit="Personen",
        kind="value",
        numerator=definition,
        numerator_label="Einwohner",
        decimals=0,
        status="published",
    )

    keys = {role: tokens.issue_token(user).key for role, user in people.items()}
    keys["anonymous"] = None
    objects = {
        "/api/v1/sources/{slug}/": {"slug": source.slug},
        "/api/v1/imports/{id}/": {"id": run.pk},
        "/api/v1/tables/{id}/": {"id": table.pk},
        "/api/v1/tables/{id}/csv/": {"id": table.pk},
        "/api/v1/tables/{slug}/": {"slug": definition.slug},
        "/api/v1/tables/{slug}/versions/": {"slug": definition.slug},
        "/api/v1/catalogue.{fmt}": {"fmt": "ttl"},
        "/api/v1/table-definitions/{id}/compute/": {"id": definition.pk},
        "/api/v1/table-computations/{id}/": {"id": table.computation.pk},
        "/api/v1/dashboards/{slug}/": {"slug": board.slug},
        "/api/v1/dashboards/{slug}/widgets/{widget_pk}/figure/": {
            "slug": board.slug,
            "widget_pk": widget.pk,
        },
        "/api/v1/indicators/{slug}/": {"slug": indicator.slug},
        "/api/v1/indicator-profiles/{code}/": {"code": "01"},
    }
    return keys, objects


def run_cases(strategy, operation, role, headers, app, max_examples, record):
    @hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def check(case):
        response = case.call(app=app, headers=headers)
        try:
            case.validate_response(
                response, checks=CHECKS, headers=headers, transport_kwargs={"app": app}
            )
        except FailureGroup as group:
            kind = f"{role}: {operation.label}: {group.exceptions[0].title}"
            record(role, response.status_code, kind, str(group))
        else:
            record(role, response.status_code)

    # An operation without parameters has no invalid request to generate (NEGATIVE).
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        check()


def test_every_operation_as_every_role_keeps_to_the_schema(wsgi_app, capsys):
    keys, objects = seed()
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers={"Authorization": f"Token {keys['staff']}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    missing = {op.path for op in operations if "{" in op.path} - set(objects)
    assert not missing, f"no seeded object for {missing}"

    counts = {"cases": 0, "failures": 0}
    statuses = Counter()
    by_role = {role: Counter() for role in keys}
    failures = {}  # one report per role, operation and kind of failure

    def record(role, status, kind=None, report=None):
        counts["cases"] += 1
        statuses[f"{status // 100}xx"] += 1
        by_role[role][f"{status // 100}xx"] += 1
        if kind is not None:
            counts["failures"] += 1
            failures.setdefault(kind, report)

    started = time.monotonic()
    for role, key in keys.items():
        headers = {"Authorization": f"Token {key}"} if key else {}
        for operation in operations:
            strategies = [
                (operation.as_strategy(), RANDOM_EXAMPLES),
                (
                    operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
                    NEGATIVE_EXAMPLES,
                ),
            ]
            if operation.path in objects:
                known = operation.as_strategy(path_parameters=objects[operation.path])
                strategies.append((known, KNOWN_EXAMPLES))
            for strategy, examples in strategies:
                run_cases(strategy, operation, role, headers, wsgi_app, examples, record)
    seconds = time.monotonic() - started

    with capsys.disabled():
        print(
            f"\nschemathesis: {counts['cases']} cases, {counts['failures']} failures over "
            f"{len(operations)} operations x {len(keys)} roles ({seconds:.0f} s; "
            + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
            + ")"
        )
        print(
            "schemathesis 2xx per role: "
            + ", ".join(f"{r}: {c['2xx']}" for r, c in by_role.items())
        )
    assert not failures, "\n".join(failures) + "\n\n" + "\n\n".join(list(failures.values())[:5])
    # The tokens were really used: every role but the anonymous one got answers.
    assert by_role["anonymous"]["2xx"] == 0
    assert all(c["2xx"] > 0 for role, c in by_role.items() if role != "anonymous")
    assert by_role["statistician with grant"]["2xx"] > by_role["staff"]["2xx"]
