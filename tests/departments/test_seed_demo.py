"""The demo city: catalog, one user per role, and history loaded through the import pipeline."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from bif import roles
from bif.seeding import DEMO_PASSWORD, DEMO_USERS
from departments.models import DataSource, Department, ImportRun
from statistics_office.microdata import store

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    out = io.StringIO()
    call_command("seed_demo", "--residents", "3000", "--years", "2024,2025", stdout=out)
    return out.getvalue()


def test_demo_city_has_five_departments_with_sources_and_a_mid_rollout(seeded):
    names = set(Department.objects.values_list("name", flat=True))
    assert {
        "Einwohnermeldewesen",
        "Kindertagesbetreuung",
        "Sozialleistungen",
        "Bauaufsicht",
        "Kfz-Zulassung",
    } <= names
    stages = set(DataSource.objects.values_list("stage", flat=True))
    assert {"live", "verified", "identified"} <= stages


def test_demo_prints_logins_and_every_role_can_log_in(seeded):
    for username, _name, role, _department in DEMO_USERS:
        assert username in seeded
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None and roles.has_role(user, role)


def test_demo_history_went_through_the_import_pipeline(seeded):
    einwohner = DataSource.objects.get(slug="einwohner")
    runs = ImportRun.objects.filter(source=einwohner).order_by("created_at")
    assert [r.status for r in runs] == ["superseded", "accepted"]
    assert runs.last().reference_date.year == 2025
    version = store.current_version(einwohner.pk)
    assert version.row_count == runs.last().row_count
    assert store.count_rows(version) == version.row_count
    assert not ImportRun.objects.filter(status="failed").exists()


def test_seed_demo_if_empty_leaves_an_existing_city_alone(seeded):
    before = ImportRun.objects.count()
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "bereits" in out.getvalue()
    assert ImportRun.objects.count() == before


def test_statistics_office_follows_the_demo_history_in_the_browser(seeded, client):
    from django.contrib.auth import get_user_model

    from departments.selectors import import_runs_for

    statistik = get_user_model().objects.get(username="statistik")
    client.force_login(statistik)
    listing = client.get("/katalog/importe/")
    assert listing.status_code == 200
    assert "automatisch" in listing.content.decode()
    visible = import_runs_for(statistik)
    assert set(visible.values_list("source__slug", flat=True)) == {
        "einwohner",
        "kita",
        "sgb2",
        "sgb2_ba",
        "bauantraege",
    }
    for run in visible[:5]:
        assert client.get(run.get_absolute_url()).status_code == 200
    kfz_run = ImportRun.objects.filter(source__slug="kfz").first()
    assert client.get(kfz_run.get_absolute_url()).status_code == 404  # no grant for kfz


def test_demo_publishes_protected_tables_reviewed_by_a_second_statistician(seeded):
    from statistics_office.tables.models import PublishedTable

    tables = {p.definition.slug: p for p in PublishedTable.objects.all()}
    assert {"einwohner-stadtteil-alter", "kita-stadtteil", "sgb2-stadtteil"} <= set(tables)
    for table in tables.values():
        assert table.reviewed_by.username == "statistik2"
        assert table.computation.computed_by.username == "statistik"
        shown = [c["value"] for c in table.cells if c["flag"] == ""]
        assert all(v is None or v >= 3 for v in shown if v != 0), table.definition.slug
