"""Reads for the rollout: automatic checks, progress, the overview and source quality."""

from collections import defaultdict

from django.utils import timezone

from bif import roles
from departments.models import DataSource, DepartmentMembership, ImportRun

from .models import (
    STAGE_ORDER,
    Checklist,
    ChecklistItemTemplate,
    DashboardFeedback,
    StageChange,
    stage_index,
)

AutoCheck = ChecklistItemTemplate.AutoCheck
ACCEPTED = (ImportRun.Status.ACCEPTED, ImportRun.Status.SUPERSEDED)
DECIDED = (*ACCEPTED, ImportRun.Status.FAILED, ImportRun.Status.ROLLED_BACK)
# Days after the last delivery's reference date before a source counts as overdue.
OVERDUE_AFTER_DAYS = {
    DataSource.UpdateCycle.MONTHLY: 45,
    DataSource.UpdateCycle.QUARTERLY: 120,
    DataSource.UpdateCycle.YEARLY: 400,
}


# --- who may see what ---------------------------------------------------------------------
def is_administration(user):
    return roles.has_role(user, roles.ADMINISTRATION)


def heads_departments(user):
    if not user.is_authenticated:
        return set()
    return set(
        DepartmentMembership.objects.filter(user=user, is_head=True).values_list(
            "department_id", flat=True
        )
    )


def may_view_overview(user):
    return is_administration(user) or bool(heads_departments(user))


def may_manage_staff(user, department):
    return is_administration(user) or department.pk in heads_departments(user)


def may_read_feedback(user):
    return roles.has_role(user, roles.STATISTICIAN) or is_administration(user)


# --- timeliness ----------------------------------------------------------------------------
def is_overdue(update_cycle, last_delivery, today=None):
    """Whether a source with this cycle, last delivered on `last_delivery`, is overdue."""
    limit = OVERDUE_AFTER_DAYS.get(update_cycle)
    if limit is None or last_delivery is None:
        return False
    today = today or timezone.localdate()
    return (today - last_delivery).days > limit


def _delivery_date(run):
    return run.reference_date or timezone.localtime(run.created_at).date()


def last_deliveries(source_ids):
    """{source id: date of the newest accepted delivery (reference date, else upload date)}."""
    result = {}
    runs = ImportRun.objects.filter(source_id__in=source_ids, status__in=ACCEPTED).only(
        "source_id", "reference_date", "created_at"
    )
    for run in runs:
        day = _delivery_date(run)
        if run.source_id not in result or day > result[run.source_id]:
            result[run.source_id] = day
    return result


# --- automatic checks -----------------------------------------------------------------------
def auto_checks(sources, today=None):
    """{source id: set of automatic checks that the existing data satisfies}; a fixed
    number of queries for any number of sources."""
    from dashboards.models import Dashboard, Widget
    from statistics_office import grants
    from statistics_office.models import Grant
    from statistics_office.tables.models import PublishedTable

    today = today or timezone.localdate()
    sources = list(sources)
    ids = [s.pk for s in sources]
    passed = defaultdict(set)

    def mark(check, source_ids):
        for source_id in source_ids:
            passed[source_id].add(check)

    mark(
        AutoCheck.SCHEMA_DECLARED,
        DataSource.objects.filter(pk__in=ids, schemas__isnull=False).values_list("pk", flat=True),
    )
    runs = ImportRun.objects.filter(source_id__in=ids)
    accepted = set(runs.filter(status__in=ACCEPTED).values_list("source_id", flat=True))
    mark(AutoCheck.FIRST_ACCEPTED_IMPORT, accepted)
    mark(
        AutoCheck.VALIDATION_PASSES,
        runs.filter(
            status__in=(*ACCEPTED, ImportRun.Status.AWAITING_REVIEW), error_count=0
        ).values_list("source_id", flat=True),
    )
    mark(
        AutoCheck.OFFICE_STAFF_QUALIFIED,
        Grant.objects.filter(source_id__in=ids)
        .filter(grants.effective_q(today))
        .values_list("source_id", flat=True),
    )
    published = PublishedTable.objects.filter(
        withdrawn_at__isnull=True, definition__sources__in=ids
    ).values_list("definition__sources", "definition_id")
    definitions = defaultdict(set)
    for source_id, definition_id in published:
        definitions[definition_id].add(source_id)
    mark(AutoCheck.FIRST_TABLE_PUBLISHED, {s for group in definitions.values() for s in group})
    in_dashboards = set(
        Widget.objects.filter(
            dashboard__status=Dashboard.Status.PUBLISHED, table_id__in=definitions
        ).values_list("table_id", flat=True)
    )
    mark(AutoCheck.FIRST_DASHBOARD_IN_USE, {s for d in in_dashboards for s in definitions[d]})
    deliveries = last_deliveries(ids)
    mark(
        AutoCheck.UPDATE_CYCLE_AUTOMATED,
        [
            s.pk
            for s in sources
            if s.update_cycle != DataSource.UpdateCycle.ON_DEMAND
            and s.pk in deliveries
            and not is_overdue(s.update_cycle, deliveries[s.pk], today)
        ],
    )
    return passed


def department_auto_checks(departments):
    """{department id: set of department-level automatic checks met}; fixed query count."""
    from .models import StaffInvolvement

    ids = [d.pk for d in departments]
    passed = defaultdict(set)
    for department_id in DepartmentMembership.objects.filter(
        department_id__in=ids, is_head=True
    ).values_list("department_id", flat=True):
        passed[department_id].add(AutoCheck.DEPARTMENT_HEAD_NAMED)
    for department_id in DataSource.objects.filter(department_id__in=ids).values_list(
        "department_id", flat=True
    ):
        passed[department_id].add(AutoCheck.SOURCES_CATALOGUED)
    involvement = StaffInvolvement.objects.filter(department_id__in=ids)
    for department_id in involvement.filter(informed_at__isnull=False).values_list(
        "department_id", flat=True
    ):
        passed[department_id].add(AutoCheck.STAFF_INFORMED)
    for department_id in involvement.filter(trained_at__isnull=False).values_list(
        "department_id", flat=True
    ):
        passed[department_id].add(AutoCheck.STAFF_TRAINED)
    return passed


# --- checklists ----------------------------------------------------------------------------
def department_checklist(department):
    """The department's own checklist, or None while its introduction has not started."""
    return Checklist.objects.filter(department=department, source__isnull=True).first()


def checklist_items(checklist):
    return checklist.items.select_related("item_template", "done_by").order_by(
        "item_template__order", "pk"
    )


def item_states(checklist, passed_checks=frozenset()):
    """Each item with `satisfied` (done by hand or by its automatic check) and `auto_passed`."""
    rows = []
    for item in checklist_items(checklist):
        check = item.item_template.auto_check
        item.auto_passed = bool(check) and check in passed_checks
        item.satisfied = item.done_at is not None or item.auto_passed
        rows.append(item)
    return rows


def progress(checklist, passed_checks=None):
    """Share of satisfied items in percent (whole number)."""
    if passed_checks is None and checklist.source_id:
        passed_checks = auto_checks([checklist.source]).get(checklist.source_id, set())
    elif passed_checks is None and checklist.department_id:
        passed_checks = department_auto_checks([checklist.department]).get(
            checklist.department_id, set()
        )
    items = item_states(checklist, passed_checks or set())
    if not items:
        return 0
    return round(100 * sum(item.satisfied for item in items) / len(items))


def open_required_items(checklist, to_stage, passed_checks=frozenset()):
    """Items that must be satisfied to reach `to_stage` (its own and earlier stages)."""
    target = stage_index(to_stage)
    return [
        item
        for item in item_states(checklist, passed_checks)
        if not item.satisfied and stage_index(item.item_template.required_for_stage) <= target
    ]


def next_stage(stage):
    index = stage_index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


# --- the overview --------------------------------------------------------------------------
def overview_rows(today=None, *, department=None):
    """One row per data source (of `department`, if given): stage, progress, what blocks the
    next stage, overdue."""
    today = today or timezone.localdate()
    sources = DataSource.objects.select_related("department").order_by("department__name", "name")
    if department is not None:
        sources = sources.filter(department=department)
    sources = list(sources)
    checks = auto_checks(sources, today)
    deliveries = last_deliveries([s.pk for s in sources])
    checklists = {
        c.source_id: c
        for c in Checklist.objects.filter(source__in=sources).prefetch_related(
            "items__item_template"
        )
    }
    rows = []
    for source in sources:
        checklist = checklists.get(source.pk)
        passed = checks.get(source.pk, set())
        upcoming = next_stage(source.stage)
        items = _states_from_prefetch(checklist, passed) if checklist else []
        done = sum(item.satisfied for item in items)
        blocking = (
            [
                item.item_template.title
                for item in items
                if not item.satisfied
                and stage_index(item.item_template.required_for_stage) <= stage_index(upcoming)
            ]
            if upcoming and checklist
            else []
        )
        rows.append(
            {
                "department": source.department,
                "source": source,
                "stage": source.stage,
                "stage_label": source.get_stage_display(),
                "next_stage": upcoming,
                "progress": round(100 * done / len(items)) if items else 0,
                "has_checklist": checklist is not None,
                "blocking": blocking,
                "last_delivery": deliveries.get(source.pk),
                "overdue": is_overdue(source.update_cycle, deliveries.get(source.pk), today),
            }
        )
    return rows


def _states_from_prefetch(checklist, passed):
    items = sorted(checklist.items.all(), key=lambda i: (i.item_template.order, i.pk))
    for item in items:
        check = item.item_template.auto_check
        item.auto_passed = bool(check) and check in passed
        item.satisfied = item.done_at is not None or item.auto_passed
    return items


def department_rows(rows):
    """Departments with their sources' mean progress, the least advanced stage and the
    progress of the department's own checklist (None while it has none)."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["department"]].append(row)
    departments = list(grouped)
    checks = department_auto_checks(departments)
    checklists = {
        c.department_id: c
        for c in Checklist.objects.filter(
            department__in=departments, source__isnull=True
        ).prefetch_related("items__item_template")
    }
    result = []
    for department, items in grouped.items():
        lowest = min(items, key=lambda r: stage_index(r["stage"]))
        checklist = checklists.get(department.pk)
        own = (
            _states_from_prefetch(checklist, checks.get(department.pk, set())) if checklist else []
        )
        result.append(
            {
                "department": department,
                "sources": len(items),
                "live": sum(r["stage"] == DataSource.Stage.LIVE for r in items),
                "lowest_stage_label": lowest["stage_label"],
                "progress": round(sum(r["progress"] for r in items) / len(items)),
                "has_checklist": checklist is not None,
                "checklist_progress": (
                    round(100 * sum(i.satisfied for i in own) / len(own)) if own else None
                ),
                "open_items": [i.item_template.title for i in own if not i.satisfied],
            }
        )
    return result


def stage_timeline(limit=200):
    return StageChange.objects.select_related("source", "source__department", "changed_by")[:limit]


# --- source quality over time ----------------------------------------------------------------
def source_quality(source, today=None, limit=24):
    """The source's imports with findings counts, acceptance rate, timeliness and overdue."""
    today = today or timezone.localdate()
    runs = list(
        ImportRun.objects.filter(source=source)
        .only(
            "pk",
            "status",
            "created_at",
            "file_name",
            "error_count",
            "warning_count",
            "reference_date",
            "row_count",
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    for run in runs:
        run.delay_days = (
            (timezone.localtime(run.created_at).date() - run.reference_date).days
            if run.reference_date
            else None
        )
    counts = ImportRun.objects.filter(source=source, status__in=DECIDED)
    decided = counts.count()
    accepted = counts.filter(status__in=ACCEPTED).count()
    last = last_deliveries([source.pk]).get(source.pk)
    return {
        "source": source,
        "runs": runs,
        "decided": decided,
        "accepted": accepted,
        "acceptance_rate": round(100 * accepted / decided) if decided else None,
        "last_delivery": last,
        "overdue": is_overdue(source.update_cycle, last, today),
        "overdue_after_days": OVERDUE_AFTER_DAYS.get(source.update_cycle),
    }


# --- feedback ------------------------------------------------------------------------------
def feedback_for(user):
    if not may_read_feedback(user):
        return DashboardFeedback.objects.none()
    return DashboardFeedback.objects.select_related("dashboard", "user")
