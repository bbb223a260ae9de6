"""The intake workflow never gets stuck: withdraw and upload again, a new source without a
granted reviewer names who can act and tells the office, a file that maps nothing is refused,
and rows of a run awaiting review are no queryable version."""

import pytest
from django.core import mail
from django.urls import reverse

from departments import uploads
from departments.models import ImportRun
from statistics_office.microdata import reports, store
from tests import factories
from tests.factories import GOOD, csv_file, upload

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

Status = ImportRun.Status
MORE = GOOD + [f"{i:06d};01.01.1990;m;02;100" for i in range(10, 30)]


def waiting_run(source, user):
    """A second upload that changes the row count a lot: it waits for the office's review."""
    upload(source, csv_file(GOOD), user=user)
    run = upload(source, csv_file(MORE), user=user)
    run.refresh_from_db()
    assert run.status == Status.AWAITING_REVIEW, reports.findings_of(run.pk)
    return run


def test_rows_of_a_run_awaiting_review_are_not_a_queryable_version(resident_source, analyst):
    first = upload(resident_source, csv_file(GOOD), user=analyst)
    run = upload(resident_source, csv_file(MORE), user=analyst)
    run.refresh_from_db()
    assert run.status == Status.AWAITING_REVIEW
    current = store.current_version(resident_source.pk)
    assert current.import_run_id == first.pk  # the waiting rows are not what queries see
    assert store.count_rows(current) == len(GOOD)


def test_the_analyst_withdraws_a_waiting_run_and_uploads_the_same_file_again(
    resident_source, analyst, client
):
    run = waiting_run(resident_source, analyst)
    tables_before = set(store.microdata_tables())
    with pytest.raises(uploads.ImportRejected, match="bereits"):
        upload(resident_source, csv_file(MORE), user=analyst)
    client.force_login(analyst)
    page = client.get(run.get_absolute_url())
    assert "Import zurückziehen" in page.content.decode()
    client.post(reverse("departments:run-withdraw", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == Status.WITHDRAWN
    assert len(store.microdata_tables()) == len(tables_before) - 1  # its loaded rows are gone
    again = upload(resident_source, csv_file(MORE), user=analyst)
    again.refresh_from_db()
    assert again.status == Status.AWAITING_REVIEW


def test_only_the_uploader_can_withdraw_and_only_while_it_waits(resident_source, analyst):
    run = waiting_run(resident_source, analyst)
    colleague = factories.analyst_of(resident_source.department, username="kollegin")
    with pytest.raises(uploads.ImportRejected, match="hochgeladen"):
        uploads.withdraw(run, user=colleague)
    uploads.withdraw(run, user=analyst)
    run.refresh_from_db()
    with pytest.raises(uploads.ImportRejected, match="wartet"):
        uploads.withdraw(run, user=analyst)


def test_a_new_source_without_a_granted_reviewer_names_who_can_act_and_tells_the_office(
    resident_source, analyst, client
):
    factories.statistician(username="statistik", email="statistik@example.org")
    factories.administrator(username="verwaltung", email="verwaltung@example.org")
    run = waiting_run(resident_source, analyst)
    assert mail.outbox, "the office is told"
    message = mail.outbox[-1]
    assert {"statistik@example.org", "verwaltung@example.org"} <= set(message.to)
    assert "Freigabe" in message.body and resident_source.name in message.body
    client.force_login(analyst)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "noch niemand in der Statistikstelle eine Freigabe" in page
    assert "verwaltung" in page


def test_with_a_granted_statistician_the_page_names_the_reviewer_and_no_mail_goes_out(
    resident_source, analyst, client
):
    reviewer = factories.statistician(username="pruefer", first_name="Petra", last_name="Prüf")
    factories.grant(reviewer, resident_source, "view_microdata")
    run = waiting_run(resident_source, analyst)
    assert not mail.outbox
    client.force_login(analyst)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Petra Prüf" in page


def test_a_file_where_every_mapped_field_is_empty_is_refused(source):
    from departments import services

    services.set_schema(
        source,
        {
            "fields": [
                {"name": "Stadtteil", "type": "string"},
                {"name": "Einwohner", "type": "integer"},
            ]
        },
    )
    run = upload(source, b"Stadtteil;Einwohner;Bemerkung\n;;a\n;;b\n;;c\n")
    run.refresh_from_db()
    assert run.status == Status.FAILED
    found = reports.findings_of(run.pk)
    matching = [f for f in found if f["rule"] == "nothing_mapped"]
    assert len(matching) == 1, found
    (finding,) = matching
    assert finding["severity"] == "error"
    assert store.current_version(source.pk) is None


def test_a_file_that_maps_no_column_is_refused_with_a_german_message(source, analyst, client):
    from departments import services
    from departments.importing.findings import from_stored
    from departments.importing.messages import describe

    services.set_schema(source, {"fields": [{"name": "Einwohner", "type": "integer"}]})
    run = upload(source, b"Spalte A;Spalte B\n1;2\n3;4\n", user=analyst)
    run.refresh_from_db()
    assert run.status == Status.FAILED
    stored = [f for f in reports.findings_of(run.pk) if f["rule"] == "nothing_mapped"]
    text = describe(from_stored(stored[0]))
    assert "Keine zugeordnete Spalte enthält einen Wert" in text
    assert "Spaltenzuordnung" in text
