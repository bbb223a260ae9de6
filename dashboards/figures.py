"""Plotly figures from published tables: pure functions, no database.

Input: table snapshots (plain dicts with the published cells), a widget spec and the filter
state. Output: a plotly figure dict plus what makes it accessible (a data table, a summary,
notes). Secret cells are never drawn as zero: their value is None and a sign marks them.
"""

from django.utils.translation import gettext as _

from statistics_office.tables.exports import secret_sign

from . import chart_layout as layout
from . import maps
from .cells import (
    FALLBACK_COLORS,
    KIND_LABELS,
    TIME,
    decimals,
    default_axes,
    dimension,
    is_secret,
    label,
    number,
    plotted,
    shown,
    slice_table,
)
from .figure_texts import _data_table, _date, _footer, _notes, _signs, _summary, _table_cell

# --- The frame every chart is drawn from -------------------------------------------------


def frame(tables, spec, filters):
    """x codes and labels, and series of cells: [(name, [cell or None per x code])]."""
    main = tables[0]
    x = spec.get("x") or default_axes(main, spec["kind"])
    if spec["kind"] == "line" and x == TIME:
        # A time series shows every date; a Stichtag filter is for the other widgets.
        filters = {k: v for k, v in filters.items() if k != TIME}
    series_dim = spec.get("series") or ""
    if series_dim == x or not dimension(main, series_dim) or len(tables) > 1:
        series_dim = ""
    axes = [x, series_dim] if series_dim else [x]
    axis_codes, index, fixed = slice_table(main, filters, axes)
    x_codes = axis_codes.get(x, [])
    series = []
    if series_dim:
        for s in axis_codes.get(series_dim, []):
            series.append((label(main, series_dim, s), [index.get((code, s)) for code in x_codes]))
    else:
        name = main.get("title") if len(tables) > 1 else main.get("measure_label", "")
        series.append((name, [index.get((code,)) for code in x_codes]))
    for other in tables[1:]:
        _codes, other_index, _fixed = slice_table(other, filters, [x])
        series.append((other.get("title", ""), [other_index.get((code,)) for code in x_codes]))
    x_labels = [label(main, x, code) for code in x_codes]
    return {
        "x": x,
        "series_dim": series_dim,
        "x_codes": x_codes,
        "x_labels": x_labels,
        "series": series,
        "fixed": fixed,
    }


# --- Building ----------------------------------------------------------------------------


def build(tables, spec, filters=None, *, palette=None, geojson=None, centroids=None, previous=None):
    """The widget's figure and its accessible companions. `tables[0]` is the widget's table
    (newest publication, or a time series merged over publications), further tables are
    compared with it; `previous` is the previous period's table for a KPI tile."""
    filters = dict(filters or {})
    palette = palette or {"colors": FALLBACK_COLORS, "scale": "Cividis"}
    kind = spec["kind"]
    main = tables[0]
    if kind == "kpi":
        return _kpi(main, previous, spec, filters)
    f = frame(tables, spec, filters)
    secret_cells = [
        (f["x_labels"][i], name)
        for name, cells in f["series"]
        for i, c in enumerate(cells)
        if is_secret(c)
    ]
    result = {
        "kind": kind,
        "figure": None,
        "table": _data_table(main, f, spec),
        "summary": _summary(main, f, spec, len(secret_cells)),
        "notes": _notes(tables, spec, len(secret_cells)),
        "secret_count": len(secret_cells),
        "empty": not any(c is not None for _n, cells in f["series"] for c in cells),
        "footer": _footer(tables),
        "signs": _signs(tables),
    }
    if result["empty"] or kind == "table":
        return result
    builder = {
        "bar": _bar,
        "stacked_bar": _bar,
        "line": _line,
        "pie": _pie,
        "donut": _pie,
        "map": _map,
    }[kind]
    figure = builder(main, f, spec, palette, geojson=geojson, centroids=centroids)
    if "legend" in figure:  # a map's classes, listed beside it
        result["legend"] = figure.pop("legend")
    figure["layout"] = {**_base_layout(palette), **figure.get("layout", {})}
    result["figure"] = figure
    if kind in ("pie", "donut") and secret_cells:
        result["notes"].append(
            _("Im Kreis fehlen die geheim gehaltenen Felder: %(labels)s.")
            % {"labels": ", ".join(lbl for lbl, _n in secret_cells)}
        )
    return result


def _base_layout(palette):
    return {
        # German numbers in ticks, hover and labels: decimal comma, thousands point.
        "separators": ",.",
        "colorway": palette["colors"],
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "legend": layout.legend_above(),
        "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 13},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "autosize": True,
        "hoverlabel": {"namelength": -1},
    }


def _hover_texts(cells, main):
    return [shown(c, main) or "" for c in cells]


def _with_reference(figure, main, spec, over_time=False):
    """The city's value (or another reference) as a dashed line, when the data carry one.
    Not over time: the city's value at the newest Stichtag is no reference for earlier ones."""
    reference = None if over_time and "reference" not in spec else layout.reference_of(spec, main)
    if reference is None:
        return figure
    shape, label_ = layout.reference_line(reference, number(reference["value"], decimals(main)))
    figure["layout"]["shapes"] = [*figure["layout"].get("shapes", []), shape]
    figure["layout"]["annotations"] = [*figure["layout"].get("annotations", []), label_]
    return figure


def _tops(f, stacked):
    tops = {}
    for _name, cells in f["series"]:
        for lbl, cell in zip(f["x_labels"], cells, strict=True):
            value = plotted(cell) or 0
            tops[lbl] = (
                tops.get(lbl, 0) + max(value, 0) if stacked else max(tops.get(lbl, 0), value)
            )
    return tops


def _bar(main, f, spec, palette, **_kw):
    data = []
    for i, (name, cells) in enumerate(f["series"]):
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": f["x_labels"],
                "y": [plotted(c) for c in cells],
                "text": _hover_texts(cells, main),
                "textposition": "none",
                "hovertemplate": "%{x}: %{text}<extra>" + name + "</extra>",
                "marker": {"color": palette["colors"][i % len(palette["colors"])]},
            }
        )
    stacked = spec["kind"] == "stacked_bar"
    marks = layout.hidden_marks(f, main, f["x_labels"], _tops(f, stacked))
    note = layout.hidden_note(f, main)
    return _with_reference(
        {
            "data": data,
            "layout": {
                "barmode": "stack" if stacked else "group",
                "xaxis": layout.category_axis(f["x"], f["x_labels"]),
                "yaxis": layout.value_axis(main.get("measure_label", ""), from_zero=True),
                "annotations": marks,
                "legend": layout.legend_with_note(note),
                "showlegend": len(data) > 1 or bool(note),
            },
        },
        main,
        spec,
    )


def _line(main, f, spec, palette, **_kw):
    time_axis = f["x"] == TIME
    x = f["x_codes"] if time_axis else f["x_labels"]
    data = []
    for i, (name, cells) in enumerate(f["series"]):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": x,
                "y": [plotted(c) for c in cells],
                "text": _hover_texts(cells, main),
                "customdata": [_date(code) for code in f["x_codes"]] if time_axis else x,
                "connectgaps": False,
                "hovertemplate": "%{customdata}: %{text}<extra>" + name + "</extra>",
                "line": {"color": palette["colors"][i % len(palette["colors"])], "width": 2},
            }
        )
    marks = layout.hidden_marks(f, main, x)
    note = layout.hidden_note(f, main)
    if time_axis:
        xaxis = layout.time_axis(f["x"], f["x_codes"])
    else:
        xaxis = layout.category_axis(f["x"], f["x_labels"])
    return _with_reference(
        {
            "data": data,
            "layout": {
                "xaxis": xaxis,
                # Scaled to the data: a change of 2 % must not look flat.
                "yaxis": layout.value_axis(main.get("measure_label", ""), from_zero=False),
                "annotations": marks,
                "legend": layout.legend_with_note(note),
                "showlegend": len(data) > 1 or bool(note),
            },
        },
        main,
        spec,
        over_time=time_axis,
    )


def _pie(main, f, spec, palette, **_kw):
    _name, cells = f["series"][0]
    keep = [i for i, c in enumerate(cells) if c is not None and not layout.hidden(c)]
    note = layout.hidden_note(f, main)
    return {
        "data": [
            {
                "type": "pie",
                "labels": [f["x_labels"][i] for i in keep],
                "values": [plotted(cells[i]) for i in keep],
                "text": [shown(cells[i], main) for i in keep],
                # Inside the slices, or not at all where a slice is too small (the legend
                # and the table name it): a label outside would be cut at the edge.
                "textinfo": "label+percent",
                "texttemplate": "%{label}<br>%{percent:.1%}",
                "textposition": "inside",
                "insidetextorientation": "horizontal",
                "hovertemplate": "%{label}: %{text} (%{percent:.2%})<extra></extra>",
                "hole": 0.45 if spec["kind"] == "donut" else 0,
                "sort": False,
                "marker": {"colors": palette["colors"]},
            }
        ],
        "layout": {
            "showlegend": True,
            "legend": layout.legend_with_note(note),
            "uniformtext": {"minsize": 11, "mode": "hide"},
        },
    }


def _map(main, f, spec, palette, *, geojson=None, centroids=None):
    figure, legend = maps.choropleth(main, f, spec, palette, geojson=geojson, centroids=centroids)
    figure["legend"] = legend
    return figure


# --- KPI tile ----------------------------------------------------------------------------


def _total_cell(table, filters):
    if table is None:
        return None, None
    _codes, index, fixed = slice_table(table, filters, [])
    return index.get(()), fixed.get(TIME) or table.get("reference_date")


def _kpi(main, previous, spec, filters):
    time_dim = dimension(main, TIME)
    if time_dim and not filters.get(TIME) and len(time_dim.get("order", [])) > 1:
        # A time series table: compare its newest date with the one before.
        before = time_dim["order"][-2]
        cell, reference = _total_cell(main, filters)
        prev_cell, prev_reference = _total_cell(main, {**filters, TIME: before})
    else:
        cell, reference = _total_cell(main, filters)
        prev_cell, prev_reference = _total_cell(previous, filters)
    value_text = shown(cell, main) or "…"
    change_text, figure = "", None
    if cell is not None and not is_secret(cell):
        indicator = {
            "type": "indicator",
            "mode": "number",
            "value": plotted(cell),
            "number": {"valueformat": ",." + str(decimals(main)) + "f"},
        }
        if prev_cell is not None and not is_secret(prev_cell):
            delta = plotted(cell) - plotted(prev_cell)
            base = plotted(prev_cell)
            pct = f" ({'+' if delta >= 0 else ''}{number(100 * delta / base, 1)} %)" if base else ""
            change_text = _("%(delta)s%(pct)s gegenüber %(date)s") % {
                "delta": ("+" if delta >= 0 else "") + number(delta, decimals(main)),
                "pct": pct,
                "date": _date(prev_reference),
            }
            indicator["mode"] = "number+delta"
            indicator["delta"] = {"reference": base, "valueformat": ",.0f"}
        figure = {"data": [indicator], "layout": {**_base_layout({"colors": FALLBACK_COLORS})}}
    elif prev_cell is not None:
        change_text = _("Veränderung nicht darstellbar (%(sign)s)") % {"sign": secret_sign()}
    secret = int(is_secret(cell)) + int(is_secret(prev_cell))
    rows = [{"label": _date(reference), "cells": [_table_cell(cell, main)]}]
    if prev_cell is not None:
        rows.append({"label": _date(prev_reference), "cells": [_table_cell(prev_cell, main)]})
    summary = _("%(kind)s: %(title)s, %(measure)s am %(date)s: %(value)s. %(change)s") % {
        "kind": KIND_LABELS["kpi"],
        "title": spec.get("title", ""),
        "measure": main.get("measure_label", ""),
        "date": _date(reference),
        "value": value_text,
        "change": change_text,
    }
    return {
        "kind": "kpi",
        "figure": figure,
        "kpi": {"value": value_text, "change": change_text, "reference": _date(reference)},
        "table": {
            "caption": spec.get("title") or main.get("title", ""),
            "row_header": _("Stichtag"),
            "columns": [main.get("measure_label", "")],
            "rows": rows,
        },
        "summary": summary.strip(),
        "notes": _notes([main], spec, secret),
        "secret_count": secret,
        "empty": cell is None,
        "footer": _footer([main]),
        "signs": _signs([main]),
    }
