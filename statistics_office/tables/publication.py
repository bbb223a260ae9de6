"""Review and publication: four eyes, immutable versions, and no publication that was not
protected together with everything published from the same data since it was computed."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from bif import audit, roles
from statistics_office import access

from . import linked
from .checks import PUBLISH_GUARDS, TableError
from .checks import require as _require
from .models import PublishedTable, TableComputation, TableDefinition

Status = TableComputation.Status


# --- Review and publication ---------------------------------------------------------------


def review(computation, reviewer, *, approve, comment=""):
    """Four eyes: another statistician with PUBLISH_TABLES on every source approves or rejects."""
    definition = computation.definition
    if not roles.has_role(reviewer, roles.STATISTICIAN):
        raise PermissionDenied(_("Tabellen prüft nur die Statistikstelle."))
    if reviewer.pk == computation.computed_by_id:
        raise PermissionDenied(
            _("Vier-Augen-Prinzip: Wer die Tabelle berechnet hat, kann sie nicht selbst prüfen.")
        )
    _require(reviewer, access.PUBLISH_TABLES, list(definition.sources.all()), obj=computation)
    if computation.status != Status.COMPUTED:
        raise TableError(_("Geprüft werden kann nur eine berechnete, noch ungeprüfte Tabelle."))
    if approve and not computation.is_publishable:
        raise TableError(
            _(
                "Die Prüfung der Sperrung ist nicht bestanden: die Tabelle darf so nicht "
                "veröffentlicht werden. Bitte Parameter ändern und neu berechnen."
            )
        )
    updated = TableComputation.objects.filter(pk=computation.pk, status=Status.COMPUTED).update(
        status=Status.REVIEWED if approve else Status.REJECTED,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        review_comment=comment,
    )
    if not updated:
        raise TableError(_("Die Tabelle wurde inzwischen von jemand anderem geprüft."))
    computation.refresh_from_db()
    audit.record(
        action=audit.Action.TABLE_REVIEW,
        user=reviewer,
        obj=computation,
        source=definition.sources.first(),
        details={
            "definition_id": definition.pk,
            "computation_id": computation.pk,
            "approved": bool(approve),
        },
    )
    return computation


def sources_label(definition):
    """The sources of a table; an aggregate source adds its origin's note (copyright,
    licence), which goes with every figure taken from it."""
    return "; ".join(
        f"{s.department.name}: {s.name}" + (f" ({s.source_note})" if s.source_note else "")
        for s in definition.sources.select_related("department").order_by("name")
    )[:500]


def measure_label(definition):
    if definition.measure == "count":
        return str(definition.parameters.get("unit") or _("Anzahl"))
    label = TableDefinition.Measure(definition.measure).label
    return f"{label} {definition.measure_field}"


def published_since(computation):
    """Publications from the same data that the computation was not protected jointly with."""
    versions = computation.stats.get("versions") or []
    if not versions or any("joint" not in v for v in versions):
        return []  # computed before joint protection, or a method without it
    known = {pid for v in versions for pid in v["joint"].get("publication_ids", [])}
    definition = computation.definition
    mine = linked.family(definition.measure, definition.measure_field)
    runs = set(computation.import_run_ids)
    candidates = (
        PublishedTable.objects.filter(definition__sources__in=definition.sources.all())
        .exclude(pk__in=known)
        .select_related("computation", "definition")
        .distinct()
    )
    return [
        p
        for p in candidates
        if runs & set(p.import_run_ids or p.computation.import_run_ids)
        and linked.family(p.measure, linked._field(p)) == mine
    ]


def publish(computation, user, *, automatic=False):
    """Publish a reviewed computation as the definition's next version (immutable)."""
    definition = computation.definition
    sources = list(definition.sources.all())
    if not automatic and not roles.has_role(user, roles.STATISTICIAN):
        raise PermissionDenied(_("Veröffentlichen darf nur die Statistikstelle."))
    if not automatic:
        _require(user, access.PUBLISH_TABLES, sources, obj=computation)
    allowed = {Status.COMPUTED, Status.REVIEWED} if automatic else {Status.REVIEWED}
    if computation.status not in allowed:
        raise TableError(_("Veröffentlicht wird nur eine geprüfte und freigegebene Tabelle."))
    if not computation.is_publishable:
        raise TableError(_("Die Prüfung der Sperrung ist nicht bestanden."))
    for guard in PUBLISH_GUARDS:  # e.g. dissemination's embargo
        guard(computation)
    with transaction.atomic():
        TableDefinition.objects.select_for_update().filter(pk=definition.pk).first()
        newer = published_since(computation)
        if newer:
            raise TableError(
                _(
                    "Seit der Berechnung wurde aus denselben Daten %(titles)s veröffentlicht; "
                    "die Geheimhaltung wurde nicht gemeinsam damit geprüft. Bitte die Tabelle "
                    "neu berechnen."
                )
                % {"titles": ", ".join(f"„{p.title}“" for p in newer)}
            )
        claimed = TableComputation.objects.filter(
            pk=computation.pk, status__in=list(allowed)
        ).update(status=Status.PUBLISHED)
        if not claimed:
            raise TableError(_("Die Tabelle wurde inzwischen schon veröffentlicht."))
        latest = definition.publications.aggregate(v=Max("version"))["v"] or 0
        published = PublishedTable.objects.create(
            definition=definition,
            computation=computation,
            version=latest + 1,
            title=definition.title,
            description=definition.description,
            published_by=user,
            reviewed_by=computation.reviewed_by,
            reference_date=computation.reference_date,
            method=definition.method,
            parameters=computation.stats.get("parameters", {}),
            measure=definition.measure,
            measure_label=measure_label(definition),
            dimensions=computation.dimensions,
            suppression_count=sum(1 for c in computation.cells if c["flag"] == "secret"),
            sources_label=sources_label(definition),
            cells=[{k: v for k, v in c.items() if k != "reason"} for c in computation.cells],
            spec=computation.spec,
            import_run_ids=computation.import_run_ids,
            gebietsstand=parse_date(computation.stats.get("gebietsstand") or ""),
            area_note=computation.stats.get("area_note", ""),
        )
    computation.refresh_from_db()
    audit.record(
        action=audit.Action.PUBLICATION,
        user=user,
        obj=published,
        source=sources[0] if sources else None,
        details={
            "definition_id": definition.pk,
            "computation_id": computation.pk,
            "version": published.version,
            "suppressed": published.suppression_count,
            "automatic": automatic,
        },
    )
    return published


def withdraw(published, user):
    """Take a publication off the list; it stays in the record (and in the audit log)."""
    definition = published.definition
    if not roles.has_role(user, roles.STATISTICIAN):
        raise PermissionDenied(_("Zurückziehen darf nur die Statistikstelle."))
    _require(user, access.PUBLISH_TABLES, list(definition.sources.all()), obj=published)
    PublishedTable.objects.filter(pk=published.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    audit.record(
        action=audit.Action.PUBLICATION_WITHDRAWN,
        user=user,
        obj=published,
        source=definition.sources.first(),
        details={"definition_id": definition.pk, "version": published.version},
    )
