"""The charts of every demo dashboard as rendered in Chromium, free of layout faults.

For each chart: the text boxes of ticks, axis and colour-bar titles, legends and
annotations neither overlap nor leave the chart, no label is cut with "…", no title sits
under the toolbar, and the page is never wider than the window (wide tables scroll inside
their container). At the desktop width and at a narrow one (one column). A full-page
screenshot of each demo dashboard goes to test-artifacts/e2e/layout-<slug>-<width>.png.
"""

import base64
import json

import pytest

from .conftest import ARTIFACTS, AXE, E2E, assert_no_js_errors, describe, serious, step

pytestmark = pytest.mark.browser

try:
    from dashboards.demo import DEMO_DASHBOARDS
except ImportError:  # the dashboards app without its demo
    DEMO_DASHBOARDS = []
SLUGS = [entry[0] for entry in DEMO_DASHBOARDS]
CHECK = (E2E / "layout_check.js").read_text(encoding="utf-8")
WIDTHS = (1280, 820)


def wait_for_charts(browser):
    expected = len(browser.css("[data-figure]"))
    browser.wait_for(
        lambda d: len(browser.css(".js-plotly-plot")) >= expected,
        message=f"{expected} plotly charts on {browser.path}",
    )
    # plotly lays out asynchronously (automargin redraws): wait until no redraw is pending.
    browser.wait_for(
        lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".every(function (p) { return !p._transitioning && p._fullLayout"
            " && !(p._fullLayout._redrawFromAutoMarginCount > 0); });"
        ),
        message="charts settled",
    )
    return expected


def full_page_screenshot(browser, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = browser.driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def layout_faults(browser):
    return browser.driver.execute_script(CHECK)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("slug", SLUGS)
def test_demo_dashboard_charts_have_no_layout_faults(browsers, slug, width):
    browser = browsers("mitarbeiter")
    browser.driver.set_window_size(width, 1024)
    try:
        with step(browser, f"layout-{slug}-{width}-viewport"):
            browser.get(f"/dashboards/{slug}/")
            charts = wait_for_charts(browser)
            assert charts, f"no chart on {slug}"
            faults = layout_faults(browser)
            full_page_screenshot(browser, f"layout-{slug}-{width}")
            assert faults == [], f"{len(faults)} layout faults on {slug} at {width}px:\n" + (
                json.dumps(faults, indent=1, ensure_ascii=False)
            )
            assert_no_js_errors(browser)
    finally:
        browser.driver.set_window_size(1280, 1024)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_chart_has_a_text_alternative_and_the_page_no_axe_violation(browsers, slug):
    browser = browsers("mitarbeiter")
    with step(browser, f"layout-{slug}-a11y"):
        browser.get(f"/dashboards/{slug}/")
        wait_for_charts(browser)
        # Every chart (maps too) is a figure whose caption states its finding.
        captions = browser.driver.execute_script(
            "return Array.from(document.querySelectorAll('.chart-figure'))"
            ".map(function (f) { var c = f.querySelector('figcaption');"
            " return c ? c.textContent.trim() : ''; });"
        )
        assert captions and all(captions), captions
        findings = (
            "Höchster Wert",
            "Von ",
            "Größter Anteil",
            "Einziger ausgewiesener Wert",
            "Kein Wert",
        )
        lacking = [c for c in captions if not any(f in c for f in findings)]
        assert not lacking, lacking
        if not AXE.exists():
            pytest.skip("axe-core not installed (npm ci --prefix tests/e2e)")
        violations = serious(browser.axe())
        assert not violations, describe(violations)
