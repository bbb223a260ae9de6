"""SDMX-CSV 2.0: one row per observation, dimension columns, OBS_VALUE and attributes.

Columns: STRUCTURE, STRUCTURE_ID, dimensions (SDMX ids), OBS_VALUE, OBS_STATUS (the sign),
CONF_STATUS (C = confidential, F = free), UNIT_MEASURE, OBS_COMMENT (cell notes).
"""

import csv
import io
import re


def sdmx_id(name):
    """An SDMX identifier ([A-Za-z0-9_@$-], starting with a letter) from a German name."""
    text = name.upper()
    for umlaut, plain in (("Ä", "AE"), ("Ö", "OE"), ("Ü", "UE"), ("ß", "SS")):
        text = text.replace(umlaut, plain)
    text = re.sub(r"[^A-Z0-9_@$-]+", "_", text).strip("_") or "DIM"
    return text if text[0].isalpha() else "D_" + text


def to_sdmx_csv(dataset):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    flow = f"{dataset.agency}:{sdmx_id(dataset.slug)}({dataset.version}.0)"
    writer.writerow(
        ["STRUCTURE", "STRUCTURE_ID"]
        + [sdmx_id(d.id) for d in dataset.dimensions]
        + ["OBS_VALUE", "OBS_STATUS", "CONF_STATUS", "UNIT_MEASURE", "OBS_COMMENT"]
    )
    index = dataset.index()
    for key in dataset.combinations():
        cell = index.get(key)
        if cell is None:
            continue
        value = dataset.shown_value(cell)
        symbol = dataset.symbol(cell)
        confidential = symbol is not None and symbol.hides_value
        writer.writerow(
            ["dataflow", flow]
            + list(key)
            + [
                "" if value is None else _number(value, dataset.decimals),
                symbol.sign if symbol else "",
                "C" if confidential else "F",
                dataset.unit,
                " | ".join(dataset.notes_for_cell(key)),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _number(value, decimals):
    return f"{value:.{decimals}f}"
