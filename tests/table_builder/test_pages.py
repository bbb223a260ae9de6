"""The builder's page, downloads, saved queries, proposals, the office page and the API."""

import json

import pytest
from django.urls import reverse

from statistics_office.builder import services
from statistics_office.builder.models import BuilderQuery, Proposal, SavedQuery

from .conftest import load, residents_frame

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]
BUILDER = reverse("table_builder:builder")


def build(client, capture, **fields):
    with capture(execute=True):
        response = client.post(BUILDER, {"quelle": fields.pop("quelle"), **fields})
    assert response.status_code == 302
    return BuilderQuery.objects.latest("pk"), client.get(response["Location"])


def test_staff_build_a_table_and_download_it(
    client, staff, source, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    page = client.get(BUILDER)
    assert page.status_code == 200 and "Alter (Planungsgruppen)" in page.content.decode()
    query, result = build(
        client,
        django_capture_on_commit_callbacks,
        quelle=source.pk,
        row1="stadtteil",
        column="geschlecht",
    )
    text = result.content.decode()
    assert query.status == BuilderQuery.Status.DONE
    assert "Die Werte sind überlagert" in text and "Cell-Key-Verfahren" in text
    assert "Stadtteil 04" in text and "–" in text  # labels and the zero sign
    for fmt, marker in (("csv", "Stadtteil"), ("json-stat", '"version": "2.0"')):
        download = client.get(reverse("table_builder:download", args=[query.pk, fmt]))
        assert download.status_code == 200
        body = download.content.decode("utf-8-sig")
        assert marker in body and "überlagert" in body
    xlsx = client.get(reverse("table_builder:download", args=[query.pk, "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    document = json.loads(
        client.get(reverse("table_builder:download", args=[query.pk, "json-stat"])).content
    )
    assert document["id"] == ["Stadtteil", "Geschlecht"]
    assert not any(v in (1, 2) for v in document["value"])


def test_a_refused_query_shows_its_reason_on_the_page(
    client, staff, source, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _query, result = build(
        client,
        django_capture_on_commit_callbacks,
        quelle=source.pk,
        row1="stadtteil",
        filter_geschlecht=["m", "w"],
    )
    assert "weniger Fälle aus, als die Geheimhaltung erlaubt" in result.content.decode()


def test_another_persons_query_is_not_found(
    client, staff, source, catalogue, django_capture_on_commit_callbacks
):
    from tests import factories

    with django_capture_on_commit_callbacks(execute=True):
        query = services.ask(staff, source, {"rows": ["stadtteil"]})
    other = factories.staff_user(username="kollege")
    client.force_login(other)
    assert client.get(f"{BUILDER}?abfrage={query.pk}").status_code == 404
    assert client.get(reverse("table_builder:download", args=[query.pk, "csv"])).status_code == 404


def test_people_without_the_staff_role_do_not_see_the_builder(client, no_role_user, catalogue):
    client.force_login(no_role_user)
    assert client.get(BUILDER).status_code == 404
    assert client.get(reverse("table_builder:office")).status_code == 404


def test_a_saved_query_rolls_forward_to_the_new_version(
    client, staff, source, catalogue, django_capture_on_commit_callbacks
):
    import datetime as dt

    capture = django_capture_on_commit_callbacks
    client.force_login(staff)
    query, _page = build(client, capture, quelle=source.pk, row1="stadtteil")
    client.post(reverse("table_builder:save", args=[query.pk]), {"title": "Einwohner"})
    saved = SavedQuery.objects.get(user=staff)
    load(source, residents_frame(n=4400), 9102, reference_date=dt.date(2026, 12, 31))
    with capture(execute=True):
        response = client.post(reverse("table_builder:run-saved", args=[saved.pk]))
    again = BuilderQuery.objects.latest("pk")
    assert response.status_code == 302 and again.status == BuilderQuery.Status.DONE
    assert (query.import_run_id, again.import_run_id) == (9101, 9102)
    assert again.reference_date == dt.date(2026, 12, 31)


def test_a_proposal_reaches_the_office_which_takes_it_over_as_a_definition(
    client, staff, statistician, source, catalogue, grant_to, django_capture_on_commit_callbacks
):
    from statistics_office import access

    client.force_login(staff)
    query, _page = build(
        client,
        django_capture_on_commit_callbacks,
        quelle=source.pk,
        row1="stadtteil",
        column="alter_planung",
    )
    client.post(
        reverse("table_builder:propose", args=[query.pk]),
        {"title": "Einwohner nach Altersgruppen", "reason": "Kita-Planung"},
    )
    proposal = Proposal.objects.get()
    assert proposal.status == Proposal.Status.OPEN and proposal.proposed_by == staff
    grant_to(statistician, source, access.DEFINE_TABLES)
    client.force_login(statistician)
    office = client.get(reverse("table_builder:office"))
    assert "Einwohner nach Altersgruppen" in office.content.decode()
    response = client.post(
        reverse("table_builder:office"), {"proposal": proposal.pk, "decision": "accept"}
    )
    proposal.refresh_from_db()
    definition = proposal.definition
    assert response.status_code == 302 and proposal.status == Proposal.Status.ACCEPTED
    assert definition.method == "cellkey" and definition.created_by == statistician
    assert [d["field"] for d in definition.dimensions] == ["Stadtteil", "Geburtsdatum"]


def test_the_office_page_lists_queries_differing_by_one_category(
    client, staff, statistician, source, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.TABLE_BUILDER_RELATED_QUERIES = 10
    with django_capture_on_commit_callbacks(execute=True):
        for values in (["01", "02"], ["01", "02", "03"], ["01", "02", "04"]):
            services.ask(
                staff,
                source,
                {"rows": ["alter_planung"], "filters": [{"item": "stadtteil", "values": values}]},
            )
    client.force_login(statistician)
    text = client.get(reverse("table_builder:office")).content.decode()
    assert "mitarbeiterin" in text and "Paare mit einer Kategorie Unterschied" in text


def test_the_api_answers_with_protected_cells_and_the_same_budget(
    client, staff, source, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE = 1
    client.force_login(staff)
    url = "/api/v1/table-builder/queries/"
    body = {"source": source.pk, "rows": ["stadtteil"], "columns": ["geschlecht"]}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 202, answer.content  # the worker answers after the commit
    followed = client.get(f"{url}{answer.json()['id']}/")
    assert followed.status_code == 200
    data = followed.json()
    assert data["status"] == "done" and data["cells"] and data["legend"]
    assert set(data["cells"][0]) == {"Stadtteil", "Geschlecht", "value", "flag"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 429 and "erschöpft" in refused.json()["message"]
    catalogues = client.get("/api/v1/table-builder/")
    assert catalogues.status_code == 200 and catalogues.json()["results"][0]["source"] == source.pk


def test_the_api_is_not_found_for_people_without_the_staff_role(client, no_role_user, catalogue):
    client.force_login(no_role_user)
    assert client.get("/api/v1/table-builder/").status_code == 404
    answer = client.post(
        "/api/v1/table-builder/queries/",
        {"source": catalogue.source_id, "rows": ["stadtteil"]},
        content_type="application/json",
    )
    assert answer.status_code == 404
