"""How protected tables look: the grid of a page, CSV and XLSX, with signs, legend and source.

Signs after Destatis' Zeichenerklärung: the secret sign (settings.BIF_SECRET_SIGN, "." by
default) for a value kept secret, "–" for nothing (a true zero).
"""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from bif.exports import neutralise_cell, neutralise_text

ZERO_SIGN = "–"
ESTIMATED_SIGN = "s"  # Destatis: geschätzte Zahl
DECIMALS = {"count": 0, "sum": 2, "mean": 1}


def secret_sign():
    return getattr(settings, "BIF_SECRET_SIGN", ".") or "."


def legend(method=None, parameters=None, cells=None):
    """The signs' meanings; a perturbed table says that its values, zeros included, are
    perturbed (a "–" there may stand for a small count). A table from an aggregate source
    adds the origin's signs its cells carry."""
    return _legend(method, parameters) + origin_legend(cells) + estimated_legend(cells)


def estimated_legend(cells):
    if not any(c.get("estimated") for c in cells or ()):
        return []
    return [
        _(
            "%(sign)s = geschätzt (nach einer Gebietsänderung mit Anteilen auf den heutigen "
            "Gebietsstand umgerechnet)"
        )
        % {"sign": ESTIMATED_SIGN}
    ]


def origin_legend(cells):
    from .signs import LEGEND, NOT_COMPUTABLE

    present = {c.get("origin_status") for c in cells or () if c.get("flag") == "origin"}
    return [
        _("%(sign)s = %(text)s (Zeichen der Herkunftsquelle)")
        % {"sign": origin_sign(code), "text": LEGEND[code]}
        for code in NOT_COMPUTABLE
        if code in present
    ]


def origin_sign(code):
    return "…" if code == "..." else code


def _legend(method, parameters):
    if method == "cellkey":
        spread = (parameters or {}).get("ptable_D", 3)
        return [
            _("Zeichenerklärung:"),
            _("%(sign)s = Zahlenwert unbekannt oder geheim zu halten") % {"sign": secret_sign()},
            _("%(sign)s = null nach Überlagerung (es können wenige Fälle vorhanden sein)")
            % {"sign": ZERO_SIGN},
            _(
                "Alle Werte sind überlagert (Cell-Key-Verfahren): jeder weicht um höchstens "
                "%(d)s vom wahren Wert ab; kleine Fallzahlen werden nie ausgewiesen."
            )
            % {"d": spread},
        ]
    return [
        _("Zeichenerklärung:"),
        _("%(sign)s = Zahlenwert unbekannt oder geheim zu halten") % {"sign": secret_sign()},
        _("%(sign)s = nichts vorhanden (genau null)") % {"sign": ZERO_SIGN},
    ]


def method_text(method, parameters):
    parameters = parameters or {}
    if parameters.get("origin_protection"):  # an aggregate source its origin protected
        return _("Geheimhaltung durch die Herkunftsquelle: %(text)s") % {
            "text": parameters["origin_protection"]
        }
    if method == "cellkey":
        return _(
            "Geheimhaltung: Cell-Key-Verfahren (Zensus 2022); die Werte sind geringfügig "
            "überlagert, Summen können daher von der Summe ihrer Teile abweichen."
        )
    return _(
        "Geheimhaltung: Zellsperrung; Fallzahlen unter %(n)s sowie zur Sicherung nötige "
        "weitere Felder sind gesperrt."
    ) % {"n": parameters.get("min_frequency", 3)}


# Keep spreadsheet programs from reading a cell as a formula (CSV/XLSX injection).
neutralise = neutralise_text


def format_value(cell, decimals, *, german=True):
    """The shown text of a cell: a sign or the number (German style on pages)."""
    if cell is None:
        return ""
    if cell.get("flag") == "secret":
        return secret_sign()
    if cell.get("flag") == "origin":  # the origin's own sign (".", "x", "/", "…")
        return origin_sign(cell.get("origin_status") or ".")
    if cell.get("flag") == "zero" or cell.get("value") is None:
        return ZERO_SIGN
    value = cell["value"]
    if german:
        text = formats.number_format(
            value, decimal_pos=decimals, use_l10n=True, force_grouping=True
        )
    else:
        text = f"{value:.{decimals}f}".replace(".", ",")
    return f"{text}\u00a0{ESTIMATED_SIGN}" if cell.get("estimated") else text


@dataclass
class Grid:
    row_names: list  # names of the dimensions down the side
    columns: list  # labels of the last dimension's codes (or the measure)
    rows: list  # [(row labels, [cell dict or None per column], depth)]


def grid(cells, dimensions, measure_label):
    """Rows: every combination of all dimensions but the last; columns: the last one."""
    if not dimensions:
        return Grid([], [], [])
    names = [d["name"] for d in dimensions]
    index = {tuple(c.get(n) for n in names): c for c in cells}
    row_dims, col_dim = (dimensions[:-1], dimensions[-1]) if len(dimensions) > 1 else ([], None)
    if col_dim is None:
        only = dimensions[0]
        rows = [
            ([_label(only, code)], [index.get((code,))], 0)
            for code in only["order"]
            if (code,) in index
        ]
        return Grid([only["name"]], [measure_label], rows)
    combos = [()]
    for dim in row_dims:
        combos = [(*c, code) for c in combos for code in dim["order"]]
    present = {k[:-1] for k in index}
    rows = []
    for combo in combos:
        if combo not in present:
            continue
        labels = [_label(dim, code) for dim, code in zip(row_dims, combo, strict=True)]
        values = [index.get((*combo, code)) for code in col_dim["order"]]
        depth = sum(code == "_T" for code in combo)
        rows.append((labels, values, depth))
    columns = [_label(col_dim, code) for code in col_dim["order"]]
    return Grid([d["name"] for d in row_dims], columns, rows)


def _label(dim, code):
    return dim.get("labels", {}).get(code, code)


def _decimals(measure):
    return DECIMALS.get(measure, 0)


def footer_lines(table):
    reference = table.reference_date.strftime("%d.%m.%Y") if table.reference_date else ""
    lines = legend(table.method, table.parameters, table.cells) + [
        method_text(table.method, table.parameters)
    ]
    lines.append(
        _("Quelle: %(source)s; Stichtag %(date)s; Statistikstelle, Version %(version)s")
        % {"source": table.sources_label, "date": reference, "version": table.version}
    )
    if getattr(table, "gebietsstand", None):  # the area structure the table is on (issue 17)
        lines.append(
            _("Gebietsstand: %(date)s") % {"date": table.gebietsstand.strftime("%d.%m.%Y")}
        )
    if getattr(table, "area_note", ""):
        lines.append(table.area_note)
    return lines


def to_csv(table):
    """Semicolon CSV (UTF-8 with BOM for spreadsheet programs), with legend and source."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    decimals = _decimals(table.measure)
    g = grid(table.cells, table.dimensions, table.measure_label)
    writer.writerow([neutralise(table.title)])
    writer.writerow([neutralise(h) for h in g.row_names + g.columns])
    for labels, values, _depth in g.rows:
        shown = [format_value(c, decimals, german=False) if c else "" for c in values]
        writer.writerow([neutralise(x) for x in labels] + [neutralise(x) for x in shown])
    writer.writerow([])
    for line in footer_lines(table):
        writer.writerow([neutralise(line)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Tabelle V{table.version}"[:31]
    decimals = _decimals(table.measure)
    number_format = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    g = grid(table.cells, table.dimensions, table.measure_label)
    sheet.append([neutralise(table.title)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([neutralise(h) for h in g.row_names + g.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for labels, values, _depth in g.rows:
        row = [neutralise(x) for x in labels]
        for c in values:
            if c is None:
                row.append(None)
            elif c.get("flag") or c.get("value") is None:
                row.append(neutralise_cell(format_value(c, decimals)))
            else:
                row.append(c["value"])
        sheet.append(row)
        for cell in sheet[sheet.max_row][len(labels) :]:
            if isinstance(cell.value, int | float):
                cell.number_format = number_format
            else:
                cell.alignment = Alignment(horizontal="right")
    sheet.append([])
    for line in footer_lines(table):
        sheet.append([neutralise(line)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(table, extension):
    return f"{table.definition.slug}_v{table.version}.{extension}"
