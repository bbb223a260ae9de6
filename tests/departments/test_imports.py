"""The import pipeline end to end: upload → read → validate → plausibility → sealed load."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse

from departments import services, uploads
from departments.models import ImportRun
from statistics_office.intake import rows
from statistics_office.microdata import reports, store
from statistics_office.microdata.models import MicrodataVersion
from tests import factories
from tests.factories import GOOD, MANY, csv_file, upload

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]


@pytest.fixture
def statistician(statistician, resident_source):
    """The statistics office reviews only sources it holds a microdata grant for."""
    factories.grant(statistician, resident_source, "view_microdata")
    return statistician


def test_a_good_file_is_loaded_typed_into_the_sealed_database(resident_source, analyst):
    run = upload(resident_source, csv_file(GOOD), user=analyst)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)
    assert run.row_count == 4
    version = store.current_version(resident_source.pk)
    assert version.import_run_id == run.pk
    with connections["sealed"].cursor() as cursor:
        cursor.execute(
            f"SELECT personen_id, miete, geburtsdatum FROM {version.table_name} "
            "ORDER BY personen_id"
        )
        rows = cursor.fetchall()
    assert rows[0][0] == "000001"  # leading zeros survive
    assert rows[3][1] == pytest.approx(1234.5)  # German thousands and decimal comma
    assert str(rows[3][2]).startswith("2000-02-29")


def test_a_bad_file_fails_whole_and_writes_nothing(resident_source):
    bad = [*GOOD, "000005;31.02.2023;x;14;-5"]
    run = upload(resident_source, csv_file(bad))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.error_count >= 3
    rules = {f["rule"] for f in reports.findings_of(run.pk)}
    assert {"date_invalid", "enum", "minimum"} <= rules
    assert MicrodataVersion.objects.count() == 0
    assert store.microdata_tables() == []
    assert any(6 in f["rows"] for f in reports.findings_of(run.pk))  # the physical line in the file


def test_the_same_file_twice_is_detected_by_checksum(resident_source):
    upload(resident_source, csv_file(GOOD))
    with pytest.raises(uploads.ImportRejected, match="bereits"):
        upload(resident_source, csv_file(GOOD))


def test_a_large_row_count_change_needs_review_before_it_counts(resident_source, statistician):
    first = upload(resident_source, csv_file(GOOD))
    more = GOOD + [f"{i:06d};01.01.1990;m;02;100" for i in range(10, 30)]
    second = upload(resident_source, csv_file(more))
    second.refresh_from_db()
    assert second.status == ImportRun.Status.AWAITING_REVIEW
    assert "rowcount_change" in {f["rule"] for f in reports.findings_of(second.pk)}
    # The previous version stays current until the review.
    assert store.current_version(resident_source.pk).import_run_id == first.pk
    with pytest.raises(uploads.ImportRejected):
        uploads.review(second, user=statistician, accept=True, comment="  ")
    uploads.review(second, user=statistician, accept=True, comment="Zuzug Neubaugebiet geprüft")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == ImportRun.Status.ACCEPTED
    assert first.status == ImportRun.Status.SUPERSEDED
    assert store.current_version(resident_source.pk).import_run_id == second.pk


def test_rollback_makes_the_previous_version_current_again(resident_source, statistician):
    many = [
        f"{i:06d};{i % 28 + 1:02d}.01.19{40 + i};{'mw'[i % 2]};{i % 13 + 1:02d};{i}"
        for i in range(1, 41)
    ]
    first = upload(resident_source, csv_file(many))
    second = upload(resident_source, csv_file([*many, "000099;01.01.1990;m;02;100"]))
    second.refresh_from_db()
    assert second.status == ImportRun.Status.ACCEPTED
    uploads.rollback(second, user=statistician)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == ImportRun.Status.ROLLED_BACK
    assert first.status == ImportRun.Status.ACCEPTED
    assert store.current_version(resident_source.pk).import_run_id == first.pk
    assert len(store.microdata_tables()) == 1


def test_a_failed_load_leaves_no_rows_and_can_be_retried(resident_source, monkeypatch):
    def broken_copy(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "_insert_generic", broken_copy)
    monkeypatch.setattr(store, "_copy_postgres", broken_copy)
    upload(resident_source, csv_file(GOOD))
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "disk full" not in run.message  # no raw exception text for the user
    assert store.microdata_tables() == []
    monkeypatch.undo()
    uploads.retry(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED
    assert run.attempts == 2


def test_cancelled_run_leaves_nothing(resident_source, monkeypatch):
    original = rows.progress

    def cancel_while_loading(run_id, stage, progress, **fields):
        original(run_id, stage, progress, **fields)
        if stage == ImportRun.Stage.LOADING:
            ImportRun.objects.filter(pk=run_id).update(cancel_requested=True)

    monkeypatch.setattr(rows, "progress", cancel_while_loading)
    run = upload(resident_source, csv_file(GOOD))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CANCELLED
    assert store.microdata_tables() == []


def test_column_renamed_by_a_new_release_is_mapped_by_the_saved_mapping(resident_source):
    resident_source.column_mapping = {"Ordnungsmerkmal": "Personen-ID"}
    resident_source.save()
    data = csv_file(GOOD, header="Ordnungsmerkmal;Geburtsdatum;Geschlecht;Stadtteil;Miete")
    run = upload(resident_source, data)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)


def test_import_file_command_prints_id_status_and_rows(resident_source, tmp_path):
    path = tmp_path / "einwohner.csv"
    path.write_bytes(csv_file(GOOD))
    out = io.StringIO()
    call_command("import_file", resident_source.slug, str(path), stdout=out)
    assert "angenommen (accepted), 4 Zeilen" in out.getvalue()
    bad = tmp_path / "kaputt.csv"
    bad.write_bytes(csv_file(["000001;99.99.2020;m;01;1"]))
    with pytest.raises(CommandError):
        call_command("import_file", resident_source.slug, str(bad), stdout=io.StringIO())


def test_analyst_uploads_through_the_page_and_sees_the_report(client, resident_source, analyst):
    client.force_login(analyst)
    page = client.get(reverse("departments:upload"))
    assert resident_source.name in page.content.decode()
    bad = io.BytesIO(csv_file(["000001;99.99.2020;m;01;1"]))
    bad.name = "export.csv"
    response = client.post(
        reverse("departments:upload"), {"source": resident_source.pk, "file": bad}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    body = client.get(run.get_absolute_url()).content.decode()
    assert "Geburtsdatum" in body and "Zeile" in body
    status = client.get(reverse("departments:run-status", args=[run.pk])).json()
    assert status["status"] == "failed" and status["finished"] is True
    report = client.get(reverse("departments:run-findings-csv", args=[run.pk]))
    assert "Geburtsdatum" in report.content.decode("utf-8-sig")


def test_analyst_cannot_upload_to_or_see_another_departments_source(
    client, resident_source, other_source, other_department
):
    services.set_schema(other_source, factories.RESIDENT_SCHEMA)
    outsider = factories.analyst_of(other_department, username="analyst-kita")
    run = upload(resident_source, csv_file(GOOD))
    client.force_login(outsider)
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.get(reverse("departments:run-status", args=[run.pk])).status_code == 404
    data = io.BytesIO(csv_file(GOOD))
    data.name = "x.csv"
    response = client.post(
        reverse("departments:upload"), {"source": resident_source.pk, "file": data}
    )
    assert response.status_code == 200  # form error: not one of the user's sources
    assert ImportRun.objects.count() == 1


def test_api_upload_and_follow(client, resident_source, analyst):
    client.force_login(analyst)
    data = io.BytesIO(csv_file(GOOD))
    data.name = "export.csv"
    response = client.post("/api/v1/imports/", {"source": resident_source.slug, "file": data})
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    detail = client.get(f"/api/v1/imports/{run_id}/").json()
    assert detail["status"] == "accepted" and detail["row_count"] == 4
    assert client.get("/api/v1/imports/").json()["count"] == 1


def test_more_childcare_children_than_young_residents_needs_review_by_the_office(
    resident_source, other_source, other_department, statistician, client
):
    from departments.models import CrossSourceRule

    residents = [
        "000001;01.02.2022;w;01;1",  # aged 0-6 on 31.12.2025
        "000002;15.07.1975;m;01;1",
        "000003;01.03.2021;d;02;1",
    ]
    upload(resident_source, csv_file(residents))
    services.set_schema(
        other_source,
        {
            "fields": [
                {"name": "Vertrag", "type": "string", "constraints": {"unique": True}},
                {"name": "Stadtteil", "type": "string"},
                {"name": "Stichtag", "type": "date"},
            ],
            "primaryKey": ["Vertrag"],
        },
    )
    other_source.reference_date_field = "Stichtag"
    other_source.save()
    CrossSourceRule.objects.create(
        source=other_source,
        group_field="Stadtteil",
        reference_source=resident_source,
        reference_group_field="Stadtteil",
        reference_birthdate_field="Geburtsdatum",
        max_age_years=7,
        label="Kinder in Kitas",
        reference_label="Einwohner 0 bis 6 Jahre",
    )
    factories.grant(statistician, other_source, "view_microdata")
    kita = ["K1;01;31.12.2025", "K2;01;31.12.2025", "K3;02;31.12.2025"]
    run = upload(other_source, csv_file(kita, header="Vertrag;Stadtteil;Stichtag"))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.AWAITING_REVIEW
    (finding,) = [f for f in reports.findings_of(run.pk) if f["rule"] == "cross_source_above"]
    assert finding["audience"] == "office" and finding["values"] == ["01"]
    kita_analyst = factories.analyst_of(other_department, username="analyst-kita")
    client.force_login(kita_analyst)
    assert "Einwohner 0 bis 6 Jahre" not in client.get(run.get_absolute_url()).content.decode()
    client.force_login(statistician)
    assert "Einwohner 0 bis 6 Jahre" in client.get(run.get_absolute_url()).content.decode()


def test_an_unexpected_failure_logs_no_value_from_the_file(resident_source, monkeypatch, caplog):
    # A marker that no timing, id or date in a log line can contain (Celery's
    # "succeeded in 0.02713810000000194s" once contained "000001").
    marker = "QXLEAKMARK"

    def leaky(*args, **kwargs):
        raise ValueError(f"could not convert '{marker};01.02.1980' to int")

    monkeypatch.setattr(store, "_insert_generic", leaky)
    monkeypatch.setattr(store, "_copy_postgres", leaky)
    upload(resident_source, csv_file([f"{marker};01.02.1980;w;01;512,50", *GOOD[1:]]))
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
    assert marker not in caplog.text
    assert "ValueError" in caplog.text


def test_review_and_rollback_are_audited(resident_source, statistician):
    from bif.audit import verify_chain
    from statistics_office.models import AuditEntry

    first = upload(resident_source, csv_file(GOOD))
    more = GOOD + [f"{i:06d};0{i % 9 + 1}.01.1990;m;02;100" for i in range(10, 30)]
    second = upload(resident_source, csv_file(more))
    second.refresh_from_db()
    assert second.status == ImportRun.Status.AWAITING_REVIEW, reports.findings_of(second.pk)
    uploads.review(second, user=statistician, accept=True, comment="Neubaugebiet")
    second.refresh_from_db()
    uploads.rollback(second, user=statistician)
    actions = list(
        AuditEntry.objects.filter(action__startswith="import")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["import_review", "import_rollback"]
    assert verify_chain().ok
    assert first.pk


def test_a_large_file_is_loaded_in_chunks_whole(resident_source, chunked):
    run = upload(resident_source, csv_file(MANY))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)
    assert run.detected["chunked"] is True
    assert run.row_count == 40
    version = store.current_version(resident_source.pk)
    assert store.count_rows(version) == 40
    assert reports.profile_of(run.pk)["columns"]["Geschlecht"]["categories"] == {"m": 20, "w": 20}


def test_errors_in_later_chunks_fail_the_whole_file_and_write_nothing(resident_source, chunked):
    bad = list(MANY)
    bad[3] = "000004;31.02.2001;w;01;1"
    bad[30] = "000031;30.02.2001;w;01;1"
    run = upload(resident_source, csv_file(bad))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    (dates,) = [f for f in reports.findings_of(run.pk) if f["rule"] == "date_invalid"]
    assert dates["count"] == 2 and dates["rows"] == [5, 32]
    assert store.microdata_tables() == []
    assert MicrodataVersion.objects.count() == 0


def test_a_column_the_schema_lacks_is_reported_once_not_once_per_chunk(resident_source, chunked):
    header = "Personen-ID;Geburtsdatum;Geschlecht;Stadtteil;Miete;Bemerkung"
    run = upload(resident_source, csv_file([f"{row};x" for row in MANY], header=header))
    run.refresh_from_db()
    assert run.detected["chunked"] is True
    (extra,) = [f for f in reports.findings_of(run.pk) if f["rule"] == "column_extra"]
    assert extra["count"] == 1 and extra["column"] == "Bemerkung"


def test_a_key_repeated_in_another_chunk_is_found(resident_source, chunked):
    bad = [*MANY, "000002;01.01.1999;m;01;1"]  # row 42 repeats the key of row 3
    run = upload(resident_source, csv_file(bad))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    (unique,) = [f for f in reports.findings_of(run.pk) if f["rule"] == "unique"]
    assert unique["rows"] == [42] and unique["values"] == ["000002"]
    assert store.microdata_tables() == []
