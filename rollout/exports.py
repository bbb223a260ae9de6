"""The rollout overview as an XLSX workbook for the city council."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from bif.exports import neutralise_row

from . import selectors


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    sheet.append(neutralise_row(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(neutralise_row(row))  # names and notes are typed by people
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (28, 34, 18, 12, 60, 16, 12), strict=False):
        sheet.column_dimensions[column].width = width
    return sheet


def overview_workbook(today=None):
    """Bytes of a workbook: sources with stage, progress and blockers; the stage timeline."""
    today = today or timezone.localdate()
    rows = selectors.overview_rows(today)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        "Datenquellen",
        [
            "Fachbereich",
            "Datenquelle",
            "Einführungsstufe",
            "Fortschritt in %",
            "Offen für die nächste Stufe",
            "Letzte Lieferung",
            "Überfällig",
        ],
        [
            [
                row["department"].name,
                row["source"].name,
                row["stage_label"],
                row["progress"],
                "; ".join(row["blocking"]) or "–",
                row["last_delivery"],
                "ja" if row["overdue"] else "nein",
            ]
            for row in rows
        ],
    )
    _sheet(
        workbook,
        "Fachbereiche",
        [
            "Fachbereich",
            "Datenquellen",
            "davon im Betrieb",
            "niedrigste Stufe",
            "Fortschritt in %",
            "Checkliste des Fachbereichs in %",
            "Offen im Fachbereich",
        ],
        [
            [
                d["department"].name,
                d["sources"],
                d["live"],
                d["lowest_stage_label"],
                d["progress"],
                d["checklist_progress"] if d["has_checklist"] else "nicht angelegt",
                "; ".join(d["open_items"]) or "–",
            ]
            for d in selectors.department_rows(rows)
        ],
    )
    _sheet(
        workbook,
        "Stufenwechsel",
        ["Datum", "Datenquelle", "von", "nach", "durch", "Vermerk"],
        [
            [
                timezone.localtime(change.changed_at).replace(tzinfo=None),
                change.source.name,
                change.get_from_stage_display(),
                change.get_to_stage_display(),
                (change.changed_by.get_full_name() or change.changed_by.get_username())
                if change.changed_by
                else "–",
                change.note,
            ]
            for change in selectors.stage_timeline()
        ],
    )
    info = workbook.create_sheet("Hinweise")
    info.append(["BIF – Stand der Einführung", today.strftime("%d.%m.%Y")])
    info.append(["Stufen", "identifiziert → verifiziert → plausibilisiert → im Betrieb"])
    info.append(["Überfällig", "monatlich > 45 Tage, vierteljährlich > 120, jährlich > 400"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
