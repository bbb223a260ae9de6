"""German sentences for the consistency and value findings (totals, partitions, sources)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

CHECK_MESSAGES = {
    "total_not_sum": (
        ngettext_lazy(
            "Die Summenzeile „%(total_label)s“ (%(total)s) weicht von der Summe ihrer "
            "%(parts)s Teile ab (%(sum)s, Differenz %(difference)s)",
            "Die Summenzeile „%(total_label)s“ (%(total)s) weicht von der Summe ihrer "
            "%(parts)s Teile ab (%(sum)s, Differenz %(difference)s)",
            "count",
        ),
        _(
            "Bitte prüfen, ob Teile fehlen, doppelt sind oder die Summe zu einem anderen Stand "
            "gehört; Rundungen sind bis %(tolerance)s berücksichtigt."
        ),
    ),
    "part_above_total": (
        ngettext_lazy(
            "%(count)s Teil ist größer als seine Summenzeile „%(total_label)s“ (z. B. "
            "„%(part_label)s“: %(part)s gegenüber %(total)s)",
            "%(count)s Teile sind größer als ihre Summenzeile „%(total_label)s“ (z. B. "
            "„%(part_label)s“: %(part)s gegenüber %(total)s)",
            "count",
        ),
        _("Bitte die Gliederung (Ebenen, Zuordnung zur Summenzeile) im Export prüfen."),
    ),
    "partition_mismatch": (
        ngettext_lazy(
            "In %(count)s Zeile ergeben %(parts)s nicht die Gesamtzahl (z. B. „%(label)s“: "
            "%(sum)s gegenüber %(total)s)",
            "In %(count)s Zeilen ergeben %(parts)s nicht die Gesamtzahl (z. B. „%(label)s“: "
            "%(sum)s gegenüber %(total)s)",
            "count",
        ),
        _("Bitte prüfen, ob eine Kategorie fehlt oder anders abgegrenzt ist."),
    ),
    "cross_source_differs": (
        ngettext_lazy(
            "In %(count)s Fall weicht „%(left_label)s“ um mehr als %(tolerance_pct)s %% von "
            "„%(right_label)s“ ab (z. B. %(key)s: %(left)s gegenüber %(right)s, "
            "%(difference_pct)s %%)",
            "In %(count)s Fällen weicht „%(left_label)s“ um mehr als %(tolerance_pct)s %% von "
            "„%(right_label)s“ ab (z. B. %(key)s: %(left)s gegenüber %(right)s, "
            "%(difference_pct)s %%)",
            "count",
        ),
        _("Bitte prüfen, welche Quelle den richtigen Stand hat, bevor veröffentlicht wird."),
    ),
    "nothing_mapped": (
        ngettext_lazy(
            "Keine zugeordnete Spalte enthält einen Wert",
            "Keine der %(count)s zugeordneten Spalten enthält einen Wert",
            "count",
        ),
        _(
            "Die Datei passt nicht zum Schema der Quelle; bitte die Spaltenzuordnung prüfen "
            "oder die richtige Datei hochladen."
        ),
    ),
}
