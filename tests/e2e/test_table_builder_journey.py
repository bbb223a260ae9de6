"""The table builder in the browser: a member of staff builds a table of residents by
Stadtteil and age group, downloads it (CSV, XLSX, JSON-stat), saves it and proposes it for
publication; a refused query shows its reason; the office sees the proposal and the
queries' patterns. Every page: a screenshot and axe (WCAG 2.1 AA).

Run: .venv/bin/python -m pytest tests/e2e/test_table_builder_journey.py -m browser -s
"""

import pytest

from .actions import checked, submit
from .conftest import step

pytestmark = pytest.mark.browser


def choose(browser, select_id, value):
    from selenium.webdriver.support.ui import Select

    Select(browser.css(f"#{select_id}")[0]).select_by_value(value)


def fetched(browser, href):
    """Status, type and the start of a download, fetched with the browser's session."""
    return browser.driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(async r => done([r.status, r.headers.get("content-type"),
            (await r.text()).slice(0, 400)])).catch(e => done([0, String(e), ""]));
        """,
        href,
    )


def test_staff_build_download_save_and_propose_a_table(browsers):
    from statistics_office.builder.models import Proposal

    staff = browsers("mitarbeiter")
    with step(staff, "builder-01-catalogue"):
        staff.get("/tabellenbaukasten/")
        text = staff.css("main")[0].text
        assert "Tabellenbaukasten" in text and "Einwohner" in text
        checked(staff)

    with step(staff, "builder-02-table-with-signs-and-perturbation-note"):
        choose(staff, "id_row1", "stadtteil")
        choose(staff, "id_column", "alter_planung")
        submit(staff, "#builder-form button[type=submit]")
        text = staff.css("main")[0].text
        assert "Die Werte sind überlagert" in text and "Cell-Key-Verfahren" in text
        assert staff.css("main table.data-table tbody tr")
        checked(staff)

    with step(staff, "builder-03-downloads"):
        links = [a.get_attribute("href") for a in staff.css("a[href*='/download.']")]
        assert len(links) == 3
        for href in links:
            status, media_type, head = fetched(staff, href)
            assert status == 200, (href, status)
            if "json" in media_type:
                assert '"version": "2.0"' in head or '"version":"2.0"' in head
            elif "csv" in media_type:
                assert "Stadtteil" in head

    with step(staff, "builder-04-saved-and-proposed"):
        staff.css("#id_save_title")[0].send_keys("Einwohner nach Altersgruppen")
        submit(staff, "form[action$='/speichern/'] button[type=submit]")
        assert "gespeichert" in staff.css("main")[0].text
        staff.css("#id_propose_title")[0].send_keys("Einwohner nach Stadtteil und Altersgruppe")
        staff.css("#id_propose_reason")[0].send_keys("Für die Kita-Bedarfsplanung")
        submit(staff, "form[action$='/vorschlagen/'] button[type=submit]")
        assert "liegt der Statistikstelle zur Prüfung vor" in staff.css("main")[0].text
        assert Proposal.objects.filter(title__startswith="Einwohner nach Stadtteil").exists()
        checked(staff)

    with step(staff, "builder-05-refused-with-its-reason"):
        staff.get("/tabellenbaukasten/")
        # leaving out the few residents of sex "d" would single them out per Stadtteil
        choose(staff, "id_row1", "stadtteil")
        for code in ("m", "w"):
            staff.css(f"input[name=filter_geschlecht][value={code}]")[0].click()
        submit(staff, "#builder-form button[type=submit]")
        text = staff.css("main")[0].text
        assert "Keine Tabelle" in text and "weniger Fälle aus" in text
        checked(staff)

    office = browsers("statistik")
    with step(office, "builder-06-office-patterns-and-proposals"):
        office.get("/tabellenbaukasten/statistikstelle/")
        text = office.css("main")[0].text
        assert "Einwohner nach Stadtteil und Altersgruppe" in text
        checked(office)

    with step(office, "builder-07-office-keeps-the-catalogue-in-a-form"):
        from statistics_office.builder.models import Catalogue

        catalogue = Catalogue.objects.get(source__slug="einwohner")
        office.css(f"a[href='/tabellenbaukasten/statistikstelle/katalog/{catalogue.source_id}/']")[
            0
        ].click()
        office.wait_for(lambda d: "/katalog/" in d.current_url, message="catalogue form")
        assert office.css("#id_it0_key")[0].get_attribute("value") == "stadtteil"
        checked(office)
        field = office.css("#id_max_cells")[0]
        field.clear()
        field.send_keys(str(catalogue.max_cells + 500))
        submit(office, "main form button.primary")
        assert "Der Katalog ist gespeichert" in office.css("main")[0].text
        assert Catalogue.objects.get(pk=catalogue.pk).max_cells == catalogue.max_cells + 500
        checked(office)
