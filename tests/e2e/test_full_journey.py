"""The whole journey through the demo city in headless Chromium, in order, through the UI only.

An analyst uploads an export that draws plausibility warnings and watches the progress bar; a
statistician acknowledges the warnings and accepts; defines a table and computes it; a second
statistician reviews and publishes it (four eyes); a member of staff filters a dashboard and
downloads a chart's CSV; an administrator grants a statistician access to a source, a second
administrator approves, the first revokes, and the audit trail shows all of it.

The steps are test functions that run in file order and share state in `JOURNEY`; a failed
step skips the rest. Each step leaves `test-artifacts/e2e/journey-NN-<step>.png` and counts
towards the "browser journey: N steps passed" line of the test summary. ORM reads are used
for assertions only; every action is a click or a keystroke in the browser.

With CELERY_BROKER_URL set, the journey runs against a real Celery worker (marker
`celery_worker`): the upload is processed by the worker and the run page's progress bar
follows it. Without a broker, tasks run eagerly inside the live server.
"""

import csv
import datetime
import os
import re
import time
from contextlib import contextmanager

import pytest

from .actions import fill
from .conftest import ARTIFACTS, AXE, STEPS, describe, serious, step

pytestmark = [
    pytest.mark.browser,
    *([pytest.mark.celery_worker] if os.environ.get("CELERY_BROKER_URL") else []),
]

# State handed from one step to the next (run id, table, grant, …).
JOURNEY: dict = {}
# Page types axe-core has checked in this journey: each new type once.
AXE_CHECKED: set = set()

UPLOAD_RESIDENTS = 3600  # the demo city has 3,000: +20 % rows draws a row-count warning
TABLE_TITLE = "Einwohner nach Stadtteil und Altersgruppe (5 Jahre), Prüfstrecke"
TABLE_SLUG = "journey-einwohner-stadtteil-5j"
GRANTEE, GRANT_SOURCE = "statistik2", "bauantraege"
GRANT_PURPOSE = "Wohnungsbaumonitoring 2026: Bauanträge je Stadtteil"
DASHBOARD, WIDGET_TITLE = "stadtteil-profil", "Einwohner nach Stadtteil und Altersgruppe"


@pytest.fixture(autouse=True)
def _in_order(request):
    """A journey step needs the steps before it: after a failure the rest is skipped."""
    if JOURNEY.get("failed"):
        pytest.skip(f"an earlier journey step failed: {JOURNEY['failed']}")
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        JOURNEY["failed"] = request.node.name


@contextmanager
def journey_step(browser, number, name):
    """conftest.step (screenshot journey-NN-name.png, counted) plus the journey's own count."""
    shot = f"journey-{number:02d}-{name}"
    with step(browser, shot):
        yield
    (ARTIFACTS / f"{shot}-failed.png").unlink(missing_ok=True)  # left by an earlier run
    STEPS["journey"] = STEPS.get("journey", 0) + 1


def check_page(browser, kind, *, status_404=False):
    """No browser errors on the page; axe-core once per page type (serious/critical fail)."""
    entries = browser.js_errors()
    if status_404:  # the page itself is a 404 on purpose: exactly that load may fail
        entries = [e for e in entries if "status of 404" not in e["message"]]
    assert not entries, f"browser errors on {browser.path}: {entries}"
    if kind in AXE_CHECKED:
        return
    if not AXE.is_file():  # as in test_journeys: no axe-core, no accessibility check
        print(f"axe-core missing at {AXE} (npm ci --prefix tests/e2e): {kind} not checked")
        return
    violations = browser.axe()
    bad = serious(violations)
    print(f"axe {kind}: {browser.path}: {len(violations)} violations, {len(bad)} serious")
    assert not bad, f"axe on {browser.path} ({kind}):\n{describe(bad)}"
    AXE_CHECKED.add(kind)


def click(browser, selector, *, text=None):
    """Click the element matching `selector` (and containing `text`), scrolled into view."""
    elements = browser.css(selector)
    if text is not None:
        elements = [e for e in elements if text in e.text]
    assert elements, f"nothing to click: {selector} {text or ''} on {browser.path}"
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", elements[0])
    elements[0].click()


def choose(browser, selector, *, text=None, value=None):
    from selenium.webdriver.support.ui import Select

    select = Select(browser.css(selector)[0])
    if value is not None:
        select.select_by_value(str(value))
    else:
        label = next((o.text for o in select.options if o.text.startswith(text)), None)
        assert label, f"no option {text!r} in {selector}: {[o.text for o in select.options]}"
        select.select_by_visible_text(label)


def wait(browser, condition, *, timeout=20, message=""):
    """Like Browser.wait_for, but an element that went stale (the page moved on) is retried."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        browser.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition, message)


def press(browser, button_selector, *, leaves=None, timeout=60):
    """Click a submit button and wait until the next page has loaded."""
    driver = browser.driver
    driver.execute_script("window.__journeyPage = true")  # gone once a new page loads
    click(browser, button_selector)
    wait(
        browser,
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && !window.__journeyPage"
        ),
        timeout=timeout,
        message=f"submit {button_selector}",
    )
    if leaves:
        wait(browser, lambda d: leaves not in d.current_url, timeout=timeout, message=leaves)


def submit(browser, form_selector, *, leaves=None, timeout=60):
    """Submit a form with its (first) submit button and wait for the next page."""
    press(browser, f"{form_selector} button[type=submit]", leaves=leaves, timeout=timeout)


def type_date(browser, selector, day):
    """Type a date into an <input type=date> as a person would, from its first segment.

    The segments' order follows Chromium's locale (dd.mm.yyyy in German, mm/dd/yyyy in
    English), not the page's: try one, clear the segments, try the other."""
    from selenium.webdriver.common.keys import Keys

    field = browser.css(selector)[0]
    for keys in (day.strftime("%d%m%Y"), day.strftime("%m%d%Y")):
        browser.driver.execute_script("arguments[0].focus()", field)
        field.send_keys(keys)
        if field.get_property("value") == day.isoformat():
            return
        browser.driver.execute_script("arguments[0].focus()", field)
        field.send_keys(Keys.BACKSPACE, Keys.TAB, Keys.BACKSPACE, Keys.TAB, Keys.BACKSPACE)
    raise AssertionError(f"could not type {day} into {selector}")


def text_of(browser):
    return browser.css("main")[0].text


def reload_until(browser, predicate, *, timeout=120, message=""):
    """Reload the page until `predicate(browser)` holds (a real worker finishes meanwhile)."""
    deadline = time.monotonic() + timeout
    while not predicate(browser):
        assert time.monotonic() < deadline, f"timed out on {browser.path}: {message}"
        time.sleep(1)
        browser.driver.refresh()
    return True


def progressbar_ax(browser):
    """The run page's progress bar as the accessibility tree exposes it (role, valuenow)."""
    driver = browser.driver
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = driver.execute_cdp_cmd(
        "DOM.querySelector", {"nodeId": root, "selector": "#run-progress-bar"}
    )["nodeId"]
    tree = driver.execute_cdp_cmd(
        "Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False}
    )
    ax = tree["nodes"][0]
    values = {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}
    return {
        "role": ax["role"]["value"],
        "valuenow": ax.get("value", {}).get("value", values.get("valuenow")),
        "valuemax": values.get("valuemax"),
    }


# Import run states in which the run page stops polling.
ENDED = ("review", "accepted", "failed", "cancelled")


# --- 1. The analyst uploads an export and watches the progress bar ----------------------


def test_analyst_uploads_export_and_watches_progress(browsers, tmp_path_factory):
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import Select

    from departments.demo import generator
    from departments.models import ImportRun
    from statistics_office.microdata import reports

    directory = tmp_path_factory.mktemp("journey-upload")
    export = directory / "einwohner_2025_neu.csv"
    rows = generator.write_source_csv(
        "einwohner", export, year=2025, residents=UPLOAD_RESIDENTS, seed=2026
    )
    with open(export, encoding="utf-8") as handle:
        records = list(csv.DictReader(handle, delimiter=";"))
    # Values only the microdata holds: none of them may ever reach a member of staff.
    JOURNEY["microdata_ids"] = {r["Personen-ID"] for r in records} | {
        r["Haushalts-ID"] for r in records
    }
    browser = browsers("analyse-ewo")
    with journey_step(browser, 1, "analyst-upload-form"):
        browser.get("/")
        click(browser, "main a[href='/katalog/einwohner/']")  # "Ihre Datenquellen"
        wait(browser, lambda d: browser.path == "/katalog/einwohner/", message="source")
        check_page(browser, "source-detail")
        click(browser, "main a[href='/katalog/hochladen/?quelle=einwohner']")
        wait(browser, lambda d: browser.path.startswith("/katalog/hochladen/"), message="up")
        # The source the analyst came from is preselected.
        selected = Select(browser.css("select[name=source]")[0]).first_selected_option
        assert selected.text.startswith("Einwohner"), selected.text
        browser.css("input[type=file]")[0].send_keys(str(export))
        check_page(browser, "upload")

    with journey_step(browser, 2, "analyst-progress-bar"):
        click(browser, "form.upload-form button[type=submit]")
        wait(
            browser,
            lambda d: re.search(r"/katalog/importe/\d+/$", d.current_url),
            timeout=120,
            message="run page after the upload",
        )
        run_id = int(re.search(r"/importe/(\d+)/", browser.path).group(1))
        JOURNEY["run_id"] = run_id
        ax = progressbar_ax(browser)
        assert ax["role"] == "progressbar", ax
        # Watch the bar until the run ends: the page polls the job row and reloads then.
        seen, deadline = [], time.monotonic() + 180
        while True:
            try:
                bar = browser.css("progress#run-progress-bar")
                status = browser.css("[data-run-status]")
                value = int(float(bar[0].get_attribute("value"))) if bar else None
                label = status[0].get_attribute("class") if status else ""
            except StaleElementReferenceException:  # the page reloaded between two reads
                continue
            except WebDriverException as exc:
                # The same race, as Chrome sometimes reports it: the node was read while
                # the page reloaded ("Node with given id does not belong to the document").
                if "does not belong to the document" not in str(exc):
                    raise
                assert time.monotonic() < deadline, f"run {run_id} did not finish: {seen}"
                continue
            if value is not None and (not seen or seen[-1] != value):
                seen.append(value)
            if any(f"status-{s}" in label for s in ENDED):
                break
            assert time.monotonic() < deadline, f"run {run_id} did not finish: {seen}"
            time.sleep(0.1)
        print(f"journey: run {run_id}, {rows} rows, progress values seen {seen}")
        assert seen == sorted(seen), f"the progress bar went backwards: {seen}"
        ax = progressbar_ax(browser)
        print(f"journey: progress bar in the accessibility tree: {ax}")
        assert ax["role"] == "progressbar" and float(ax["valuenow"]) == 100, ax
        status = browser.css("[data-run-status]")[0]
        assert "status-review" in status.get_attribute("class"), status.text
        assert not browser.css(".findings-error"), "the export drew errors, not warnings"
        warnings = [li.text for li in browser.css(".findings-warning li")]
        assert warnings, "no plausibility warnings on the run page"
        print("journey: warnings for the analyst:", warnings)
        run = ImportRun.objects.get(pk=run_id)
        assert run.status == ImportRun.Status.AWAITING_REVIEW, run.status
        assert run.error_count == 0 and run.warning_count >= 1
        assert run.row_count == rows
        assert "rowcount_change" in {f["rule"] for f in reports.findings_of(run.pk)}
        assert browser.css("[data-run-rows]")[0].text.replace(".", "") == str(rows)
        # The analyst cannot accept: that is the statistics office's review.
        assert not browser.css("form[action$='/pruefen/']")
        check_page(browser, "run-detail")


# --- 2. A statistician acknowledges the warnings and accepts ------------------------------


def test_statistician_acknowledges_warnings_and_accepts(browsers):
    from departments.models import ImportRun
    from statistics_office.microdata import store

    run_id = JOURNEY["run_id"]
    browser = browsers("statistik")
    with journey_step(browser, 3, "statistician-opens-run"):
        browser.get("/katalog/importe/")
        click(browser, f"main table a[href='/katalog/importe/{run_id}/']")
        wait(browser, lambda d: browser.path == f"/katalog/importe/{run_id}/", message="run page")
        assert browser.css(".findings-warning li"), "the statistician sees no warnings"
        assert browser.css("form[action$='/pruefen/']"), "no review form for the statistician"
        check_page(browser, "run-review")

    comment = "Zuwachs durch Nachmeldungen aus der Neubausiedlung plausibel; Anteile geprüft."
    with journey_step(browser, 4, "statistician-accepts"):
        click(browser, "input[name=decision][value=accept]")
        fill(browser, "textarea[name=comment]", comment)
        submit(browser, "form[action$='/pruefen/']")
        reload_until(
            browser,
            lambda b: "status-accepted" in b.css("[data-run-status]")[0].get_attribute("class"),
            message="run accepted",
        )
        assert comment in text_of(browser), "the review comment is not shown"
        run = ImportRun.objects.get(pk=run_id)
        assert run.status == ImportRun.Status.ACCEPTED and run.reviewed_by.username == "statistik"
        version = store.current_version(run.source_id)
        assert version is not None and version.import_run_id == run_id, version
        check_page(browser, "run-accepted")


# --- 3. The statistician defines a table and computes it ----------------------------------


def test_statistician_defines_and_computes_table(browsers):
    from statistics_office.tables.models import TableComputation, TableDefinition

    browser = browsers("statistik")
    with journey_step(browser, 5, "statistician-defines-table"):
        browser.get("/tabellen/statistikstelle/")
        check_page(browser, "definition-list")
        click(browser, "a[href='/tabellen/statistikstelle/neu/']")
        wait(browser, lambda d: browser.css("#id_title"), message="definition form")
        check_page(browser, "definition-form")
        fill(browser, "#id_title", TABLE_TITLE)
        fill(browser, "#id_slug", TABLE_SLUG)
        fill(browser, "#id_description", "Probelauf der Statistikstelle im Browser.")
        choose(browser, "#id_sources", text="Einwohner")
        # Chosen from the source's fields, no JSON to type (issue 19).
        choose(browser, "#id_dim0_field", value="Stadtteil")
        choose(browser, "#id_dim1_field", value="Geburtsdatum")
        choose(browser, "#id_dim1_kind", value="age_band")
        choose(browser, "#id_dim1_bands", value="5y")
        choose(browser, "#id_measure", value="count")
        choose(browser, "#id_method", value="suppression")
        fill(browser, "#id_min_frequency", "3")
        submit(browser, "form.form", leaves="/neu/")
        definition = TableDefinition.objects.get(slug=TABLE_SLUG)
        JOURNEY["definition_id"] = definition.pk
        assert browser.path == f"/tabellen/statistikstelle/{definition.pk}/", browser.path
        assert browser.css("h1")[0].text == TABLE_TITLE
        check_page(browser, "definition-detail")

    with journey_step(browser, 6, "statistician-computes-table"):
        submit(browser, "form[action$='/berechnen/']", leaves=f"/{definition.pk}/")
        assert "/statistikstelle/berechnung/" in browser.path, browser.path
        reload_until(
            browser,
            lambda b: "status-computed" in b.css(".facts .status")[0].get_attribute("class"),
            message="table computed",
        )
        computation = TableComputation.objects.get(definition=definition)
        JOURNEY["computation_id"] = computation.pk
        assert computation.status == TableComputation.Status.COMPUTED
        assert computation.audit_passed, "the suppression did not pass its LP audit"
        assert browser.css("main table"), "no protected preview"
        # Four eyes: the author is told a second person reviews, and gets no review form.
        assert not browser.css("form[action$='/pruefen/']")
        assert "zweite Person" in text_of(browser)
        check_page(browser, "computation-preview")


# --- 4. A second statistician reviews and publishes ---------------------------------------


def test_second_statistician_reviews_and_publishes(browsers):
    from statistics_office.tables.models import PublishedTable, TableComputation

    definition_id, computation_id = JOURNEY["definition_id"], JOURNEY["computation_id"]
    browser = browsers("statistik2")
    with journey_step(browser, 7, "reviewer-approves"):
        browser.get("/tabellen/statistikstelle/")
        click(browser, f"main table a[href='/tabellen/statistikstelle/{definition_id}/']")
        wait(browser, lambda d: browser.css("h1")[0].text == TABLE_TITLE, message="def")
        # The reviewer may publish, not define: no edit or compute buttons.
        assert not browser.css("form[action$='/berechnen/']")
        click(browser, f"main table a[href$='/berechnung/{computation_id}/']")
        wait(browser, lambda d: browser.css("#review-comment"), message="review form")
        fill(browser, "#review-comment", "Geprüft: Randsummen und Sperrungen stimmig.")
        press(browser, "button[name=decision][value=approve]")
        assert "status-reviewed" in browser.css(".facts .status")[0].get_attribute("class")
        computation = TableComputation.objects.get(pk=computation_id)
        assert computation.status == TableComputation.Status.REVIEWED
        assert computation.reviewed_by.username == GRANTEE
        check_page(browser, "computation-reviewed")

    with journey_step(browser, 8, "reviewer-publishes"):
        submit(browser, "form[action$='/veroeffentlichen/']", leaves="/berechnung/")
        published = PublishedTable.objects.get(definition_id=definition_id)
        assert browser.path == f"/tabellen/{published.pk}/", browser.path
        assert published.reviewed_by.username == GRANTEE
        assert published.published_by.username == GRANTEE
        check_page(browser, "published-detail")
        browser.get("/tabellen/")
        titles = [a.text for a in browser.css("main table th a")]
        assert TABLE_TITLE in titles, titles
        check_page(browser, "published-list")
        JOURNEY["published_id"] = published.pk


# --- 5. A member of staff filters a dashboard and downloads a chart's CSV -----------------


def test_staff_filters_dashboard_and_downloads_csv(browsers, tmp_path_factory):
    from selenium.webdriver.support.ui import Select

    from statistics_office.tables.models import PublishedTable

    browser = browsers("mitarbeiter")
    with journey_step(browser, 9, "staff-dashboard"):
        browser.get("/dashboards/")
        click(browser, f".dashboard-cards a[href='/dashboards/{DASHBOARD}/']")
        wait(browser, lambda d: browser.path == f"/dashboards/{DASHBOARD}/", message="open")
        expected = len(browser.css("[data-figure]"))
        assert expected, "a dashboard without charts"
        wait(browser, lambda d: len(browser.css(".js-plotly-plot")) >= expected)
        check_page(browser, "dashboard")

    with journey_step(browser, 10, "staff-filter"):
        select = Select(browser.css("form.dashboard-filters select[name=Stadtteil]")[0])
        option = select.options[1]
        code, label = option.get_attribute("value"), option.text
        select.select_by_index(1)
        submit(browser, "form.dashboard-filters")
        assert f"Stadtteil={code}" in browser.driver.current_url
        chosen = Select(browser.css("form.dashboard-filters select[name=Stadtteil]")[0])
        assert chosen.first_selected_option.get_attribute("value") == code
        expected = len(browser.css("[data-figure]"))
        wait(browser, lambda d: len(browser.css(".js-plotly-plot")) >= expected)
        check_page(browser, "dashboard-filtered")

    downloads = tmp_path_factory.mktemp("journey-downloads")
    with journey_step(browser, 11, "staff-downloads-csv"):
        browser.driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True},
        )
        widget = next(
            w
            for w in browser.css(".dashboard-grid .widget")
            if w.find_element("css selector", "h2").text == WIDGET_TITLE
        )
        link = widget.find_element("css selector", ".widget-downloads a[href*='daten.csv']")
        assert f"Stadtteil={code}" in link.get_attribute("href"), "the download ignores the filter"
        browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        wait(
            browser,
            lambda d: [p for p in downloads.iterdir() if p.suffix == ".csv"],
            timeout=30,
            message="CSV download",
        )
        path = next(p for p in downloads.iterdir() if p.suffix == ".csv")
        content = path.read_text(encoding="utf-8-sig")
        lines = list(csv.reader(content.splitlines(), delimiter=";"))
        print(f"journey: downloaded {path.name}:\n" + "\n".join(map(";".join, lines[:6])))
        assert lines[0] == [WIDGET_TITLE], lines[0]
        header, body = lines[1], [row for row in lines[2:] if len(row) > 1]
        assert header[0] == "Stadtteil" and len(header) > 2, header
        assert body and all(row[0] == label for row in body), (label, body)
        # Only published figures: every number is a cell of the published table…
        published = {
            float(cell["value"])
            for table in PublishedTable.objects.filter(
                definition__slug="einwohner-stadtteil-alter", withdrawn_at__isnull=True
            )
            for cell in table.cells
            if cell["value"] is not None and not cell.get("flag")
        }
        numbers = [
            float(value.replace(",", "."))
            for row in body
            for value in row[1:]
            if re.fullmatch(r"-?\d+(,\d+)?", value)
        ]
        assert numbers, body
        assert set(numbers) <= published, set(numbers) - published
        # …and no value of the microdata (person or household ids) is anywhere in the file.
        leaked = {v for row in lines for v in row} & JOURNEY["microdata_ids"]
        assert not leaked, f"microdata in the dashboard CSV: {sorted(leaked)[:5]}"
        assert not re.search(r"\b\d{8,9}\b", content), "an identifier-like value in the CSV"
        errors = browser.js_errors()
        assert not errors, f"browser errors while downloading: {errors}"


# --- 6. Administrators grant, approve and revoke access; the audit trail shows it ---------


def _microdata_page(browser):
    browser.get(f"/statistikstelle/einzeldaten/{GRANT_SOURCE}/")
    return browser.css("h1")[0].text


def test_grantee_is_refused_without_grant(browsers):
    browser = browsers(GRANTEE)
    with journey_step(browser, 12, "grantee-refused-before"):
        heading = _microdata_page(browser)
        assert "nicht freigegeben" in heading, heading
        assert not browser.css("#records-caption")
        check_page(browser, "no-access", status_404=True)


def test_administrator_grants_access(browsers):
    from statistics_office.models import Grant

    browser = browsers("admin")
    valid_until = datetime.date.today() + datetime.timedelta(days=90)
    with journey_step(browser, 13, "admin-grants"):
        browser.get("/statistikstelle/freigaben/")
        check_page(browser, "grant-list")
        click(browser, "main a.button[href='/statistikstelle/freigaben/neu/']")
        wait(browser, lambda d: browser.css("#id_purpose"), message="grant form")
        check_page(browser, "grant-form")
        choose(browser, "#id_user", text="Tom Prüfer")
        choose(browser, "#id_source", text="Bauanträge")
        choose(browser, "#id_permission", value="view_microdata")
        fill(browser, "#id_purpose", GRANT_PURPOSE)
        fill(browser, "#id_legal_basis", "§ 4 Statistiksatzung i. V. m. § 16 BStatG")
        type_date(browser, "#id_valid_until", valid_until)
        submit(browser, "form.form", leaves="/neu/")
        assert browser.path == "/statistikstelle/freigaben/", browser.path
        grant = Grant.objects.get(
            user__username=GRANTEE, source__slug=GRANT_SOURCE, permission="view_microdata"
        )
        JOURNEY["grant_id"] = grant.pk
        assert grant.granted_by.username == "admin" and grant.approved_at is None
        assert grant.valid_until == valid_until and grant.purpose == GRANT_PURPOSE
        row = next(tr for tr in browser.css("main table tbody tr") if GRANT_PURPOSE in tr.text)
        assert "wartet auf Bestätigung" in row.text, row.text
        # Four eyes: the one who granted cannot approve.
        browser.get("/statistikstelle/freigaben/offen/")
        row = next(tr for tr in browser.css("main table tbody tr") if GRANT_PURPOSE in tr.text)
        assert not row.find_elements("css selector", "form[action$='/bestaetigen/']")
        check_page(browser, "grant-pending")
    grantee = browsers(GRANTEE)
    with journey_step(grantee, 14, "grantee-refused-while-pending"):
        assert "nicht freigegeben" in _microdata_page(grantee)
        check_page(grantee, "no-access", status_404=True)


def test_second_administrator_approves_and_grantee_sees_microdata(browsers):
    from statistics_office.models import Grant

    grant_id = JOURNEY["grant_id"]
    browser = browsers("admin2")
    with journey_step(browser, 15, "admin2-approves"):
        browser.get("/statistikstelle/freigaben/")
        click(browser, "a[href='/statistikstelle/freigaben/offen/']")
        wait(browser, lambda d: browser.path == "/statistikstelle/freigaben/offen/")
        submit(browser, f"form[action='/statistikstelle/freigaben/{grant_id}/bestaetigen/']")
        assert "Freigabe bestätigt" in browser.css(".messages")[0].text
        grant = Grant.objects.get(pk=grant_id)
        assert grant.approved_by.username == "admin2" and grant.approved_at is not None
        check_page(browser, "grant-pending")
    grantee = browsers(GRANTEE)
    with journey_step(grantee, 16, "grantee-sees-microdata"):
        heading = _microdata_page(grantee)
        assert heading.startswith("Einzeldaten:"), heading
        caption = grantee.css("#records-caption")[0].text
        assert "Treffer" in caption and grantee.css("main table tbody tr"), caption
        check_page(grantee, "microdata-browser")


def test_administrator_revokes_and_grantee_is_refused(browsers):
    from statistics_office.models import Grant

    grant_id = JOURNEY["grant_id"]
    browser = browsers("admin")
    reason = "Auftrag Wohnungsbaumonitoring abgeschlossen."
    with journey_step(browser, 17, "admin-revokes"):
        browser.get("/statistikstelle/freigaben/")
        click(browser, f"a[href='/statistikstelle/freigaben/{grant_id}/widerrufen/']")
        wait(browser, lambda d: browser.css("#id_reason"), message="revoke form")
        check_page(browser, "grant-revoke")
        fill(browser, "#id_reason", reason)
        submit(browser, "form.form", leaves="/widerrufen/")
        assert "Freigabe widerrufen" in browser.css(".messages")[0].text
        grant = Grant.objects.get(pk=grant_id)
        assert grant.revoked_at is not None and grant.revoked_by.username == "admin"
    grantee = browsers(GRANTEE)
    with journey_step(grantee, 18, "grantee-refused-after"):
        heading = _microdata_page(grantee)
        assert "nicht freigegeben" in heading, heading
        assert not grantee.css("#records-caption")
        check_page(grantee, "no-access", status_404=True)


def test_administrator_reads_the_audit_trail(browsers):
    browser = browsers("admin")
    with journey_step(browser, 19, "admin-audit-trail"):
        browser.get("/")
        browser.get("/statistikstelle/audit/")
        check_page(browser, "audit-log")
        fill(browser, "#id_objekt", "Bauanträge")
        submit(browser, "form.filter-bar")
        rows = [
            [td.text for td in tr.find_elements("css selector", "td")]
            for tr in browser.css("main table.data-table tbody tr")
        ]
        # (action, user, outcome) of the grant's life and the grantee's attempts, newest first.
        seen = [(r[2], r[3], r[7]) for r in rows if len(r) == 9]
        print("journey: audit entries for Bauanträge:", seen)
        expected = [
            ("Zugriff verweigert", GRANTEE, "abgelehnt"),
            ("Freigabe widerrufen", "admin", "erfolgreich"),
            ("Einzeldaten angesehen", GRANTEE, "erfolgreich"),
            ("Freigabe bestätigt", "admin2", "erfolgreich"),
            ("Zugriff verweigert", GRANTEE, "abgelehnt"),
            ("Freigabe beantragt", "admin", "erfolgreich"),
            ("Zugriff verweigert", GRANTEE, "abgelehnt"),
        ]
        assert seen[: len(expected)] == expected, seen
        view = next(r for r in rows if r[2] == "Einzeldaten angesehen")
        assert view[6] == GRANT_PURPOSE, view  # the purpose the grantee acted under
        # The import review and the publication are on record too.
        fill(browser, "#id_objekt", "")
        choose(browser, "#id_aktion", text="Import geprüft")
        submit(browser, "form.filter-bar")
        assert "statistik" in text_of(browser) and "accept" in text_of(browser)
        choose(browser, "#id_aktion", text="Tabelle veröffentlicht")
        submit(browser, "form.filter-bar")
        assert TABLE_TITLE in text_of(browser), text_of(browser)[:500]
        check_page(browser, "audit-log-filtered")
