"""A new city in the browser: the administrator loads another city's area structure (three
levels, UTM 32N) and its classifications through the admin page, not code; an analyst
uploads residents that carry block keys; the statistics office defines, computes, reviews and
publishes a table; a member of staff sees that city's map at two levels. Every page: a
screenshot and axe (WCAG 2.1 AA). Nothing here names the demo city's areas.

Run: .venv/bin/python -m pytest tests/e2e/test_new_city_journey.py -m browser -s
"""

import re

import pytest

from tests.geography import invented_city as city

from .actions import checked, fill, submit
from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SLUG = "melde-seeburg"
CODES = (
    "klassifikation;name;version;gueltig_ab;code;bezeichnung;reihenfolge;uebergeordnet;von;bis\n"
    "geschlecht-seeburg;Geschlecht (Seeburg);1;2015-01-01;2;weiblich;1;;;\n"
    "geschlecht-seeburg;Geschlecht (Seeburg);1;2015-01-01;1;männlich;2;;;\n"
    "geschlecht-seeburg;Geschlecht (Seeburg);1;2015-01-01;3;divers;3;;;\n"
)
SCHEMA = {
    "fields": [
        {"name": "Nr", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "Geburtsdatum", "type": "date", "constraints": {"required": True}},
        {"name": "Geschlecht", "type": "string", "codelist": "geschlecht-seeburg"},
        {"name": "Baublock", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["Nr"],
}
# Residents per block: block 2202 has two, so it is kept secret (and hatched on the map).
PER_BLOCK = {
    "1101": 30,
    "1102": 25,
    "1201": 40,
    "1202": 18,
    "2101": 33,
    "2102": 27,
    "2201": 21,
    "2202": 2,
}


def write_files(folder):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in {**city.package(), "klassifikationen.csv": CODES.encode()}.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(str(path))
    lines, n = ["Nr;Geburtsdatum;Geschlecht;Baublock"], 0
    for block, count in PER_BLOCK.items():
        for _ in range(count):
            n += 1
            born = f"{1 + n % 28:02d}.{1 + n % 12:02d}.{1940 + n % 70}"
            lines.append(f"{n:05d};{born};{'123'[n % 3]};{block}")
    residents = folder / "einwohner-seeburg.csv"
    residents.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths, residents


def prepare_source():
    """The office has onboarded the source for the department and holds its grants."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from departments import onboarding
    from departments.models import Department
    from statistics_office import grants

    users = get_user_model().objects
    source = onboarding.create_source(
        slug=SLUG,
        department=Department.objects.get(name="Einwohnermeldewesen"),
        kind="microdata",
        schema=SCHEMA,
        name="Einwohner Seeburg nach Baublock",
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
            purpose="Kleinräumige Übersicht der neuen Stadt",
            legal_basis="Statistiksatzung, § 3",
            valid_from=today - datetime.timedelta(days=1),
            valid_until=today + datetime.timedelta(days=90),
            granted_by=users.get(username="admin"),
        )
    return source


def test_a_new_city_is_set_up_from_files_in_the_admin_and_mapped(browsers):
    from selenium.webdriver.support.ui import Select

    from bif.geography import classifications, selectors
    from statistics_office.tables.models import PublishedTable, TableComputation

    from .conftest import step

    paths, residents = write_files(ARTIFACTS.parent / "new-city-files")
    admin = browsers("admin")
    with step(admin, "new-city-01-load-page"):
        admin.get("/admin/geography/arealevel/laden/")
        assert admin.css("input[type=file][multiple]")
        checked(admin)
    with step(admin, "new-city-02-areas-and-classifications-loaded"):
        admin.css("input[type=file]")[0].send_keys("\n".join(paths))
        submit(admin, "form[enctype] button[type=submit]")
        assert admin.path == "/admin/geography/arealevel/", admin.path
        text = admin.css("body")[0].text
        assert "Gebietsstand geladen: 4 Ebenen, 16 Gebiete" in text, text
        assert "3 Klassifikationspositionen" in text
        assert len(selectors.geojson("quartier")["features"]) == 4
        assert classifications.labels("geschlecht-seeburg")["3"] == "divers"
        checked(admin)

    prepare_source()
    analyst = browsers("analyse-ewo")
    with step(analyst, "new-city-03-residents-with-block-keys-accepted"):
        analyst.get(f"/katalog/hochladen/?quelle={SLUG}")
        analyst.css("input[type=file]")[0].send_keys(str(residents))
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
    with step(office, "new-city-04-table-defined"):
        office.get("/tabellen/statistikstelle/neu/")
        sources = Select(office.css("#id_sources")[0])
        fill(office, "#id_title", "Einwohner Seeburg nach Baublock")
        fill(office, "#id_slug", "seeburg-bloecke")
        sources.select_by_visible_text(next(o.text for o in sources.options if "Seeburg" in o.text))
        # Chosen from the source's fields and the city's levels, no JSON to type (issue 19).
        Select(office.css("#id_dim0_field")[0]).select_by_value("Baublock")
        Select(office.css("#id_dim0_kind")[0]).select_by_value("hierarchy")
        Select(office.css("#id_dim0_hierarchy")[0]).select_by_value("baublock->ortsbezirk")
        Select(office.css("#id_measure")[0]).select_by_value("count")
        Select(office.css("#id_method")[0]).select_by_value("suppression")
        fill(office, "#id_min_frequency", "3")
        checked(office)
        submit(office, "form.form button[type=submit]")
        assert re.search(r"/tabellen/statistikstelle/\d+/$", office.path), office.path
    with step(office, "new-city-05-computed"):
        submit(office, "form[action$='/berechnen/'] button[type=submit]")
        computation = TableComputation.objects.get(definition__slug="seeburg-bloecke")
        assert computation.status == TableComputation.Status.COMPUTED, computation.message
        checked(office)

    reviewer = browsers("statistik2")
    with step(reviewer, "new-city-06-reviewed-and-published"):
        reviewer.get(f"/tabellen/statistikstelle/berechnung/{computation.pk}/")
        fill(reviewer, "#review-comment", "Blöcke geprüft.")
        submit(reviewer, "button[name=decision][value=approve]")
        submit(reviewer, "form[action$='/veroeffentlichen/'] button[type=submit]")
        published = PublishedTable.objects.get(definition__slug="seeburg-bloecke")
        assert reviewer.path == f"/tabellen/{published.pk}/", reviewer.path
        text = reviewer.css("main")[0].text
        assert "Ortsbezirk Ost" in text and "Gebietsstand: 01.01.2020" in text
        checked(reviewer)

    from django.contrib.auth import get_user_model

    from dashboards import services as dashboards

    builder = get_user_model().objects.get(username="statistik")
    board = dashboards.create_dashboard(builder, title="Seeburg", slug="seeburg", filters=[])
    for title, level in (("Baublock", "baublock"), ("Ortsbezirk", "ortsbezirk")):
        dashboards.add_widget(
            board,
            builder,
            title=f"Einwohner je {title}",
            kind="map",
            table=published.definition,
            x_dimension="Baublock",
            map_level=level,
            map_method="equal",
            map_classes=3,
        )
    dashboards.publish_dashboard(board, builder)
    staff = browsers("mitarbeiter")
    with step(staff, "new-city-07-map-of-the-new-city-at-two-levels"):
        staff.get(board.get_absolute_url())
        staff.wait_for(
            lambda d: len(d.find_elements("css selector", ".chart .choroplethlocation")) >= 10,
            timeout=60,
            message="both maps drawn (8 blocks, 2 districts)",
        )
        legends = [e.text for e in staff.css(".map-legend")]
        assert len(legends) == 2 and "geheimgehalten (.)" in legends[0], legends
        assert staff.css(".map-legend .swatch-hatched")
        tables = staff.css(".map-side table")
        assert "Block 2202" in tables[0].get_attribute("textContent")
        checked(staff)
