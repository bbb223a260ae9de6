"""The sealed side's record of what each import run found in its file (findings, profile).

Findings quote values and profiles hold minimum, maximum and category counts: both are
derived from single records, so they live in the sealed database. The portal's ImportRun
keeps only `finding_counts` ({rule: number of findings}), which `counts_by_rule` computes.
"""

from collections import Counter

from bif.db_router import SEALED_ALIAS
from statistics_office.sealed import sealed_available

from .models import RunReport


def available():
    """Whether this process can read the reports (it holds the sealed database)."""
    return sealed_available()


def save(run_id, *, findings=None, profile=None):
    """Store (or replace) the run's findings and, if given, its profile."""
    values = {}
    if findings is not None:
        values["findings"] = findings
    if profile is not None:
        values["profile"] = profile
    RunReport.objects.using(SEALED_ALIAS).update_or_create(import_run_id=run_id, defaults=values)


def clear(run_id):
    """A run queued again starts without the last attempt's report."""
    RunReport.objects.using(SEALED_ALIAS).filter(import_run_id=run_id).delete()


def findings_of(run_id):
    report = RunReport.objects.using(SEALED_ALIAS).filter(import_run_id=run_id).first()
    return report.findings if report else []


def profile_of(run_id):
    report = RunReport.objects.using(SEALED_ALIAS).filter(import_run_id=run_id).first()
    return report.profile if report else {}


def counts_by_rule(findings):
    """What the portal may keep of findings: how many there are of each rule."""
    return dict(Counter(f["rule"] for f in findings))
