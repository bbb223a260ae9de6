"""Open-data mode: anyone reads the tables marked open (same formats, catalogue, feed),
rate-limited; everything else — closed tables, pages, other API, writes — is refused, and
the process starts only without credentials for the sealed database."""

import pytest
from django.test import Client

from tests.conftest import run_manage

from .conftest import year_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_mode(settings):
    settings.BIF_OPEN_DATA_MODE = True
    return Client()


@pytest.fixture
def tables(publish, definition, statistician, source, computation):
    """einwohner-jahr is open; a second table is not."""
    from dissemination.models import TableMetadata
    from statistics_office.tables.models import PublishedTable, TableDefinition

    open_table = publish(is_open=True)
    closed_def = TableDefinition.objects.create(
        title="Intern", slug="intern", created_by=statistician, dimensions=[]
    )
    comp = computation()
    comp.definition = closed_def
    comp.status = "published"
    comp.save()
    TableMetadata.objects.create(computation=comp, is_open=False)
    closed = PublishedTable.objects.create(
        definition=closed_def, computation=comp, version=1, title="Intern",
        published_by=statistician, method="suppression", parameters={}, measure="count",
        measure_label="Einwohner", dimensions=comp.dimensions, sources_label="EWO",
        cells=comp.cells,
    )  # fmt: skip
    return open_table, closed


@pytest.mark.parametrize("fmt", ["json-stat", "sdmx-csv", "px", "parquet", "csv", "xlsx"])
def test_anyone_reads_an_open_table_in_every_format(open_mode, tables, fmt):
    response = open_mode.get(f"/api/v1/tables/einwohner-jahr/?format={fmt}")
    assert response.status_code == 200


def test_open_mode_refuses_everything_not_marked_open(open_mode, tables, staff):
    open_table, closed = tables
    assert open_mode.get("/api/v1/tables/intern/").status_code == 404
    assert open_mode.get("/api/v1/tables/intern/versions/").status_code == 404
    for path in (
        f"/api/v1/tables/{closed.pk}/",
        f"/api/v1/tables/{open_table.pk}/",
        "/api/v1/tables/",
        "/api/v1/sources/",
        "/api/v1/dashboards/",
        "/tabellen/",
        f"/tabellen/{open_table.pk}/",
        "/admin/",
        "/konto/anmelden/",
        "/",
    ):
        assert open_mode.get(path).status_code == 404, path
    assert open_mode.post("/api/v1/tables/einwohner-jahr/").status_code == 405
    assert open_mode.get("/health/").status_code == 200  # docker-compose's health check
    # A logged-in session changes nothing: the open process knows no one.
    open_mode.force_login(staff)
    assert open_mode.get("/api/v1/tables/intern/").status_code == 404
    catalogue = open_mode.get("/api/v1/catalogue.ttl").content.decode()
    assert "einwohner-jahr" in catalogue and "/intern/" not in catalogue
    feed = open_mode.get("/api/v1/feeds/neue-daten/").content.decode()
    assert "Einwohner nach Jahr" in feed and "Intern" not in feed


def test_a_table_whose_new_version_is_not_open_leaves_open_data(open_mode, tables, publish):
    publish(cells=year_cells(), is_open=False)
    assert open_mode.get("/api/v1/tables/einwohner-jahr/").status_code == 404
    assert open_mode.get("/api/v1/tables/einwohner-jahr/?version=1").status_code == 404


def test_open_mode_is_rate_limited(open_mode, tables, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"open_data": "3/min"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        codes = [open_mode.get("/api/v1/tables/einwohner-jahr/").status_code for _ in range(4)]
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [200, 200, 200, 429]


def test_open_data_process_refuses_to_start_with_sealed_credentials(tmp_path):
    refused = run_manage(
        "check",
        env_overrides={"BIF_OPEN_DATA_MODE": "1", "BIF_VAR_DIR": str(tmp_path), "DEBUG": "1"},
    )
    assert refused.returncode != 0
    assert "SEALED_DATABASE_URL=none" in refused.stderr
    started = run_manage(
        "check",
        env_overrides={
            "BIF_OPEN_DATA_MODE": "1",
            "SEALED_DATABASE_URL": "none",
            "BIF_VAR_DIR": str(tmp_path),
            "DEBUG": "1",
        },
    )
    assert started.returncode == 0, started.stderr
