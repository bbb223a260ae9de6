"""A demo dashboard printed to PDF in headless Chromium (CDP Page.printToPDF), read back with
pypdf: A4 pages, every chart's data table, sources and the legend of signs in the text; the
first page as PNG (pdftoppm) under test-artifacts/e2e/. And a widget's embed page framed by
an intranet page of the allowed origin.
"""

import base64
import shutil
import subprocess
import unicodedata

import pytest

from .conftest import ARTIFACTS, AXE, assert_no_js_errors, describe, serious, step
from .test_chart_layout import layout_faults, wait_for_charts

pytestmark = pytest.mark.browser

A4_POINTS = (595.28, 841.89)  # 210 × 297 mm


def pdf_text(reader):
    """The PDF's text on one line, ligatures (ﬁ, ﬀ) undone."""
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def print_to_pdf(browser):
    printed = browser.driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    return base64.b64decode(printed["data"])


def test_a_dashboard_report_prints_to_a4_with_tables_sources_and_signs(browsers):
    pypdf = pytest.importorskip("pypdf")
    from dashboards.demo import DEMO_DASHBOARDS

    slug = DEMO_DASHBOARDS[2][0]  # Bevölkerung: line, stacked bar, donut, table
    browser = browsers("mitarbeiter")
    with step(browser, "report-01-page"):
        browser.get(f"/dashboards/{slug}/")
        link = browser.css(".report-link a")[0]
        link.click()
        browser.wait_for(lambda d: "/bericht/" in d.current_url, message="report page")
        wait_for_charts(browser)
        assert layout_faults(browser) == []
        assert_no_js_errors(browser)
        if AXE.exists():
            violations = serious(browser.axe())
            assert not violations, describe(violations)
        titles = [h.text for h in browser.css(".widget h2")]
        # Every chart's table is open on the report.
        assert all(d.get_attribute("open") is not None for d in browser.css("details.chart-data"))

    with step(browser, "report-02-print-layout"):
        # The page as it prints (A4 width): still no layout fault.
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            faults = layout_faults(browser)
            page = browser.driver.execute_script(
                "return document.querySelector('.report').getBoundingClientRect().width;"
            )
        finally:
            browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        assert page <= 681  # 180 mm: the charts are drawn at the width they print
        assert faults == [], faults

    with step(browser, "report-03-pdf"):
        pdf = print_to_pdf(browser)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"report-{slug}.pdf"
        target.write_bytes(pdf)
        reader = pypdf.PdfReader(target)
        assert 1 < len(reader.pages) < 12, len(reader.pages)
        for page in reader.pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2
        flat = pdf_text(reader)
        for title in titles:
            assert " ".join(title.split()) in flat, title
        assert "Zeichenerklärung" in flat and "geheim zu halten" in flat
        assert "Quelle:" in flat
        assert "Tabelle zur Grafik" in flat and "Stadtteil" in flat
        # Navigation and forms are not printed.
        assert "Abmelden" not in flat and "Filter anwenden" not in flat

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
                "2",
                str(target),
                str(ARTIFACTS / f"report-{slug}-page"),
            ],
            check=True,
            timeout=60,
        )
        assert list(ARTIFACTS.glob(f"report-{slug}-page-*.png"))


def test_an_ordinary_dashboard_page_prints_its_chart_tables_too(browsers):
    pypdf = pytest.importorskip("pypdf")
    from dashboards.demo import DEMO_DASHBOARDS

    slug = DEMO_DASHBOARDS[1][0]
    browser = browsers("mitarbeiter")
    with step(browser, "report-04-dashboard-printed"):
        browser.get(f"/dashboards/{slug}/")
        wait_for_charts(browser)
        target = ARTIFACTS / f"print-{slug}.pdf"
        target.write_bytes(print_to_pdf(browser))
        reader = pypdf.PdfReader(target)
        flat = pdf_text(reader)
        assert "Tabelle zur Grafik" in flat and "Quelle:" in flat
        # The tables of the charts print although they are closed on the page (their
        # header row: only a table has it).
        assert "Stadtteil Anzahl" in flat
        assert "Abmelden" not in flat and "Rückmeldung senden" not in flat


def test_a_widget_embeds_in_a_frame_of_the_same_origin(browsers):
    from dashboards.demo import DEMO_DASHBOARDS

    slug = DEMO_DASHBOARDS[0][0]
    browser = browsers("mitarbeiter")
    with step(browser, "embed-01-framed"):
        browser.get(f"/dashboards/{slug}/")
        embed = browser.css(".widget-downloads a[href*='/einbetten/']")[0].get_attribute("href")
        # An intranet page of the allowed origin ('self'): a frame with the embed URL.
        browser.driver.execute_script(
            "var f = document.createElement('iframe'); f.id = 'embed-frame';"
            "f.title = 'Eingebettete Grafik'; f.width = 640; f.height = 520;"
            "f.src = arguments[0]; document.body.prepend(f);",
            embed,
        )
        frame = browser.css("#embed-frame")[0]
        browser.driver.switch_to.frame(frame)
        try:
            browser.wait_for(lambda d: browser.css(".js-plotly-plot"), message="chart in frame")
            assert browser.css(".widget h2")
            assert layout_faults(browser) == []
        finally:
            browser.driver.switch_to.default_content()
        assert_no_js_errors(browser)

    with step(browser, "embed-02-alone"):
        browser.get(embed[len(browser.base_url) :])
        browser.wait_for(lambda d: browser.css(".js-plotly-plot"), message="chart alone")
        assert layout_faults(browser) == []
        if AXE.exists():
            violations = serious(browser.axe())
            assert not violations, describe(violations)
