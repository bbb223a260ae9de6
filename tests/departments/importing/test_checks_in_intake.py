"""The consistency and value checks inside the sealed intake run: a GENESIS table whose
national total exceeds its Länder waits for review, and the office's value rule between the
two shared Flensburg files flags Sandberg in the second import."""

from pathlib import Path

import pytest

from departments import onboarding, uploads
from departments.models import CrossSourceRule, ImportRun
from statistics_office.microdata import reports

CHECKS = Path(__file__).parent / "checks"

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]


def onboard(name, department, slug, schema_changes=None):
    path = CHECKS / name
    schema = onboarding.describe_file(path)["schema"]
    schema.update(schema_changes or {})
    return onboarding.create_source(
        slug=slug, department=department, kind="aggregate", schema=schema
    ), path


def test_a_national_total_above_its_states_stops_the_import_for_review(
    department, django_capture_on_commit_callbacks, clean_sealed_tables
):
    source, path = onboard(
        "genesis_12411-01-01-4_deutschland_ueber_laendern.csv", department, "genesis-laender"
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.AWAITING_REVIEW
    (finding,) = reports.findings_of(run.pk)
    assert finding["rule"] == "total_not_sum"
    assert finding["rows"][0] == 9  # Deutschland, then its Länder
    assert finding["params"]["difference"] == 100000
    assert run.finding_counts.get("total_not_sum") == 1


def test_the_office_value_rule_flags_sandberg_between_the_two_shared_files(
    department, django_capture_on_commit_callbacks, clean_sealed_tables
):
    ages, ages_path = onboard("einwohner_stadtteile_2021_altersgruppen.csv", department, "alter")
    years, years_path = onboard("einwohner_stadtteile_2011_2021.csv", department, "zeitreihe")
    with django_capture_on_commit_callbacks(execute=True):
        first = uploads.submit_path(source=ages, path=ages_path)
    first.refresh_from_db()
    assert first.status == ImportRun.Status.ACCEPTED, reports.findings_of(first.pk)
    CrossSourceRule.objects.create(
        source=years,
        comparison=CrossSourceRule.Comparison.VALUE_WITHIN,
        group_field="stadtteil",
        measure="gesamt",
        # The yearly table (made long) repeats `gesamt` in each of its rows: one value per key.
        aggregation="max",
        reference_source=ages,
        reference_group_field="stadtteil",
        reference_measure="gesamt",
        tolerance_pct=1,
        label="Einwohner 2021 (Zeitreihe)",
        reference_label="Einwohner 2021 (Altersgruppen)",
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = uploads.submit_path(source=years, path=years_path)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.AWAITING_REVIEW
    findings = [f for f in reports.findings_of(run.pk) if f["rule"] == "cross_source_differs"]
    assert len(findings) == 1, reports.findings_of(run.pk)
    (finding,) = findings
    assert finding["values"] == ["Sandberg"]
    assert finding["audience"] == "office"
