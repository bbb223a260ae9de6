"""Indicators in headless Chromium (issue 19): a district profile and an indicator's linked
table, chart and map; the table definition form with its preview. axe-core (WCAG 2.1 A/AA)
finds nothing on any of them; screenshots go to test-artifacts/e2e/.

Run: .venv/bin/python -m pytest tests/e2e/test_indicator_pages.py -m browser -s
"""

import pytest

from .conftest import AXE, assert_no_js_errors, describe, step
from .test_journeys import wait_for_charts

pytestmark = pytest.mark.browser


def no_axe_findings(browser):
    if not AXE.is_file():
        pytest.skip(f"axe-core missing at {AXE}: run `npm ci --prefix tests/e2e`")
    violations = browser.axe()
    assert not violations, f"axe on {browser.path}:\n{describe(violations)}"


def test_district_profile(browsers):
    browser = browsers("mitarbeiter")
    with step(browser, "indicators-01-district-profile"):
        browser.get("/indikatoren/")
        browser.css("a[href='/indikatoren/gebiet/08/']")[0].click()
        browser.wait_for(lambda d: browser.path == "/indikatoren/gebiet/08/", message="profile")
        assert browser.css("h1")[0].text == "Stadtteil-Profil Sandberg"
        rows = browser.css("main table tbody tr")
        assert len(rows) >= 10, len(rows)
        assert "SGB-II-Dichte" in browser.css("main table")[0].text
        assert browser.css(".indicator-definition")
        no_axe_findings(browser)
        assert_no_js_errors(browser)


def test_linked_table_chart_and_map(browsers):
    browser = browsers("mitarbeiter")
    with step(browser, "indicators-02-linked-selection"):
        browser.get("/indikatoren/sgb2-dichte/")
        assert wait_for_charts(browser) == 2
        browser.css("button[data-select-area='08']")[0].click()
        row = browser.css("tr[data-area='08']")[0]
        assert "is-selected" in row.get_attribute("class")
        # Every trace of the chart and the map marks the area (a secret area sits in the
        # map's grey trace), and only it.
        marks = browser.driver.execute_script(
            """
            return Array.from(document.querySelectorAll('[data-linked-chart]')).map(el =>
              el.data.map(t => {
                const codes = t.type === 'choropleth' ? t.locations : t.customdata;
                const i = codes.indexOf('08');
                return [t.selectedpoints, i < 0 ? [] : [i]];
              }));
            """
        )
        assert len(marks) == 2 and all(m for m in marks), marks
        for chart in marks:
            for selected, expected in chart:
                assert selected == expected, marks
        assert any(expected for chart in marks[1:] for _s, expected in chart), marks
        no_axe_findings(browser)
        assert_no_js_errors(browser)


def test_definition_form_and_preview(browsers):
    from selenium.webdriver.support.ui import Select

    browser = browsers("statistik")
    with step(browser, "indicators-03-definition-form"):
        browser.get("/tabellen/statistikstelle/neu/")
        assert not browser.css("textarea#id_dimensions")
        no_axe_findings(browser)
    with step(browser, "indicators-04-definition-preview"):
        browser.css("#id_title")[0].send_keys("Vorschau im Browser")
        sources = Select(browser.css("#id_sources")[0])
        sources.select_by_visible_text(
            next(o.text for o in sources.options if o.text.startswith("Einwohner"))
        )
        Select(browser.css("#id_dim0_field")[0]).select_by_value("Stadtteil")
        Select(browser.css("#id_dim1_field")[0]).select_by_value("Geburtsdatum")
        Select(browser.css("#id_dim1_kind")[0]).select_by_value("age_band")
        Select(browser.css("#id_dim1_bands")[0]).select_by_value("5y")
        browser.driver.execute_script("window.__page = true")
        browser.css("button[name=preview]")[0].click()
        browser.wait_for(
            lambda d: d.execute_script(
                "return !window.__page && document.readyState === 'complete'"
            ),
            message="preview page",
        )
        text = browser.css("#preview-title")[0].find_element("xpath", "..").text
        assert "Tabellenfelder" in text and "Fallzahl unter 3" in text, text
        no_axe_findings(browser)
        assert_no_js_errors(browser)
