"""Hostile files through the whole pipeline (issue 14): each fails with its own German
finding, naming sheet and cell where there is one, never "unerwarteter Fehler"."""

import pytest

from departments import services, uploads
from departments.importing.findings import from_stored
from departments.importing.messages import describe
from departments.models import ImportRun
from statistics_office.microdata import reports, store
from tests.departments.importing.hostile_xlsx import (
    formula,
    header,
    inline,
    number,
    row,
    write_workbook,
)

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Alter", "type": "integer"},
    ],
}


@pytest.fixture
def resident_source(source):
    services.set_schema(source, SCHEMA)
    return source


def run_of(source, path):
    run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    return run


def texts(run):
    return [describe(from_stored(f)) for f in reports.findings_of(run.pk)]


def test_a_workbook_with_a_formula_fails_like_a_csv_with_one(resident_source, tmp_path):
    rows = [header(), row(2, [inline("A2", "000001"), number("B2", 30)])]
    rows.append(row(3, [inline("A3", "000002"), formula("B3", "B2*1", 30)]))
    run = run_of(resident_source, write_workbook(tmp_path / "formel.xlsx", rows))
    assert run.status == ImportRun.Status.FAILED
    assert run.finding_counts["xlsx_formula"] == 1
    (text,) = [t for t in texts(run) if "Formel" in t]
    assert "Tabellenblatt „Daten“" in text and "B3" in text
    assert store.current_version(resident_source.pk) is None


def test_an_xxe_workbook_gets_its_own_message(resident_source, tmp_path):
    prolog = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    rows = [header(), row(2, [inline("A2", "&xxe;"), number("B2", 1)])]
    run = run_of(resident_source, write_workbook(tmp_path / "xxe.xlsx", rows, prolog=prolog))
    assert run.status == ImportRun.Status.FAILED and "unerwartet" not in run.message
    (text,) = texts(run)
    assert "Dokumenttyp-Definition" in text and "root:" not in text


def test_a_line_longer_than_a_block_gets_its_own_message(resident_source, tmp_path, settings):
    # Read in chunks, as every file above IMPORT_CHUNK_BYTES (a 200 MB line in production).
    settings.IMPORT_CHUNK_BYTES = 1024
    path = tmp_path / "eine-zeile.csv"
    path.write_bytes(b"Personen-ID;Alter\n000001;30\n000002;" + b"9" * (33 << 20) + b"\n")
    run = run_of(resident_source, path)
    assert run.status == ImportRun.Status.FAILED and "unerwartet" not in run.message
    (text,) = texts(run)
    assert "Eine Zeile ist länger als 16 MB" in text
