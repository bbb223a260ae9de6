"""What the browser journeys do on a page, written once: check it (axe, browser log), fill a
field, submit and wait for the next page."""

import pytest

from .conftest import AXE, assert_no_js_errors, describe, serious


def accessible(browser):
    """No serious or critical axe-core violation on the page."""
    if not AXE.is_file():
        pytest.skip(f"axe-core missing at {AXE}: run `npm ci --prefix tests/e2e`")
    bad = serious(browser.axe())
    assert not bad, f"axe on {browser.path}:\n{describe(bad)}"


def checked(browser):
    """Accessible, and no error in the browser's log."""
    accessible(browser)
    assert_no_js_errors(browser)


def submit(browser, selector):
    """Click `selector` and wait until the next page has loaded."""
    browser.driver.execute_script("window.__page = true")
    browser.css(selector)[0].click()
    browser.wait_for(
        lambda d: d.execute_script("return document.readyState === 'complete' && !window.__page"),
        timeout=60,
        message=f"page after {selector}",
    )


def fill(browser, selector, value):
    field = browser.css(selector)[0]
    field.clear()
    field.send_keys(value)
