"""The office edits a version's metadata in a form; the calendar shows what is planned and
embargoed; a table has one stable page address by slug; a dashboard keeps its slug URL."""

import datetime as dt

import pytest
from django.utils import timezone

from dissemination.models import PlannedRelease, TableMetadata
from statistics_office.tables.models import TableComputation

pytestmark = pytest.mark.django_db


def test_office_saves_metadata_in_the_form(client, office, computation):
    author, _ = office
    comp = computation()
    client.force_login(author)
    url = f"/daten/statistikstelle/berechnung/{comp.pk}/metadaten/"
    page = client.get(url)
    assert page.status_code == 200 and "Fußnoten" in page.content.decode()
    response = client.post(
        url,
        {
            "unit": "Personen",
            "licence": "dl-de/by-2-0",
            "accrual_periodicity": "ANNUAL",
            "official_statistics": "on",
            "time_dimension": "Jahr",
            "footnotes": '[{"level": "table", "text": "Hauptwohnsitz"}]',
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    metadata = TableMetadata.objects.get(computation=comp)
    assert metadata.unit == "Personen"
    assert metadata.footnotes == [{"level": "table", "text": "Hauptwohnsitz"}]


def test_bad_footnote_is_shown_in_german(client, office, computation):
    author, _ = office
    comp = computation()
    client.force_login(author)
    response = client.post(
        f"/daten/statistikstelle/berechnung/{comp.pk}/metadaten/",
        {"licence": "dl-de/by-2-0", "accrual_periodicity": "ANNUAL",
         "footnotes": '[{"level": "dimension", "dimension": "Alter", "text": "x"}]'},
    )  # fmt: skip
    assert response.status_code == 200
    assert "unbekanntes Merkmal „Alter“" in response.content.decode()


def test_metadata_form_is_not_for_departments(client, analyst, office, computation):
    client.force_login(analyst)
    comp = computation()
    assert client.get(f"/daten/statistikstelle/berechnung/{comp.pk}/metadaten/").status_code == 404


def test_release_calendar_lists_planned_and_embargoed_tables(
    client, staff, office, computation, definition
):
    PlannedRelease.objects.create(
        definition=definition, planned_at=timezone.now() + dt.timedelta(days=30),
        note="Jahreszahlen 2025",
    )  # fmt: skip
    comp = computation(TableComputation.Status.REVIEWED)
    TableMetadata.objects.create(computation=comp, release_at=timezone.now() + dt.timedelta(days=2))
    client.force_login(staff)
    page = client.get("/daten/kalender/").content.decode()
    assert "Jahreszahlen 2025" in page and "geprüft, Sperrfrist" in page
    assert page.count("Einwohner nach Jahr und Stadtteil") == 2


def test_stable_page_address_follows_the_current_version(client, staff, publish):
    first = publish()
    client.force_login(staff)
    assert client.get("/daten/tabellen/einwohner-jahr/").url == first.get_absolute_url()
    second = publish()
    assert client.get("/daten/tabellen/einwohner-jahr/").url == second.get_absolute_url()
    assert client.get("/daten/tabellen/einwohner-jahr/?version=1").url == first.get_absolute_url()
    assert client.get("/daten/tabellen/gibt-es-nicht/").status_code == 404
