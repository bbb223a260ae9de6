"""Metadata per version (edited before review, frozen after publication) reach every format;
an embargoed table appears at its release time and not a minute before."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

from dissemination import release, services
from dissemination.models import TableMetadata
from statistics_office.tables import publication
from statistics_office.tables.checks import TableError
from statistics_office.tables.models import PublishedTable, TableComputation

from .. import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/tables/einwohner-jahr/"
Status = TableComputation.Status
FOOTNOTES = [
    {"level": "table", "text": "Melderegister, Hauptwohnsitz"},
    {"level": "dimension", "dimension": "Stadtteil", "text": "Gebietsstand 2024"},
    {"level": "value", "dimension": "Stadtteil", "code": "02", "text": "ab 2022 neue Abgrenzung"},
    {"level": "cell", "cell": {"Jahr": "2023", "Stadtteil": "01"}, "text": "Nachmeldung"},
]


def test_office_edits_metadata_before_review_and_every_level_reaches_json_stat(
    client, office, computation, staff
):
    author, _reviewer = office
    comp = computation()
    services.save_metadata(
        author,
        comp,
        unit="Personen",
        reference_period="31.12.2023",
        contact_name="Statistikstelle",
        contact_email="statistik@example.org",
        legal_basis="§ 3 Statistiksatzung",
        footnotes=FOOTNOTES,
        time_dimension="Jahr",
        geo_dimension="Stadtteil",
    )
    comp.status = Status.PUBLISHED
    comp.save()
    PublishedTable.objects.create(
        definition=comp.definition, computation=comp, version=1, title="Einwohner",
        published_by=author, method="suppression", parameters={}, measure="count",
        measure_label="Einwohner", dimensions=comp.dimensions, sources_label="EWO",
        cells=comp.cells,
    )  # fmt: skip
    client.force_login(staff)
    document = json.loads(client.get(URL).content)
    assert "Melderegister, Hauptwohnsitz" in document["note"]
    assert document["dimension"]["Stadtteil"]["note"] == ["Gebietsstand 2024"]
    assert document["dimension"]["Stadtteil"]["category"]["note"] == {
        "02": ["ab 2022 neue Abgrenzung"]
    }
    assert document["extension"]["cell_notes"] == [
        {"cell": {"Jahr": "2023", "Stadtteil": "01"}, "text": "Nachmeldung"}
    ]
    assert document["extension"]["unit"] == "Personen"
    assert document["extension"]["legal_basis"] == "§ 3 Statistiksatzung"
    assert document["role"] == {"time": ["Jahr"], "geo": ["Stadtteil"]}
    px = client.get(URL + "?format=px").content.decode()
    assert 'CONTACT="Statistikstelle, statistik@example.org";' in px
    assert 'REFPERIOD="31.12.2023";' in px
    # Published: the version's metadata no longer change.
    with pytest.raises(ValidationError):
        services.save_metadata(author, comp, unit="Haushalte")


def test_a_new_version_starts_from_the_last_published_metadata(office, computation):
    author, _ = office
    old = computation(Status.PUBLISHED)
    TableMetadata.objects.create(computation=old, unit="Personen", revision_note="alt")
    new = computation()
    metadata = services.metadata_for_editing(author, new)
    assert metadata.unit == "Personen" and metadata.revision_note == ""


def test_footnote_errors_name_the_footnote(office, computation):
    author, _ = office
    bad = [{"level": "value", "dimension": "Stadtteil", "code": "99", "text": "x"}]
    with pytest.raises(ValidationError, match="Fußnote 1.*99"):
        services.save_metadata(author, computation(), footnotes=bad)


def test_only_the_office_edits_metadata(computation, analyst, office):
    with pytest.raises(PermissionDenied):
        services.save_metadata(analyst, computation(), unit="x")


def test_embargoed_table_appears_at_its_release_time_and_not_before(
    client, office, computation, staff
):
    author, reviewer = office
    comp = computation(Status.REVIEWED)
    comp.reviewed_by = reviewer
    comp.save()
    release_at = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))
    with freeze_time("2026-05-20 12:00"):
        services.schedule_release(author, comp, release_at)
    client.force_login(staff)
    with freeze_time(release_at - dt.timedelta(minutes=1)):
        assert release.release_due() == []
        # Nor does the office's own "Veröffentlichen" get past the embargo.
        with pytest.raises(TableError, match="Sperrfrist"):
            publication.publish(comp, reviewer)
        assert client.get(URL).status_code == 404
        assert services.embargoed(comp)
    with freeze_time(release_at):
        published = release.release_due()
        assert [p.version for p in published] == [1]
        assert client.get(URL).status_code == 200
        assert release.release_due() == []  # idempotent
    comp.refresh_from_db()
    assert comp.status == Status.PUBLISHED


def test_release_time_must_lie_ahead_and_table_must_be_reviewed(office, computation):
    author, _ = office
    with pytest.raises(ValidationError):
        services.schedule_release(
            author, computation(Status.COMPUTED), timezone.now() + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.schedule_release(
            author, computation(Status.REVIEWED), timezone.now() - dt.timedelta(days=1)
        )


def test_someone_without_rights_gets_no_release(office, computation):
    outsider = factories.statistician(username="ohne-freigabe")
    with pytest.raises(PermissionDenied):
        services.schedule_release(
            outsider, computation(Status.REVIEWED), timezone.now() + dt.timedelta(days=1)
        )
