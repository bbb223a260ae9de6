"""The microdata browser: only under a current grant, every access audited with purpose."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from departments import services, uploads
from statistics_office.intake import versions
from statistics_office.models import AuditEntry, Grant
from tests import factories

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Name", "type": "string"},
        {"name": "Stadtteil", "type": "string"},
        {"name": "Alter", "type": "integer"},
    ],
    "primaryKey": ["Personen-ID"],
}


def load(source, rows):
    data = "Personen-ID;Name;Stadtteil;Alter\n" + "\n".join(rows) + "\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=None, file_name="e.csv", chunks=[data.encode()]
    )
    run.refresh_from_db()
    if run.status == "review":
        versions.activate(run.pk)
    return run


@pytest.fixture
def loaded(source):
    services.set_schema(source, SCHEMA)
    return load(source, [f"{i:04d};Zzmarker{i};0{i % 9 + 1};{20 + i}" for i in range(1, 31)])


def browse(client, source, **params):
    return client.get(reverse("statistics_office:microdata-browser", args=[source.slug]), params)


def test_granted_statistician_browses_with_summaries_and_the_access_is_audited(
    client, statistician, source, loaded
):
    factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    body = browse(client, source).content.decode()
    assert "Zzmarker1" in body and "Spaltenübersicht" in body
    entry = AuditEntry.objects.filter(action="microdata_view").latest("sequence")
    assert entry.username == statistician.username
    assert entry.purpose == "Auswertung für den Sozialbericht"
    assert entry.source_label.endswith("(einwohner)")


def test_both_wide_tables_scroll_in_a_labelled_focusable_region(
    client, statistician, source, loaded
):
    factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    body = browse(client, source).content.decode()
    for caption in ("records-caption", "summary-caption"):
        region = (
            f'<div class="table-scroll" tabindex="0" role="region" aria-labelledby="{caption}">'
        )
        assert region in body and f'<caption id="{caption}">' in body


def test_filtering_is_audited_without_the_filter_value(client, statistician, source, loaded):
    factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    body = browse(client, source, f0="Name", o0="eq", v0="Zzmarker7").content.decode()
    assert "Zzmarker7" in body and "Zzmarker8" not in body
    entry = AuditEntry.objects.filter(action="microdata_filter").latest("sequence")
    assert entry.details["filter_fields"] == ["Name eq"]
    assert "Zzmarker7" not in str(entry.details)


def test_without_a_grant_the_page_is_a_useful_404_and_the_attempt_is_logged(
    client, statistician, source, loaded
):
    client.force_login(statistician)
    response = browse(client, source)
    assert response.status_code == 404
    body = response.content.decode()
    assert "So beantragen Sie Zugang" in body and "Zzmarker" not in body
    assert AuditEntry.objects.filter(action="access_denied", outcome="denied").exists()


def test_an_expired_grant_stops_working_at_once(client, statistician, source, loaded):
    (grant,) = factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    assert browse(client, source).status_code == 200
    Grant.objects.filter(pk=grant.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert browse(client, source).status_code == 404


def test_lapsed_training_stops_access_at_once(client, statistician, source, loaded):
    factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    assert browse(client, source).status_code == 200
    statistician.office_member.training_valid_until = timezone.localdate() - datetime.timedelta(1)
    statistician.office_member.save()
    assert browse(client, source).status_code == 404


def test_export_needs_the_export_permission_and_is_watermarked(
    client, statistician, source, loaded
):
    factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    url = reverse("statistics_office:microdata-export", args=[source.slug])
    assert client.get(url).status_code == 404
    factories.grant(statistician, source, "export_microdata")
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert "VERTRAULICH" in lines[0] and statistician.username in lines[0]
    assert "VERTRAULICH" in lines[-1]
    assert len(lines) == 1 + 1 + 30 + 1
    assert AuditEntry.objects.filter(action="microdata_export").count() == 1


def test_two_versions_can_be_compared(client, statistician, source, loaded):
    second = load(source, [f"{i:04d};Zzmarker{i};0{i % 9 + 1};{20 + i}" for i in range(5, 40)])
    factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    response = client.get(
        reverse("statistics_office:microdata-compare", args=[source.slug]),
        {"alt": loaded.pk, "neu": second.pk},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "weggefallen" in body
    comparison = response.context["comparison"]
    assert comparison == {
        "old_rows": 30,
        "new_rows": 35,
        "in_both": 26,
        "removed": 4,
        "added": 9,
    }


SIGNED_SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Stadtteil", "type": "string"},
        {"name": "Einkommen", "type": "integer", "role": "measure", "statusSigns": [".", "-"]},
    ],
    "primaryKey": ["Personen-ID"],
}


def test_a_status_column_is_shown_as_the_sign_beside_its_measure_not_as_a_field(
    client, statistician, source
):
    from statistics_office.microdata import browser, store

    services.set_schema(source, SIGNED_SCHEMA)
    data = "Personen-ID;Stadtteil;Einkommen\n0001;01;1200\n0002;02;.\n0003;03;-\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=None, file_name="e.csv", chunks=[data.encode()]
    )
    run.refresh_from_db()
    if run.status == "review":
        versions.activate(run.pk)
    version = store.current_version(source.pk)
    assert "Einkommen__status" in version.columns  # the sealed version keeps the status
    assert browser.shown_fields(version) == ["Personen-ID", "Stadtteil", "Einkommen"]
    factories.grant(statistician, source, "view_microdata")
    client.force_login(statistician)
    response = browse(client, source)
    body = response.content.decode()
    assert "Einkommen__status" not in body  # neither a column nor a filter choice
    assert [s["field"] for s in response.context["summaries"]] == browser.shown_fields(version)
    cells = {row[0]: row[2] for row in response.context["rows"]}
    assert (cells["0001"].value, cells["0001"].status) == (1200, None)
    assert (cells["0002"].value, cells["0002"].status) == (None, ".")
    assert (cells["0003"].value, cells["0003"].status) == (0, "-")
    assert 'title="Zahlenwert unbekannt oder geheim zu halten">.</abbr>' in body
    assert 'title="nichts vorhanden (genau null)">–</abbr>' in body
