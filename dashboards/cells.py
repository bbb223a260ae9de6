"""Cells of published tables as the figures read them: secret or shown, labelled, sliced.

Pure functions on the plain dicts of a published table (no database)."""

from django.utils import formats

from statistics_office.tables.exports import format_value

TOTAL = "_T"
TIME = "Stichtag"
GRAY = "#D9D9D9"
FALLBACK_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]

KIND_LABELS = {
    "kpi": "Kennzahl",
    "bar": "Balkendiagramm",
    "stacked_bar": "Gestapeltes Balkendiagramm",
    "line": "Liniendiagramm",
    "pie": "Kreisdiagramm",
    "donut": "Ringdiagramm",
    "table": "Tabelle",
    "map": "Karte",
}


# --- Cells -------------------------------------------------------------------------------


def is_secret(cell):
    return bool(cell) and cell.get("flag") == "secret"


def plotted(cell):
    """The number to draw: None for a missing or secret cell, 0 only for a true zero."""
    if cell is None or is_secret(cell) or cell.get("flag") == "origin":
        return None  # the origin gave no number (".", "x", "/", "…"): never drawn as 0
    if cell.get("flag") == "zero" or cell.get("value") is None:
        return 0
    return cell["value"]


def decimals(table):
    return {"count": 0, "sum": 2, "mean": 1}.get(table.get("measure"), 0)


def shown(cell, table):
    """German text of a cell with the signs ("." secret, "–" true zero, "" missing)."""
    return format_value(cell, decimals(table)) if cell else ""


def number(value, places=0):
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def dimension(table, name):
    return next((d for d in table.get("dimensions", []) if d["name"] == name), None)


def label(table, name, code):
    dim = dimension(table, name) or {}
    return dim.get("labels", {}).get(code, code)


def slice_table(table, filters, axes):
    """Cells a widget draws: axis dimensions keep every code but the total (or the one
    filtered), other dimensions are fixed to the filtered code, else to their total."""
    fixed, axis_codes = {}, {}
    for dim in table.get("dimensions", []):
        name, order = dim["name"], list(dim.get("order") or [])
        wanted = filters.get(name)
        if name in axes:
            if wanted:
                axis_codes[name] = [wanted] if wanted in order else []
            else:
                axis_codes[name] = [c for c in order if c != TOTAL]
        elif wanted:
            fixed[name] = wanted
        elif TOTAL in order:
            fixed[name] = TOTAL
        elif order:
            fixed[name] = order[-1]  # a time dimension has no total: its newest date
    index = {}
    for cell in table.get("cells", []):
        if all(cell.get(n) == c for n, c in fixed.items()):
            index[tuple(cell.get(a) for a in axes)] = cell
    return axis_codes, index, fixed


def default_axes(table, kind):
    names = [d["name"] for d in table.get("dimensions", [])]
    if kind == "line":
        x = TIME if TIME in names else (names[0] if names else "")
    else:  # a map too: its units are the first dimension that is not the date
        x = next((n for n in names if n != TIME), names[0] if names else "")
    return x
