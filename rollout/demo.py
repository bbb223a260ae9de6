"""The demo city's rollout: checklists matching each source's stage, a timeline of stage
changes, staff informed and trained in each department, and a little dashboard feedback."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from departments.models import DataSource, Department

from . import services
from .models import STAGE_ORDER, ChecklistItem, DashboardFeedback, StaffInvolvement, StageChange
from .models import stage_index as _index

EVIDENCE = {
    "quelle-identifiziert": "Fachverfahren und Ansprechperson im Katalog eingetragen.",
    "rechtsgrundlage": "Statistiksatzung der Stadt Flensburg, § 3; Zweck: Sozialplanung.",
    "datenschutz": "VVT-Eintrag Nr. 2025-{n:03d}, mit dem Datenschutzbeauftragten abgestimmt.",
    "schema": "Table Schema Version 1 hinterlegt.",
    "probeexport": "Probeexport per verschlüsselter Übertragung erhalten.",
    "validierung": "Probeexport ohne Fehler gegen das Schema geprüft.",
    "plausibilitaet": "Regeln mit dem Fachbereich abgestimmt, Vier-Augen-Prüfung erfolgt.",
    "erster-import": "Erster Import nach Prüfung angenommen.",
    "statistikstelle-personal": "Verpflichtung auf das Statistikgeheimnis und Schulung erfolgt.",
    "fachbereich-informiert": "Informationsveranstaltung und Schulung im Fachbereich.",
    "erste-tabelle": "Erste Tabelle veröffentlicht.",
    "erstes-dashboard": "Dashboard im Intranet verlinkt.",
    "lieferrhythmus": "Lieferrhythmus vereinbart; Export läuft zeitgesteuert.",
    # Department checklists
    "fb-leitung": "Fachbereichsleitung per Verfügung benannt; Ansprechperson im Sachgebiet.",
    "fb-quellen": "Fachverfahren im Katalog erfasst.",
    "fb-ressourcen": "Zwei Personentage je Monat für Exporte und Abstimmungen eingeplant.",
    "fb-informiert": "Dienstbesprechung mit Vorstellung von BIF.",
    "fb-personalrat": "Personalrat unterrichtet; Zustimmung nach § 51 MBG Schl.-H. liegt vor.",
    "fb-geschult": "Schulung im Fortbildungszentrum.",
}
# Days before today at which a live source reached each stage (older sources first).
LIVE_SCHEDULE = [(330, 270, 200), (300, 230, 160), (240, 170, 110), (200, 140, 90)]
PEOPLE = [
    ("Jens Petersen", "Sachgebietsleitung"),
    ("Merle Hansen", "Sachbearbeitung"),
    ("Ole Jensen", "Sachbearbeitung"),
]
FEEDBACK = [
    (True, ""),
    (True, "Eine Zeitreihe über mehrere Jahre je Stadtteil wäre hilfreich."),
    (False, "Uns fehlen die statistischen Bezirke unterhalb der Stadtteile."),
]


def _done_stages(stage):
    """Stages whose items are done for a source in `stage` (identified: none, see below)."""
    return set(STAGE_ORDER[1 : _index(stage) + 1])


@transaction.atomic
def seed_rollout(today=None):
    """Idempotent: sources that already have a checklist are left alone."""
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    now = timezone.now()
    today = today or timezone.localdate()
    live_count = 0
    for n, source in enumerate(
        DataSource.objects.select_related("department").order_by("pk"), start=1
    ):
        if hasattr(source, "checklist"):
            continue
        checklist = services.create_checklist(source)
        if source.stage == DataSource.Stage.LIVE:
            reached = LIVE_SCHEDULE[live_count % len(LIVE_SCHEDULE)]
            live_count += 1
        else:
            reached = (150 - 5 * n, 60 - 3 * n, 20)
        # Days ago at which each stage was reached: verified, plausible, live.
        reached_on = dict(zip(STAGE_ORDER[1:], reached, strict=True))
        done = _done_stages(source.stage)
        items = list(checklist.items.select_related("item_template"))
        for position, item in enumerate(items):
            stage = item.item_template.required_for_stage
            first_item = position == 0
            if stage not in done and not first_item:
                continue
            days = reached_on[stage] + 14 - 2 * position % 10
            ChecklistItem.objects.filter(pk=item.pk).update(
                done_at=now - datetime.timedelta(days=max(days, 1)),
                done_by=admin,
                evidence_text=EVIDENCE.get(item.item_template.key, "Erledigt.").format(n=n),
            )
        previous = DataSource.Stage.IDENTIFIED
        for stage in STAGE_ORDER[1 : _index(source.stage) + 1]:
            StageChange.objects.create(
                source=source,
                from_stage=previous,
                to_stage=stage,
                changed_by=admin,
                changed_at=now - datetime.timedelta(days=reached_on[stage]),
                note="Checkliste für die Stufe vollständig.",
            )
            previous = stage

    _seed_department_checklists(admin, now)

    for d, department in enumerate(Department.objects.order_by("pk")):
        if department.staff_involvement.exists():
            continue
        live = department.data_sources.filter(stage=DataSource.Stage.LIVE).exists()
        for p, (name, note) in enumerate(PEOPLE):
            informed = today - datetime.timedelta(days=200 - 20 * d - 3 * p)
            StaffInvolvement.objects.create(
                department=department,
                person_name=name if d == 0 else f"{name.split()[0]} {_surname(d, p)}",
                informed_at=informed,
                trained_at=informed + datetime.timedelta(days=21) if live or p == 0 else None,
                note=note,
            )

    _seed_feedback()


def _seed_department_checklists(admin, now):
    """Each department's own checklist, done as far as its most advanced source got."""
    for n, department in enumerate(Department.objects.order_by("pk"), start=1):
        if department.checklists.filter(source__isnull=True).exists():
            continue
        checklist = services.create_checklist(department=department)
        stages = list(department.data_sources.values_list("stage", flat=True))
        highest = max((_index(stage) for stage in stages), default=0)
        done = set(STAGE_ORDER[1 : highest + 1])
        for position, item in enumerate(checklist.items.select_related("item_template")):
            if item.item_template.required_for_stage not in done:
                continue
            ChecklistItem.objects.filter(pk=item.pk).update(
                done_at=now - datetime.timedelta(days=360 - 30 * n - 7 * position),
                done_by=admin,
                evidence_text=EVIDENCE.get(item.item_template.key, "Erledigt."),
            )


SURNAMES = ["Christiansen", "Nissen", "Thomsen", "Lorenzen", "Carstensen", "Paulsen", "Iversen"]


def _surname(d, p):
    return SURNAMES[(d * 3 + p) % len(SURNAMES)]


def _seed_feedback():
    from dashboards.models import Dashboard

    User = get_user_model()
    staff = User.objects.filter(username="mitarbeiter").first()
    if DashboardFeedback.objects.exists():
        return
    dashboards = list(Dashboard.objects.filter(status=Dashboard.Status.PUBLISHED)[:2])
    for i, (useful, missing) in enumerate(FEEDBACK):
        if not dashboards:
            return
        services.give_feedback(
            dashboards[i % len(dashboards)], staff, useful=useful, missing=missing
        )
