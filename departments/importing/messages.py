"""German sentences for findings: what is wrong, where, and what the analyst should do. With
messages_areas the only modules of the import core that import Django (gettext)."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from .findings import Finding
from .messages_areas import AREA_MESSAGES
from .messages_checks import CHECK_MESSAGES

# rule -> (sentence with %(count)s, hint). Pluralised on "count".
MESSAGES = {
    "file_too_large": (
        ngettext_lazy(
            "Die Datei ist %(size_mb)s MB groß; erlaubt sind höchstens %(limit_mb)s MB",
            "Die Datei ist %(size_mb)s MB groß; erlaubt sind höchstens %(limit_mb)s MB",
            "count",
        ),
        _("Bitte nur die benötigten Spalten exportieren oder die Datei aufteilen."),
    ),
    "empty_file": (
        ngettext_lazy("Die Datei ist leer", "Die Datei ist leer", "count"),
        _("Bitte den Export im Fachverfahren wiederholen und die richtige Datei hochladen."),
    ),
    "header_only": (
        ngettext_lazy(
            "Die Datei enthält nur die Kopfzeile, aber keine Datensätze",
            "Die Datei enthält nur die Kopfzeile, aber keine Datensätze",
            "count",
        ),
        _("Bitte prüfen, ob beim Export ein Filter gesetzt war, und erneut exportieren."),
    ),
    "binary_file": (
        ngettext_lazy(
            "Die Datei ist keine Textdatei, sondern enthält Binärdaten",
            "Die Datei ist keine Textdatei, sondern enthält Binärdaten",
            "count",
        ),
        _("Bitte als CSV (Trennzeichen Semikolon) oder als Excel-Arbeitsmappe (.xlsx) speichern."),
    ),
    "encoding_unknown": (
        ngettext_lazy(
            "Die Zeichenkodierung ist weder UTF-8 noch Windows-1252",
            "Die Zeichenkodierung ist weder UTF-8 noch Windows-1252",
            "count",
        ),
        _("Bitte die Datei in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern."),
    ),
    "single_column": (
        ngettext_lazy(
            "Die Datei hat nur eine Spalte; das Trennzeichen wurde nicht erkannt",
            "Die Datei hat nur eine Spalte; das Trennzeichen wurde nicht erkannt",
            "count",
        ),
        _("Erlaubt sind Semikolon, Komma, Tabulator und senkrechter Strich (|) als Trennzeichen."),
    ),
    "line_too_long": (
        ngettext_lazy(
            "Eine Zeile ist länger als %(limit_mb)s MB",
            "Eine Zeile ist länger als %(limit_mb)s MB",
            "count",
        ),
        _("Vermutlich fehlen Zeilenumbrüche oder ein Anführungszeichen; bitte den Export prüfen."),
    ),
    "ragged_row": (
        ngettext_lazy(
            "%(count)s Zeile hat eine falsche Anzahl Felder (erwartet %(expected)s, gefunden "
            "%(actual)s)",
            "%(count)s Zeilen haben eine falsche Anzahl Felder (erwartet %(expected)s, z. B. "
            "gefunden %(actual)s)",
            "count",
        ),
        _(
            "Meist enthält ein Text das Trennzeichen oder ein Anführungszeichen fehlt. Bitte die "
            "Zeilen korrigieren und erneut hochladen."
        ),
    ),
    "column_duplicate": (
        ngettext_lazy(
            "Der Spaltenname kommt mehrfach vor",
            "%(count)s Spaltennamen kommen mehrfach vor",
            "count",
        ),
        _("Bitte jeder Spalte eine eigene Überschrift geben."),
    ),
    "column_unnamed": (
        ngettext_lazy(
            "Spalte Nr. %(position)s hat keine Überschrift, enthält aber Werte",
            "Spalte Nr. %(position)s hat keine Überschrift, enthält aber Werte",
            "count",
        ),
        _("Bitte der Spalte eine Überschrift geben oder sie löschen."),
    ),
    "xls_legacy": (
        ngettext_lazy(
            "Die Datei ist im alten Excel-Format (.xls)",
            "Die Datei ist im alten Excel-Format (.xls)",
            "count",
        ),
        _("Bitte in Excel „Speichern unter“ → „Excel-Arbeitsmappe (*.xlsx)“ oder CSV wählen."),
    ),
    "encrypted": (
        ngettext_lazy(
            "Die Excel-Datei ist mit einem Kennwort verschlüsselt",
            "Die Excel-Datei ist mit einem Kennwort verschlüsselt",
            "count",
        ),
        _(
            "Bitte den Kennwortschutz entfernen (Datei → Informationen → Arbeitsmappe schützen) "
            "und die Datei erneut hochladen."
        ),
    ),
    "xlsx_invalid": (
        ngettext_lazy(
            "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)",
            "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)",
            "count",
        ),
        _("Bitte die Datei in Excel öffnen und neu als .xlsx oder als CSV speichern."),
    ),
    "zip_bomb": (
        ngettext_lazy(
            "Die Excel-Datei würde entpackt über %(size_mb)s MB belegen und wird aus "
            "Sicherheitsgründen nicht geöffnet",
            "Die Excel-Datei würde entpackt über %(size_mb)s MB belegen und wird aus "
            "Sicherheitsgründen nicht geöffnet",
            "count",
        ),
        _("Bitte nur die benötigte Tabelle als CSV exportieren."),
    ),
    "sheet_missing": (
        ngettext_lazy(
            "Das gewählte Tabellenblatt gibt es in der Datei nicht",
            "Das gewählte Tabellenblatt gibt es in der Datei nicht",
            "count",
        ),
        _("Vorhandene Tabellenblätter: %(sheets)s."),
    ),
    "csv_invalid": (
        ngettext_lazy(
            "Die CSV-Datei ist fehlerhaft aufgebaut (%(detail)s)",
            "Die CSV-Datei ist fehlerhaft aufgebaut (%(detail)s)",
            "count",
        ),
        _("Bitte den Export prüfen, besonders Anführungszeichen in Texten."),
    ),
    "column_missing": (
        ngettext_lazy(
            "Die Pflichtspalte fehlt in der Datei", "Die Pflichtspalte fehlt in der Datei", "count"
        ),
        _("Bitte die Spalte exportieren oder in der Zuordnung eine Spalte der Datei wählen."),
    ),
    "column_missing_optional": (
        ngettext_lazy(
            "Die Spalte fehlt in der Datei; das Feld bleibt leer",
            "Die Spalte fehlt in der Datei; das Feld bleibt leer",
            "count",
        ),
        _("Falls sie umbenannt wurde, bitte in der Zuordnung auswählen."),
    ),
    "column_extra": (
        ngettext_lazy(
            "Die Spalte gehört nicht zum Schema und wird nicht übernommen",
            "Die Spalte gehört nicht zum Schema und wird nicht übernommen",
            "count",
        ),
        _("Falls sie eine umbenannte Spalte des Schemas ist, bitte in der Zuordnung zuweisen."),
    ),
    "required": (
        ngettext_lazy("%(count)s Pflichtwert fehlt", "%(count)s Pflichtwerte fehlen", "count"),
        _("Bitte die leeren Zellen im Fachverfahren füllen und erneut exportieren."),
    ),
    "unique": (
        ngettext_lazy(
            "%(count)s Wert kommt mehrfach vor, muss aber eindeutig sein",
            "%(count)s Werte kommen mehrfach vor, müssen aber eindeutig sein",
            "count",
        ),
        _("Bitte doppelte Datensätze entfernen."),
    ),
    "primary_key": (
        ngettext_lazy(
            "%(count)s Datensatz hat einen doppelten Schlüssel (%(fields)s)",
            "%(count)s Datensätze haben einen doppelten Schlüssel (%(fields)s)",
            "count",
        ),
        _("Jeder Schlüssel darf nur einmal vorkommen; bitte doppelte Datensätze entfernen."),
    ),
    "type_integer": (
        ngettext_lazy(
            "%(count)s Wert ist keine ganze Zahl",
            "%(count)s Werte sind keine ganzen Zahlen",
            "count",
        ),
        _("Erwartet wird eine ganze Zahl wie 1234 oder 1.234."),
    ),
    "type_number": (
        ngettext_lazy(
            "%(count)s Wert ist keine Zahl", "%(count)s Werte sind keine Zahlen", "count"
        ),
        _("Erwartet wird eine Zahl mit dem Dezimalzeichen „%(decimal)s“ wie im Rest der Datei."),
    ),
    "type_date": (
        ngettext_lazy(
            "%(count)s Wert ist nicht als Datum lesbar",
            "%(count)s Werte sind nicht als Datum lesbar",
            "count",
        ),
        _("Erwartet wird TT.MM.JJJJ (z. B. 31.12.2023) oder JJJJ-MM-TT."),
    ),
    "type_boolean": (
        ngettext_lazy(
            "%(count)s Wert ist kein Ja/Nein-Wert",
            "%(count)s Werte sind keine Ja/Nein-Werte",
            "count",
        ),
        _("Erlaubt sind ja/nein, true/false, 1/0 oder x für ja."),
    ),
    "too_large": (
        ngettext_lazy(
            "%(count)s Zahl ist zu groß zum Speichern",
            "%(count)s Zahlen sind zu groß zum Speichern",
            "count",
        ),
        _("Bitte prüfen, ob die Spalte richtig zugeordnet ist; Kennungen gehören in Textfelder."),
    ),
    "date_invalid": (
        ngettext_lazy(
            "%(count)s Wert ist kein gültiges Datum",
            "%(count)s Werte sind kein gültiges Datum",
            "count",
        ),
        _("Erwartet wird TT.MM.JJJJ."),
    ),
    "minimum": (
        ngettext_lazy(
            "%(count)s Wert liegt unter dem Mindestwert %(minimum)s",
            "%(count)s Werte liegen unter dem Mindestwert %(minimum)s",
            "count",
        ),
        _("Bitte die Werte im Fachverfahren prüfen."),
    ),
    "maximum": (
        ngettext_lazy(
            "%(count)s Wert liegt über dem Höchstwert %(maximum)s",
            "%(count)s Werte liegen über dem Höchstwert %(maximum)s",
            "count",
        ),
        _("Bitte die Werte im Fachverfahren prüfen."),
    ),
    "enum": (
        ngettext_lazy(
            "%(count)s Wert steht nicht in der Codeliste",
            "%(count)s Werte stehen nicht in der Codeliste",
            "count",
        ),
        _("Erlaubt sind: %(allowed)s."),
    ),
    "pattern": (
        ngettext_lazy(
            "%(count)s Wert hat nicht das vorgeschriebene Format",
            "%(count)s Werte haben nicht das vorgeschriebene Format",
            "count",
        ),
        _("Erwartetes Muster (regulärer Ausdruck): %(pattern)s."),
    ),
    "xlsx_doctype": (
        ngettext_lazy(
            "Die Excel-Datei enthält eine Dokumenttyp-Definition (DTD) im Teil "
            "„%(part)s“; so etwas schreibt Excel nie, es ist ein Angriffsmuster (XXE)",
            "Die Excel-Datei enthält eine Dokumenttyp-Definition (DTD) im Teil "
            "„%(part)s“; so etwas schreibt Excel nie, es ist ein Angriffsmuster (XXE)",
            "count",
        ),
        _("Die Datei wurde nicht geöffnet. Bitte die Daten neu aus dem Fachverfahren exportieren."),
    ),
    "xlsx_limit": (
        ngettext_lazy(
            "Die Excel-Datei überschreitet eine Grenze: %(limit_label)s: %(value)s, erlaubt "
            "sind höchstens %(max)s%(where)s",
            "Die Excel-Datei überschreitet eine Grenze: %(limit_label)s: %(value)s, erlaubt "
            "sind höchstens %(max)s%(where)s",
            "count",
        ),
        _("Große Datenbestände bitte als CSV exportieren; CSV wird in Teilen gelesen."),
    ),
    "xlsx_memory": (
        ngettext_lazy(
            "Die Excel-Datei braucht zum Einlesen mehr als %(limit_mb)s MB Arbeitsspeicher "
            "und wurde deshalb abgebrochen",
            "Die Excel-Datei braucht zum Einlesen mehr als %(limit_mb)s MB Arbeitsspeicher "
            "und wurde deshalb abgebrochen",
            "count",
        ),
        _("Bitte die Daten als CSV exportieren; CSV wird in Teilen gelesen."),
    ),
    "xlsx_timeout": (
        ngettext_lazy(
            "Das Einlesen der Excel-Datei dauerte länger als %(seconds)s Sekunden und wurde "
            "abgebrochen",
            "Das Einlesen der Excel-Datei dauerte länger als %(seconds)s Sekunden und wurde "
            "abgebrochen",
            "count",
        ),
        _("Bitte die Daten als CSV exportieren; CSV wird in Teilen gelesen."),
    ),
    "xlsx_formula": (
        ngettext_lazy(
            "Tabellenblatt „%(sheet)s“: %(count)s Zelle enthält eine Formel (%(cells)s)",
            "Tabellenblatt „%(sheet)s“: %(count)s Zellen enthalten Formeln (z. B. %(cells)s)",
            "count",
        ),
        _(
            "Formeln werden aus Sicherheitsgründen nicht übernommen, auch nicht ihr zuletzt "
            "berechneter Wert. Bitte die Zellen in Excel als Werte einfügen oder als CSV "
            "exportieren."
        ),
    ),
    "xlsx_external_link": (
        ngettext_lazy(
            "Tabellenblatt „%(sheet)s“: %(count)s Zelle verweist auf eine andere Datei (%(cells)s)",
            "Tabellenblatt „%(sheet)s“: %(count)s Zellen verweisen auf andere Dateien "
            "(z. B. %(cells)s)",
            "count",
        ),
        _(
            "Verknüpfungen zu anderen Arbeitsmappen werden nicht gelesen. Bitte die "
            "Verknüpfungen in Excel lösen (Werte einfügen) oder als CSV exportieren."
        ),
    ),
    "xlsx_macro": (
        ngettext_lazy(
            "Die Excel-Datei enthält Makros (VBA)",
            "Die Excel-Datei enthält Makros (VBA)",
            "count",
        ),
        _("Bitte die Daten ohne Makros als .xlsx (nicht .xlsm) oder als CSV speichern."),
    ),
    "formula": (
        ngettext_lazy(
            "%(count)s Zelle enthält eine Tabellenformel",
            "%(count)s Zellen enthalten Tabellenformeln",
            "count",
        ),
        _(
            "Formeln werden aus Sicherheitsgründen nicht übernommen; bitte die Werte ohne "
            "führendes =, +, - oder @ exportieren."
        ),
    ),
    "rowcount_change": (
        ngettext_lazy(
            "Die Zahl der Datensätze hat sich um %(change_pct)s %% geändert (vorher "
            "%(previous)s, jetzt %(current)s)",
            "Die Zahl der Datensätze hat sich um %(change_pct)s %% geändert (vorher "
            "%(previous)s, jetzt %(current)s)",
            "count",
        ),
        _("Bitte prüfen, ob der Export vollständig ist und der richtige Stichtag gewählt wurde."),
    ),
    "category_new": (
        ngettext_lazy(
            "%(count)s Ausprägung ist neu gegenüber dem letzten Import",
            "%(count)s Ausprägungen sind neu gegenüber dem letzten Import",
            "count",
        ),
        _("Bitte prüfen, ob die Codes stimmen oder sich die Codeliste geändert hat."),
    ),
    "category_vanished": (
        ngettext_lazy(
            "%(count)s Ausprägung aus dem letzten Import fehlt jetzt",
            "%(count)s Ausprägungen aus dem letzten Import fehlen jetzt",
            "count",
        ),
        _("Bitte prüfen, ob beim Export ein Filter gesetzt war."),
    ),
    "share_shift": (
        ngettext_lazy(
            "Der Anteil von „%(category)s“ hat sich von %(previous_pct)s %% auf "
            "%(current_pct)s %% verschoben",
            "Die Anteile von %(count)s Ausprägungen haben sich deutlich verschoben, z. B. "
            "„%(category)s“ von %(previous_pct)s %% auf %(current_pct)s %%",
            "count",
        ),
        _("Bitte prüfen, ob sich Codes oder Filter im Export geändert haben."),
    ),
    "reference_date_older": (
        ngettext_lazy(
            "Der Stichtag %(current)s liegt vor dem Stichtag des letzten Imports (%(previous)s)",
            "Der Stichtag %(current)s liegt vor dem Stichtag des letzten Imports (%(previous)s)",
            "count",
        ),
        _(
            "Ein älterer Stand darf einen neueren nicht ersetzen; bitte die aktuelle Datei "
            "hochladen."
        ),
    ),
    "duplicate_records": (
        ngettext_lazy(
            "%(count)s Datensatz gleicht bis auf den Schlüssel einem anderen",
            "%(count)s Datensätze gleichen bis auf den Schlüssel einem anderen",
            "count",
        ),
        _("Bitte prüfen, ob Datensätze doppelt exportiert wurden."),
    ),
    "cross_source_above": (
        ngettext_lazy(
            "In %(count)s Fall ist „%(left_label)s“ größer als „%(right_label)s“ (z. B. "
            "%(key)s: %(left)s gegenüber %(right)s)",
            "In %(count)s Fällen ist „%(left_label)s“ größer als „%(right_label)s“ (z. B. "
            "%(key)s: %(left)s gegenüber %(right)s)",
            "count",
        ),
        _("Bitte prüfen, ob beide Quellen denselben Stichtag und dieselbe Abgrenzung haben."),
    ),
} | AREA_MESSAGES


MESSAGES |= CHECK_MESSAGES

# The limits of xlsx_scan.XlsxLimits, as the message names them.
XLSX_LIMITS = {
    "rows": _("Zeilen"),
    "columns": _("Spalten"),
    "cells": _("Zellen"),
    "cell_chars": _("Zeichen in einer Zelle"),
    "shared_strings": _("verschiedene Texte"),
    "shared_strings_mb": _("MB Texte"),
}


class _Params(dict):
    def __missing__(self, key):
        return "?"


def describe(finding: Finding) -> str:
    """One or two German sentences for the analyst, e.g.
    'Spalte „Geburtsdatum“: 3 Werte sind kein gültiges Datum (Zeilen 5, 9, 12; z. B.
    „31.02.2023“). Erwartet wird TT.MM.JJJJ.'"""
    rule = finding.rule
    if rule == "column_missing" and finding.severity == "warning":
        rule = "column_missing_optional"
    sentence, hint = MESSAGES.get(rule, (None, None))
    params = _Params({key: _format(value) for key, value in finding.params.items()})
    params["count"] = finding.count
    params["column"] = finding.column or ""
    if rule == "xlsx_limit":
        sheet = finding.params.get("sheet")
        params["limit_label"] = str(XLSX_LIMITS.get(finding.params.get("limit"), "?"))
        params["where"] = (
            gettext(" (Tabellenblatt „%(sheet)s“)") % {"sheet": sheet} if sheet else ""
        )
    if sentence is None:
        text = gettext("Unbekanntes Problem „%(rule)s“") % {"rule": rule}
    else:
        text = sentence % params
        text = text.replace(str(finding.count), _format(finding.count), 1)
    if finding.column and rule not in ("column_duplicate",) or finding.column:
        text = gettext("Spalte „%(column)s“: %(text)s") % {"column": finding.column, "text": text}
    where = _where(finding)
    if where:
        text = f"{text} ({where})"
    hint_text = str(hint) % params if hint else ""
    return f"{text}. {hint_text}".strip()


def _where(finding: Finding) -> str:
    parts = []
    if finding.rows:
        rows = ", ".join(str(r) for r in finding.rows)
        n = len(finding.rows)
        template = (
            ngettext("Zeile %(rows)s und weitere", "Zeilen %(rows)s und weitere", n)
            if finding.count > n
            else ngettext("Zeile %(rows)s", "Zeilen %(rows)s", n)
        )
        parts.append(template % {"rows": rows})
    if finding.values:
        shown = ", ".join(f"„{v}“" for v in finding.values[:3])
        parts.append(gettext("z. B. %(values)s") % {"values": shown})
    return "; ".join(parts)


def _format(value) -> str:
    """Numbers the German way: 1.234 and 12,5."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}".replace(",", ".")
        text = f"{value:,.1f}" if abs(value) >= 1 else f"{value:.3g}"
        return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return str(value)
