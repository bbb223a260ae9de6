"""The Content-Security-Policy in a real browser: charts draw without a violation, an
injected inline script and eval are refused, the lockout page is reachable."""

import pytest

from .conftest import assert_no_js_errors, step

pytestmark = pytest.mark.browser


def csp_violations(browser):
    return [e for e in browser.js_errors() if "Content Security Policy" in e["message"]]


def test_charts_draw_under_the_policy_and_injected_scripts_do_not_run(browsers):
    from dashboards.demo import DEMO_DASHBOARDS

    browser = browsers("mitarbeiter")
    slug = DEMO_DASHBOARDS[0][0]
    with step(browser, "csp-01-dashboard-without-violations"):
        browser.get(f"/dashboards/{slug}/")
        expected = len(browser.css("[data-figure]"))
        assert expected
        browser.wait_for(lambda d: len(browser.css(".js-plotly-plot")) >= expected)
        assert_no_js_errors(browser)

    with step(browser, "csp-02-inline-script-refused"):
        ran = browser.driver.execute_script(
            "var s = document.createElement('script');"
            "s.textContent = 'window.__bifInline = 1';"
            "document.head.appendChild(s);"
            "return window.__bifInline || null;"
        )
        assert ran is None
        assert any("script-src" in e["message"] for e in csp_violations(browser))

    with step(browser, "csp-03-inline-handler-refused"):
        browser.driver.execute_script(
            "var b = document.createElement('button');"
            "b.setAttribute('onclick', 'window.__bifHandler = 1');"
            "document.body.appendChild(b); b.click();"
        )
        assert browser.driver.execute_script("return window.__bifHandler || null;") is None
        assert csp_violations(browser)


def test_the_api_docs_page_works_under_the_policy(browsers):
    browser = browsers("statistik")
    with step(browser, "csp-04-api-docs"):
        browser.get("/api/docs/")
        if "404" in browser.driver.title or not browser.css("#swagger-ui"):
            pytest.skip("no API docs page yet")
        browser.wait_for(lambda d: browser.css("#swagger-ui .information-container"), timeout=30)
        assert not csp_violations(browser)
