"""Flat formats, one row per cell: Parquet (`value`, `value_symbol`), German CSV, XLSX."""

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text):
    """No cell of a spreadsheet starts a formula (CSV/XLSX injection)."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_START) and not _numeric(text) else text


def _numeric(text):
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def rows(dataset):
    """(codes, labels, value, symbol, notes) per existing cell, in row-major order."""
    index = dataset.index()
    for key in dataset.combinations():
        cell = index.get(key)
        if cell is None:
            continue
        symbol = dataset.symbol(cell)
        labels = [d.label(c) for d, c in zip(dataset.dimensions, key, strict=True)]
        yield (
            key,
            labels,
            dataset.shown_value(cell),
            symbol.sign if symbol else "",
            (dataset.notes_for_cell(key)),
        )


def to_parquet(dataset):
    data = list(rows(dataset))
    columns = {}
    for i, dim in enumerate(dataset.dimensions):
        columns[dim.id] = pa.array([r[0][i] for r in data], pa.string())
        columns[f"{dim.id}_label"] = pa.array([r[1][i] for r in data], pa.string())
    columns["value"] = pa.array([r[2] for r in data], pa.float64())
    columns["value_symbol"] = pa.array([r[3] for r in data], pa.string())
    table = pa.table(columns)
    metadata = {
        "title": dataset.title,
        "version": str(dataset.version),
        "unit": dataset.unit,
        "source": dataset.source,
        "licence": dataset.licence,
        "symbols": json.dumps({s.sign: s.text for s in dataset.symbols.values()}),
        "legend": json.dumps(dataset.legend, ensure_ascii=False),
    }
    table = table.replace_schema_metadata({k: str(v) for k, v in metadata.items()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def german_number(value, decimals):
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def to_german_csv(dataset):
    """`;`-separated, decimal comma, the sign where a value is not shown, legend below."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_safe(d.id) for d in dataset.dimensions] + ["Wert", "Zeichen"])
    for _key, labels, value, sign, _notes in rows(dataset):
        # A true zero shows its sign ("–"), as does a value kept secret.
        shown = sign if sign and not value else german_number(value, dataset.decimals)
        writer.writerow([_safe(x) for x in labels] + [_safe(shown), _safe(sign)])
    writer.writerow([])
    for line in _footer(dataset):
        writer.writerow([_safe(line)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _footer(dataset):
    lines = [dataset.title] + list(dataset.notes) + list(dataset.legend)
    if dataset.source:
        lines.append(f"Quelle: {dataset.source}")
    return lines


def to_xlsx(dataset):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Daten"
    sheet.append([_safe(d.id) for d in dataset.dimensions] + ["Wert", "Zeichen", "Fußnoten"])
    number_format = "#,##0" + ("." + "0" * dataset.decimals if dataset.decimals else "")
    for _key, labels, value, sign, notes in rows(dataset):
        sheet.append([_safe(x) for x in labels] + [value, _safe(sign), _safe(" ".join(notes))])
        if value is not None:
            sheet.cell(sheet.max_row, len(labels) + 1).number_format = number_format
    meta = workbook.create_sheet("Metadaten")
    for name, value in (
        ("Titel", dataset.title),
        ("Beschreibung", dataset.description),
        ("Einheit", dataset.unit),
        ("Berichtszeitraum", dataset.reference_period),
        ("Quelle", dataset.source),
        ("Kontakt", dataset.contact),
        ("Rechtsgrundlage", dataset.legal_basis),
        ("Lizenz", dataset.licence),
        ("Version", dataset.version),
    ):
        meta.append([name, _safe(value)])
    for line in list(dataset.notes) + list(dataset.legend):
        meta.append(["Fußnote", _safe(line)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
