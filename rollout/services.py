"""Writes for the rollout: checklists, completing items, advancing a source's stage."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import DataSource

from . import selectors
from .models import (
    Checklist,
    ChecklistItem,
    ChecklistItemTemplate,
    ChecklistTemplate,
    DashboardFeedback,
    StaffInvolvement,
    StageChange,
    stage_index,
)


class RolloutError(Exception):
    """A rule of the introduction was not met; the message is for people."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _require_administration(user):
    if user is not None and not selectors.is_administration(user):
        raise PermissionDenied(_("Nur die Administration pflegt die Einführungs-Checklisten."))


def current_template(scope=ChecklistTemplate.Scope.SOURCE):
    template = (
        ChecklistTemplate.objects.filter(is_current=True, scope=scope).order_by("-version").first()
    )
    if template is None:
        raise RolloutError(_("Es gibt keine aktuelle Checklisten-Vorlage. Bitte im Admin anlegen."))
    return template


@transaction.atomic
def create_checklist(source=None, *, department=None, template=None):
    """The checklist for a source, or (without a source) for a department, with one item per
    template item. Idempotent: an existing checklist is returned."""
    if source is not None:
        existing = Checklist.objects.filter(source=source).first()
        scope = ChecklistTemplate.Scope.SOURCE
    elif department is not None:
        existing = Checklist.objects.filter(department=department, source__isnull=True).first()
        scope = ChecklistTemplate.Scope.DEPARTMENT
    else:
        raise ValueError("a checklist belongs to a data source or a department")
    if existing is not None:
        return existing
    template = template or current_template(scope)
    checklist = Checklist.objects.create(
        source=source,
        department=department or (source.department if source else None),
        template=template,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(checklist=checklist, item_template=item) for item in template.items.all()
    )
    return checklist


@transaction.atomic
def complete_item(
    item, user, *, evidence_text="", evidence_link="", evidence_file=None, done_at=None
):
    """Mark an item done; every item needs evidence (a text, a link or a file)."""
    _require_administration(user)
    if not (evidence_text.strip() or evidence_link.strip() or evidence_file):
        raise RolloutError(
            _("„%(title)s“: Bitte einen Nachweis angeben (Text, Link oder Datei).")
            % {"title": item.item_template.title}
        )
    item.evidence_text = evidence_text.strip()
    item.evidence_link = evidence_link.strip()
    if evidence_file:
        item.evidence_file = evidence_file
    item.done_at = done_at or timezone.now()
    item.done_by = user
    item.save()
    return item


@transaction.atomic
def reopen_item(item, user):
    _require_administration(user)
    item.done_at = None
    item.done_by = None
    item.save(update_fields=["done_at", "done_by"])
    return item


@transaction.atomic
def advance_stage(source, to_stage, user, *, note="", changed_at=None):
    """Move a source one stage forward (only with all required items satisfied) or back."""
    _require_administration(user)
    source = DataSource.objects.select_for_update().get(pk=source.pk)
    if to_stage not in DataSource.Stage.values:
        raise RolloutError(_("Unbekannte Einführungsstufe „%(stage)s“.") % {"stage": to_stage})
    current, target = stage_index(source.stage), stage_index(to_stage)
    if target == current:
        raise RolloutError(_("Die Datenquelle ist bereits in dieser Stufe."))
    if target > current + 1:
        raise RolloutError(
            _("Die Einführung geht Stufe für Stufe; bitte keine Stufe überspringen.")
        )
    if target > current:
        checklist = create_checklist(source)
        passed = selectors.auto_checks([source]).get(source.pk, set())
        missing = [
            item.item_template.title
            for item in selectors.open_required_items(checklist, to_stage, passed)
        ]
        # Once the department's introduction has a checklist, it gates every source too.
        department_checklist = selectors.department_checklist(source.department)
        if department_checklist is not None:
            department_passed = selectors.department_auto_checks([source.department]).get(
                source.department_id, set()
            )
            missing += [
                _("%(title)s (Fachbereich)") % {"title": item.item_template.title}
                for item in selectors.open_required_items(
                    department_checklist, to_stage, department_passed
                )
            ]
        if missing:
            raise RolloutError(
                _(
                    "„%(source)s“ kann nicht auf „%(stage)s“ gesetzt werden; offen sind noch: "
                    "%(items)s. Bitte diese Punkte mit Nachweis erledigen."
                )
                % {
                    "source": source.name,
                    "stage": DataSource.Stage(to_stage).label,
                    "items": "; ".join(missing),
                }
            )
    change = StageChange.objects.create(
        source=source,
        from_stage=source.stage,
        to_stage=to_stage,
        changed_by=user,
        changed_at=changed_at or timezone.now(),
        note=note,
    )
    source.stage = to_stage
    source.save(update_fields=["stage", "updated_at"])
    # In the same transaction: the entry exists exactly when the change does.
    _audit_stage_change(change, user)
    return change


def _audit_stage_change(change, user):
    from bif import audit

    audit.record(
        action=audit.Action.ROLLOUT_STAGE_CHANGE,
        user=user,
        obj=change,
        source=change.source,
        details={
            "from_stage": change.from_stage,
            "to_stage": change.to_stage,
            "note_given": bool(change.note),
        },
    )


def record_involvement(
    department, user, *, person_name="", person=None, informed_at=None, trained_at=None, note=""
):
    if user is not None and not selectors.may_manage_staff(user, department):
        raise PermissionDenied
    if not (person_name.strip() or person):
        raise RolloutError(_("Bitte den Namen der Person angeben."))
    if not (informed_at or trained_at):
        raise RolloutError(_("Bitte angeben, wann die Person informiert oder geschult wurde."))
    return StaffInvolvement.objects.create(
        department=department,
        user=person,
        person_name=person_name.strip(),
        informed_at=informed_at,
        trained_at=trained_at,
        note=note.strip(),
    )


def give_feedback(dashboard, user, *, useful, missing=""):
    return DashboardFeedback.objects.create(
        dashboard=dashboard, user=user, useful=useful, missing=missing.strip()[:2000]
    )


@transaction.atomic
def archive_version(template, *, old_name=None):
    """Before a template's changes are saved: copy its stored state as an archived version and
    move the existing checklists onto the copy, so they keep the items they were filled
    against. The edited template carries the next version number."""
    old_name = old_name or template.name
    old_version = template.version
    new_version = 1 + max(
        ChecklistTemplate.objects.filter(name__in=[old_name, template.name])
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0,
        old_version,
    )
    ChecklistTemplate.objects.filter(pk=template.pk).update(version=new_version)
    template.version = new_version
    archive = ChecklistTemplate.objects.create(
        name=old_name, version=old_version, is_current=False, scope=template.scope
    )
    for item in ChecklistItemTemplate.objects.filter(template=template):
        old_pk = item.pk
        item.pk = None
        item.template = archive
        item.save()
        ChecklistItem.objects.filter(checklist__template=template, item_template_id=old_pk).update(
            item_template=item
        )
    Checklist.objects.filter(template=template).update(template=archive)
    return archive
