"""An aggregate source to a dashboard in the browser: an analyst uploads a real-format
GENESIS table (Windows-1252, signs "." and "x") to an aggregate source; the statistics office
defines a table on it in the form, computes it, a second statistician reviews and publishes
it; a member of staff sees it on a dashboard with the origin's signs, their legend and the
origin's source note. Every page: a screenshot and axe (WCAG 2.1 AA).

Run: .venv/bin/python -m pytest tests/e2e/test_aggregate_publication_journey.py -m browser -s
"""

import re
from pathlib import Path

import pytest

from .actions import checked, fill, submit
from .conftest import step

pytestmark = pytest.mark.browser

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "departments"
    / "importing"
    / "corpus"
    / "genesis_12411-0013_laender_cp1252_crlf.csv"
)
SLUG = "genesis-laender"
NOTE = "© Statistisches Bundesamt (Destatis), 2024, dl-de/by-2-0"
TITLE = "Frauen am 31.12.2022 nach Ländern"


def prepare_source():
    """The office has onboarded the source (see test_onboarding_journey) and holds grants."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from departments import onboarding
    from departments.models import DataSource, Department
    from statistics_office import grants

    users = get_user_model().objects
    schema = onboarding.describe_file(SAMPLE)["schema"]
    source = onboarding.create_source(
        slug=SLUG,
        department=Department.objects.get(name="Einwohnermeldewesen"),
        kind="aggregate",
        schema=schema,
        name="Bevölkerung der Länder (GENESIS 12411-0013)",
    )
    DataSource.objects.filter(pk=source.pk).update(
        source_note=NOTE, origin_protection="Geheimhaltung durch Destatis (Zeichen . und x)."
    )
    today = timezone.localdate()
    for username, permission in (
        ("statistik", "define_tables"),
        ("statistik", "publish_tables"),
        ("statistik2", "publish_tables"),
    ):
        grants.request_grant(
            user=users.get(username=username),
            source=source,
            permission=permission,
            purpose="Länderübersicht für den Sozialbericht",
            legal_basis="Statistiksatzung der Stadt Flensburg, § 3",
            valid_from=today - datetime.timedelta(days=1),
            valid_until=today + datetime.timedelta(days=90),
            granted_by=users.get(username="admin"),
        )
    return source


def test_an_aggregate_source_is_published_and_shown_on_a_dashboard_with_its_signs(browsers):
    from selenium.webdriver.support.ui import Select

    from statistics_office.tables.models import PublishedTable, TableComputation

    prepare_source()
    analyst = browsers("analyse-ewo")
    with step(analyst, "aggregate-01-upload-accepted"):
        analyst.get(f"/katalog/hochladen/?quelle={SLUG}")
        analyst.css("input[type=file]")[0].send_keys(str(SAMPLE))
        analyst.css("form.upload-form button[type=submit]")[0].click()
        analyst.wait_for(
            lambda d: re.search(r"/katalog/importe/\d+/$", d.current_url),
            timeout=120,
            message="run page after the upload",
        )
        status = analyst.css("[data-run-status]")[0]
        assert "status-accepted" in status.get_attribute("class"), status.text
        checked(analyst)

    office = browsers("statistik")
    with step(office, "aggregate-02-definition-form-lists-the-aggregate-source"):
        office.get("/tabellen/statistikstelle/neu/")
        sources = Select(office.css("#id_sources")[0])
        names = [o.text for o in sources.options]
        assert any("GENESIS 12411-0013" in n for n in names), names
        fill(office, "#id_title", TITLE)
        fill(office, "#id_slug", "frauen-laender-2022")
        sources.select_by_visible_text(next(n for n in names if "GENESIS 12411-0013" in n))
        Select(office.css("#id_dim0_field")[0]).select_by_value("name")
        fill(office, "#id_dim0_label", "Land")
        Select(office.css("#id_measure")[0]).select_by_value("sum")
        Select(office.css("#id_measure_field")[0]).select_by_value("stichtag_31_12_2022_weiblich")
        Select(office.css("#id_method")[0]).select_by_value("suppression")
        checked(office)
        submit(office, "form.form button[type=submit]")
        assert re.search(r"/tabellen/statistikstelle/\d+/$", office.path), office.path

    with step(office, "aggregate-03-computed-with-the-origins-signs"):
        submit(office, "form[action$='/berechnen/'] button[type=submit]")
        computation = TableComputation.objects.get(definition__slug="frauen-laender-2022")
        assert computation.status == TableComputation.Status.COMPUTED, computation.message
        cells = office.css("main table td.flag-origin")
        assert cells and cells[0].text == "x"
        checked(office)

    reviewer = browsers("statistik2")
    with step(reviewer, "aggregate-04-reviewed-and-published"):
        reviewer.get(f"/tabellen/statistikstelle/berechnung/{computation.pk}/")
        fill(reviewer, "#review-comment", "Zeichen der Herkunft übernommen, Summe gesperrt.")
        submit(reviewer, "button[name=decision][value=approve]")
        submit(reviewer, "form[action$='/veroeffentlichen/'] button[type=submit]")
        published = PublishedTable.objects.get(definition__slug="frauen-laender-2022")
        assert reviewer.path == f"/tabellen/{published.pk}/", reviewer.path
        text = reviewer.css("main")[0].text
        assert "x = Tabellenfach gesperrt" in text and NOTE in text
        checked(reviewer)

    from django.contrib.auth import get_user_model

    from dashboards import services as dashboards

    builder = get_user_model().objects.get(username="statistik")
    board = dashboards.create_dashboard(builder, title="Länder", slug="laender", filters=[])
    dashboards.add_widget(
        board, builder, title=TITLE, kind="bar", table=published.definition, x_dimension="Land"
    )
    dashboards.publish_dashboard(board, builder)
    staff = browsers("mitarbeiter")
    with step(staff, "aggregate-05-dashboard-with-signs-and-source-note"):
        staff.get(board.get_absolute_url())
        # The chart's data table (it may be folded away: read its text content).
        signs = [e.get_attribute("textContent").strip() for e in staff.css("td.flag-origin")]
        assert sorted(signs) == [".", "x"], signs  # Bremen secret, Thüringen blocked
        assert NOTE in staff.css("main")[0].get_attribute("textContent")
        checked(staff)
