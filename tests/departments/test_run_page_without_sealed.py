"""The portal without the sealed database (deployed for all staff) shows a run's state and
its counts of findings, never the findings themselves: they quote the file (issue 14)."""

import pytest

from departments import services, uploads
from departments.models import ImportRun

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SCHEMA = {
    "fields": [{"name": "Personen-ID", "type": "string"}, {"name": "Alter", "type": "integer"}]
}


def test_the_run_page_without_sealed_access_shows_counts_not_values(
    client, source, analyst, settings
):
    services.set_schema(source, SCHEMA)
    data = b"Personen-ID;Alter\n000001;QXMARKALT\n000002;41\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=analyst, file_name="a.csv", chunks=[data]
    )
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finding_counts == {"type_integer": 1}
    client.force_login(analyst)
    with_sealed = client.get(run.get_absolute_url()).content.decode()
    assert "QXMARKALT" in with_sealed  # the analyst's own file, served by the sealed side

    settings.SEALED_DATABASE_AVAILABLE = False
    page = client.get(run.get_absolute_url()).content.decode()
    assert "QXMARKALT" not in page
    assert "1 Fehler" in page and "abgeschotteten Datenbank" in page
    api = client.get(f"/api/v1/imports/{run.pk}/").json()
    assert api["finding_counts"] == {"type_integer": 1} and api["findings"] == []
