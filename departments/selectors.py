"""Reads from the catalog, filtered by what the user may see at the source."""

from django.db.models import Count, Q

from bif.permissions import permitted_q

from .models import (
    DataSource,
    DataSourceGroupObjectPermission,
    DataSourceUserObjectPermission,
    Department,
)


def permitted_sources_q(user, codename):
    """A filter for sources on which `user` holds the object permission `codename`."""
    return permitted_q(
        user,
        codename,
        user_model=DataSourceUserObjectPermission,
        group_model=DataSourceGroupObjectPermission,
    )


def data_sources_for(user, action="view"):
    """The data sources `user` may act on. Default-deny for anything but browsing the catalog.

    - "view": the catalog (names, owners, stages) is open to every logged-in member of staff.
    - "upload": sources of the user's departments (guardian object permission).
    """
    base = DataSource.objects.select_related("department")
    if not user.is_authenticated:
        return base.none()
    if action == "view":
        return base
    codename = {"upload": "upload_datasource"}.get(action, action)
    # No superuser shortcut: an upload shows its findings, and findings quote the file.
    return base.filter(permitted_sources_q(user, codename))


def departments_with_sources():
    return Department.objects.annotate(source_count=Count("data_sources")).prefetch_related(
        "data_sources"
    )


def catalog(user, *, department=None, stage=None, query=None):
    sources = data_sources_for(user, "view")
    if department:
        sources = sources.filter(department__code=department)
    if stage:
        sources = sources.filter(stage=stage)
    if query:
        sources = sources.filter(
            Q(name__icontains=query) | Q(fachverfahren__icontains=query) | Q(slug__icontains=query)
        )
    return sources.order_by("department__name", "name")


def import_runs_for(user):
    """Import runs the user may follow: analysts their departments' sources; the statistics
    office the sources it holds a microdata grant for (findings quote the files)."""
    from .models import ImportRun

    runs = ImportRun.objects.select_related("source", "source__department", "uploaded_by")
    if not user.is_authenticated:
        return runs.none()
    visible = Q(source__in=data_sources_for(user, "upload"))
    if _reviewers is not None:
        visible |= Q(source__in=_reviewers.reviewable_sources(user))
    return runs.filter(visible)


def can_review_imports(user, run):
    """Reviewing plausibility means looking at the data: the office decides who may (a
    statistician with a view grant); nobody may where it has not said so."""
    return _reviewers is not None and _reviewers.may_review(user, run.source)


# Who reviews import runs is the statistics office's answer (its microdata grants). The office
# sits above the department side, so it registers that answer here at start
# (statistics_office.apps) rather than being imported from here.
_reviewers = None


def register_reviewers(reviewers):
    """`reviewers` has reviewable_sources(user) (a DataSource queryset, one subquery),
    may_review(user, source), reviewers_for(source) and grant_approvers()."""
    global _reviewers
    _reviewers = reviewers


def who_can_act(run):
    """For a run waiting for review: who may review it, and, where nobody holds a grant on
    a new source yet, who can give the first grant (the administration)."""
    if run.status != run.Status.AWAITING_REVIEW or _reviewers is None:
        return None
    reviewers = _reviewers.reviewers_for(run.source)
    approvers = [] if reviewers else _reviewers.grant_approvers()
    return {
        "reviewers": [_name(user) for user in reviewers],
        "approvers": [_name(user) for user in approvers],
    }


def _name(user):
    return user.get_full_name() or user.username


def previous_accepted(run):
    """The source's accepted import before this run (the baseline of its plausibility)."""
    from .models import ImportRun

    return (
        ImportRun.objects.filter(source=run.source, status=ImportRun.Status.ACCEPTED)
        .exclude(pk=run.pk)
        .order_by("-created_at")
        .first()
    )


def visible_findings(run, user):
    """The run's findings as the sealed side keeps them ([] where this process has no access
    to it). Cross-source findings quote other departments' figures: the office only sees them.
    """
    findings = run_findings(run)
    if can_review_imports(user, run):
        return findings
    return [f for f in findings if f.get("audience", "department") == "department"]


# Where findings and profiles of runs are read: the sealed side registers its reports
# service (statistics_office.microdata.apps), as the department side may not import it.
_run_reports = None


def register_run_reports(reports):
    """`reports` has available(), findings_of(run_id) and profile_of(run_id)."""
    global _run_reports
    _run_reports = reports


def run_reports_available():
    """False in a process without the sealed database: the run pages show counts only."""
    return _run_reports is not None and _run_reports.available()


def run_findings(run):
    """All of the run's findings, from the sealed side ([] where this process has no access
    to it)."""
    return _run_reports.findings_of(run.pk) if run_reports_available() else []


def run_profile(run):
    """The run's profile (minimum, maximum, category counts), from the sealed side."""
    return _run_reports.profile_of(run.pk) if run_reports_available() else {}
