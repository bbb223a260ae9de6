"""The bad-input suite through the whole pipeline, as an analyst uploads it in the browser:
every file ends failed with a German explanation, nothing reaches the sealed database,
and the portal keeps serving."""

import pytest
from django.urls import reverse

from departments import services
from departments.models import ImportRun
from statistics_office.microdata import reports, store
from statistics_office.microdata.models import MicrodataVersion
from tests.factories import FILES
from tests.factories import RESIDENT_FILES_SCHEMA as RESIDENT_SCHEMA

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SHEET = {"xlsx_missing_sheet.xlsx": "Tabelle1"}
BAD = sorted(
    p for p in FILES.iterdir() if not p.name.startswith("good_") and p.name != "too_large.csv"
)
GOOD = sorted(p for p in FILES.iterdir() if p.name.startswith("good_") and "renamed" not in p.name)


def upload(client, source, path, sheet=""):
    with open(path, "rb") as handle:
        return client.post(
            reverse("departments:upload"),
            {"source": source.pk, "file": handle, "sheet": sheet},
        )


def test_every_bad_file_fails_clearly_and_writes_nothing(client, source, analyst):
    assert len(BAD) >= 30
    services.set_schema(source, RESIDENT_SCHEMA)
    client.force_login(analyst)
    problems = []
    for path in BAD:
        response = upload(client, source, path, SHEET.get(path.name, ""))
        if path.stat().st_size == 0:
            # Refused by the form already: "Die übermittelte Datei ist leer."
            if "leer" not in response.content.decode():
                problems.append((path.name, "empty file not refused"))
            continue
        if response.status_code != 302:
            problems.append((path.name, "upload page answered", response.status_code))
            continue
        run = ImportRun.objects.get(file_name=path.name)
        page = client.get(run.get_absolute_url()).content.decode()
        if run.status != ImportRun.Status.FAILED or not reports.findings_of(run.pk):
            problems.append((path.name, run.status, run.message))
        elif "Fehler" not in page or "Unbekanntes Problem" in page:
            problems.append((path.name, "report not shown"))
    assert problems == []
    assert MicrodataVersion.objects.count() == 0
    assert store.microdata_tables() == []
    assert client.get("/").status_code == 200


def test_an_upload_above_the_size_limit_is_refused_before_anything_runs(
    client, source, analyst, settings
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    services.set_schema(source, RESIDENT_SCHEMA)
    client.force_login(analyst)
    response = upload(client, source, FILES / "too_large.csv")
    assert response.status_code == 200
    assert "größer als die erlaubten" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_awkward_but_good_files_are_accepted(client, source, analyst):
    services.set_schema(source, RESIDENT_SCHEMA)
    client.force_login(analyst)
    statuses = {}
    for path in GOOD:
        response = upload(client, source, path)
        if response.status_code == 200:
            # Byte-identical to a good file uploaded before: refused as a duplicate.
            assert "bereits" in response.content.decode(), path.name
            continue
        run = ImportRun.objects.get(file_name=path.name)
        statuses[path.name] = (run.status, run.error_count)
        if run.status == ImportRun.Status.AWAITING_REVIEW:
            # Plausibility against the previous good file: acknowledged, counts as good.
            statuses[path.name] = ("accepted", run.error_count)
    bad = {name: s for name, s in statuses.items() if s != ("accepted", 0)}
    assert bad == {}


def test_columns_renamed_by_a_new_release_are_mapped_once_and_remembered(client, source, analyst):
    services.set_schema(source, RESIDENT_SCHEMA)
    client.force_login(analyst)
    upload(client, source, FILES / "good_renamed_columns.csv")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Umbenannte Spalten zuordnen" in page and "Geb.-Datum" in page
    response = client.post(
        reverse("departments:run-remap", args=[run.pk]),
        {
            "field_0": "geburtsdatum",
            "column_0": "Geb.-Datum",
            "field_1": "stadtteil",
            "column_1": "Stadtteil-Nr.",
        },
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)
    source.refresh_from_db()
    assert source.column_mapping["Geb.-Datum"] == "geburtsdatum"
