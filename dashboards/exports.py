"""A widget's figures as CSV and XLSX: the data table of the chart, signs, legend, source.

Built from the (cached) render result, so a download shows exactly what the chart shows.
"""

import csv
import io

from django.utils.text import slugify
from django.utils.translation import gettext as _

from bif.exports import neutralise_cell
from indicators.selectors import definition_lines, definitions_for_tables
from statistics_office.tables.exports import legend, neutralise


def _plain(cell):
    """Text for a file: the sign for flagged cells, the number with a decimal comma."""
    if cell["flag"] or cell["value"] is None:
        return cell["text"]
    value = cell["value"]
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", ",")


def _footer(result, widget=None):
    lines = [*legend(), *result.get("notes", []), *result.get("footer", [])]
    if widget is not None:  # the figure's indicator definitions travel with its data
        for definition in definitions_for_tables(widget.table_id, widget.compare_table_id):
            lines += definition_lines(definition)
    return lines


def _header(result):
    table = result["table"]
    return [table["row_header"], *table["columns"]]


def to_csv(widget, result):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    table = result["table"] or {
        "caption": widget.title,
        "row_header": "",
        "columns": [],
        "rows": [],
    }
    writer.writerow([neutralise(widget.title)])
    writer.writerow([neutralise(h) for h in _header({"table": table})])
    for row in table["rows"]:
        writer.writerow([neutralise(row["label"])] + [neutralise(_plain(c)) for c in row["cells"]])
    writer.writerow([])
    for line in _footer(result, widget):
        writer.writerow([neutralise(line)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(widget, result):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Daten")
    table = result["table"] or {
        "caption": widget.title,
        "row_header": "",
        "columns": [],
        "rows": [],
    }
    sheet.append([neutralise(widget.title)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([neutralise(h) for h in _header({"table": table})])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        values = [
            c["value"] if not c["flag"] and c["value"] is not None else c["text"]
            for c in row["cells"]
        ]
        sheet.append([neutralise(row["label"]), *(neutralise_cell(v) for v in values)])
        for cell in sheet[sheet.max_row][1:]:
            if isinstance(cell.value, int | float):
                cell.number_format = "#,##0.##" if isinstance(cell.value, float) else "#,##0"
            else:
                cell.alignment = Alignment(horizontal="right")
    sheet.append([])
    for line in _footer(result, widget):
        sheet.append([neutralise(line)])
    sheet.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(widget, extension):
    return f"{widget.dashboard.slug}_{slugify(widget.title) or widget.pk}.{extension}"
