"""Onboarding a source in the browser, without a developer: the statistics office uploads a
sample (a Stadtteil profile with space thousands, "-" and "."), corrects one field of the
proposed schema in the form and saves it; an analyst of the department uploads the file to
the new source and the import is accepted. Every page: a screenshot and axe (WCAG 2.1 AA).

Run: .venv/bin/python -m pytest tests/e2e/test_onboarding_journey.py -m browser -s
"""

import re
from pathlib import Path

import pytest

from .actions import checked
from .conftest import step

pytestmark = pytest.mark.browser

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "departments"
    / "importing"
    / "corpus"
    / "stadtteilprofil_2023_leerzeichen.csv"
)
SLUG = "stadtteilprofile"


def test_office_onboards_a_source_and_an_analyst_imports_into_it(browsers):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    office = browsers("statistik")
    with step(office, "onboarding-01-sample-form"):
        office.get("/katalog/")
        office.css("a[href='/katalog/aufnehmen/']")[0].click()
        office.wait_for(lambda d: d.current_url.endswith("/katalog/aufnehmen/"), message="form")
        checked(office)
    with step(office, "onboarding-02-proposed-schema"):
        office.css("input[type=file][name=file]")[0].send_keys(str(SAMPLE))
        office.driver.find_element(By.ID, "id_name").send_keys("Stadtteil-Profile")
        office.driver.find_element(By.ID, "id_slug").send_keys(SLUG)
        department = Select(office.driver.find_element(By.ID, "id_department"))
        department.select_by_visible_text("Einwohnermeldewesen")
        Select(office.driver.find_element(By.ID, "id_kind")).select_by_value("aggregate")
        office.css("form.form button[type=submit]")[0].click()
        office.wait_for(
            lambda d: d.current_url.endswith("/katalog/aufnehmen/schema/"), message="schema"
        )
        legends = [e.text for e in office.css("fieldset.schema-field legend")]
        assert any("Bevölkerung" in text for text in legends), legends
        checked(office)
    with step(office, "onboarding-03-field-corrected-and-saved"):
        index = next(i for i, text in enumerate(legends) if "Bevölkerung" in text)
        title = office.driver.find_element(By.ID, f"id_form-{index}-title")
        title.clear()
        title.send_keys("Einwohnerinnen und Einwohner")
        office.css("form.schema-form button[type=submit]")[0].click()
        office.wait_for(lambda d: d.current_url.endswith(f"/katalog/{SLUG}/"), message="source")
        checked(office)

    analyst = browsers("analyse-ewo")
    with step(analyst, "onboarding-04-analyst-upload"):
        analyst.get(f"/katalog/hochladen/?quelle={SLUG}")
        source = Select(analyst.css("select[name=source]")[0])
        assert source.first_selected_option.text == "Stadtteil-Profile"
        analyst.css("input[type=file]")[0].send_keys(str(SAMPLE))
        analyst.css("form.upload-form button[type=submit]")[0].click()
        analyst.wait_for(
            lambda d: re.search(r"/katalog/importe/\d+/$", d.current_url),
            timeout=120,
            message="run page after the upload",
        )
    with step(analyst, "onboarding-05-import-accepted"):
        # Celery runs eagerly here: the run has ended when its page opens.
        status = analyst.css("[data-run-status]")[0]
        assert "status-accepted" in status.get_attribute("class"), status.text
        checked(analyst)

    from departments.models import DataSource

    schema = DataSource.objects.get(slug=SLUG).schemas.get().descriptor
    titles = {f["name"]: f.get("title") for f in schema["fields"]}
    assert titles["bevoelkerung"] == "Einwohnerinnen und Einwohner"
