"""Where the two halves of issue 19 meet, in headless Chromium: the district profile printed
to PDF (A4, every indicator with its definition, base values, sources and the legend of
signs) and laid out without faults; every figure of the three demo dashboards with its
definition, on the page and on its report; the microdata browser's tables scrolling inside
their container. Screenshots and the PDF's first page as PNG go to test-artifacts/e2e/.

Run: .venv/bin/python -m pytest tests/e2e/test_profile_report.py -m browser
"""

import json
import shutil
import subprocess

import pytest

from .conftest import ARTIFACTS, AXE, assert_no_js_errors, describe, serious, step
from .test_chart_layout import SLUGS, full_page_screenshot, layout_faults, wait_for_charts
from .test_reports import A4_POINTS, pdf_text, print_to_pdf

pytestmark = pytest.mark.browser

PROFILE = "/indikatoren/gebiet/08/"  # Sandberg


def no_axe_violation(browser):
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci --prefix tests/e2e)")
    violations = serious(browser.axe())
    assert not violations, describe(violations)


def in_print(browser, script):
    """The value of a script run while the page is laid out as it prints."""
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        return browser.driver.execute_script(script)
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.mark.parametrize("width", (1280, 820))
def test_the_district_profile_has_no_layout_fault_and_no_axe_violation(browsers, width):
    browser = browsers("mitarbeiter")
    browser.driver.set_window_size(width, 1024)
    try:
        with step(browser, f"profile-layout-{width}"):
            browser.get(PROFILE)
            assert browser.css("h1")[0].text == "Stadtteil-Profil Sandberg"
            faults = layout_faults(browser)
            full_page_screenshot(browser, f"layout-profile-08-{width}")
            assert faults == [], json.dumps(faults, indent=1, ensure_ascii=False)
            no_axe_violation(browser)
            assert_no_js_errors(browser)
    finally:
        browser.driver.set_window_size(1280, 1024)


def test_the_district_profile_prints_to_a4_with_definitions_base_values_and_signs(browsers):
    pypdf = pytest.importorskip("pypdf")
    browser = browsers("mitarbeiter")
    with step(browser, "profile-print-01-page"):
        browser.get(PROFILE)
        rows = browser.css("main table.data-table tbody tr")
        names = [r.find_element("css selector", "th a").text for r in rows]
        assert len(names) >= 10, names
        # One definition per indicator, each naming its source.
        definitions = browser.css(".indicator-definition summary")
        assert [d.get_attribute("textContent").strip() for d in definitions] == [
            f"Definition: {n}" for n in names
        ]
        sources = browser.driver.execute_script(
            "return Array.from(document.querySelectorAll('.indicator-definition'))"
            ".map(function (d) { return Array.from(d.querySelectorAll('dt'))"
            ".some(function (t) { return t.textContent.trim() === 'Quelle'; }); });"
        )
        assert all(sources), sources
        assert browser.css("button[data-print]")
        # As it prints: the table fits the page's width (nothing cut at its edge).
        widths = in_print(
            browser,
            "var t = document.querySelector('main table.data-table');"
            "return [t.getBoundingClientRect().right,"
            " document.querySelector('main').getBoundingClientRect().right,"
            " document.documentElement.scrollWidth, document.documentElement.clientWidth];",
        )
        assert widths[0] <= widths[1] + 1 and widths[2] <= widths[3] + 1, widths

    with step(browser, "profile-print-02-pdf"):
        target = ARTIFACTS / "profile-08.pdf"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target.write_bytes(print_to_pdf(browser))
        reader = pypdf.PdfReader(target)
        assert 1 <= len(reader.pages) < 10, len(reader.pages)
        for page in reader.pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2
        flat = pdf_text(reader)
        assert "Stadtteil-Profil Sandberg" in flat
        for name in names:
            assert f"Definition: {name}" in flat, name
        # The definitions print open: their terms and the calculation are on paper.
        assert flat.count("Berechnung") >= len(names)
        assert "Basiswerte" in flat and "Quelle" in flat
        assert "Zeichenerklärung" in flat and "geheim zu halten" in flat
        assert "Abmelden" not in flat and "Drucken oder als PDF speichern" not in flat

    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                str(target),
                str(ARTIFACTS / "profile-08-page"),
            ],
            check=True,
            timeout=60,
        )
        assert list(ARTIFACTS.glob("profile-08-page-*.png"))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_figure_of_a_demo_dashboard_shows_its_definition(browsers, slug):
    browser = browsers("mitarbeiter")
    for path, name in (
        (f"/dashboards/{slug}/", "page"),
        (f"/dashboards/{slug}/bericht/", "report"),
    ):
        with step(browser, f"definitions-{slug}-{name}"):
            browser.get(path)
            wait_for_charts(browser)
            widgets = browser.driver.execute_script(
                "return Array.from(document.querySelectorAll('.widget')).map(function (w) {"
                " return [w.querySelector('h2').textContent.trim(),"
                " Array.from(w.querySelectorAll('.indicator-definition summary'))"
                ".map(function (s) { return s.textContent.trim(); }),"
                " Array.from(w.querySelectorAll('.indicator-definition dd'))"
                ".filter(function (d) { return d.textContent.trim(); }).length]; });"
            )
            assert widgets, f"no widget on {path}"
            lacking = [title for title, summaries, terms in widgets if not summaries or not terms]
            assert not lacking, f"figures without definition on {path}: {lacking}"
            assert_no_js_errors(browser)


def test_the_microdata_browser_tables_scroll_inside_their_container(browsers):
    browser = browsers("statistik")  # the demo seed grants the office's statistician
    browser.driver.set_window_size(820, 1024)
    try:
        with step(browser, "microdata-browser-narrow"):
            browser.get("/statistikstelle/einzeldaten/einwohner/")
            assert browser.css("h1")[0].text.startswith("Einzeldaten:"), browser.css("h1")[0].text
            assert browser.css("#records-caption")
            tables = browser.driver.execute_script(
                """
                return Array.from(document.querySelectorAll('main table')).map(function (t) {
                  var box = t.parentElement.closest('.table-scroll');
                  return {caption: (t.caption || {}).textContent || '',
                          inBox: !!box,
                          overflow: box ? getComputedStyle(box).overflowX : '',
                          wider: box ? box.scrollWidth > box.clientWidth : false,
                          boxRight: box ? box.getBoundingClientRect().right : 0};
                });
                """
            )
            assert tables, "no table on the microdata browser"
            assert all(t["inBox"] and t["overflow"] in ("auto", "scroll") for t in tables), tables
            # The record table is wider than the window: it scrolls in its box, the page not.
            assert any(t["wider"] for t in tables), tables
            page = browser.driver.execute_script(
                "return [document.documentElement.scrollWidth,"
                " document.documentElement.clientWidth];"
            )
            assert page[0] <= page[1] + 1, page
            assert all(t["boxRight"] <= page[1] + 1 for t in tables), tables
            assert layout_faults(browser) == []
            full_page_screenshot(browser, "microdata-browser-820")
            no_axe_violation(browser)
            assert_no_js_errors(browser)
    finally:
        browser.driver.set_window_size(1280, 1024)
