"""An indicator's figures as plotly JSON (drawn by the dashboards' script): its areas as
bars with the city's value as a reference line, and a choropleth of the same values.

The city value travels as a data field (`reference`), so any chart builder can draw it."""

from django.utils import formats
from django.utils.translation import gettext as _

from bif.geography import selectors as areas

from . import formula

BAR = "#0072B2"
GREY = "#D9D9D9"


def _n(value, places):
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def reference_of(result):
    """{"value", "label"} of the city's value, or None if it carries a sign."""
    city = result and result.get("city")
    value = formula.plain(city["cell"]) if city else None
    if value is None:
        return None
    return {"value": value, "label": _("Stadt insgesamt: %(v)s") % {"v": city["text"]}}


def bar_with_reference(indicator, result):
    rows = result["areas"]
    reference = reference_of(result)
    values = [formula.plain(a["cell"]) for a in rows]
    labels = [a["label"] for a in rows]
    data = [
        {
            "type": "bar",
            "x": labels,
            "y": values,
            "customdata": [a["code"] for a in rows],
            "text": [a["text"] for a in rows],
            "textposition": "none",
            "hovertemplate": "%{x}: %{text}<extra></extra>",
            "marker": {"color": BAR},
            "name": indicator.unit,
        }
    ]
    signed = [(a["label"], a["text"]) for a, v in zip(rows, values, strict=True) if v is None]
    layout = {
        "margin": {"t": 30, "r": 10, "b": 10, "l": 10},
        "xaxis": {"automargin": True, "tickangle": -45},
        "yaxis": {"automargin": True, "rangemode": "tozero", "title": {"text": indicator.unit}},
        "separators": ",.",
        "showlegend": False,
        "shapes": [],
        "annotations": [
            {"x": label, "y": 0, "text": sign, "showarrow": False, "yshift": 8}
            for label, sign in signed
        ],
    }
    if reference:
        layout["shapes"].append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": reference["value"],
                "y1": reference["value"],
                "line": {"color": "#D55E00", "width": 2, "dash": "dash"},
            }
        )
        layout["annotations"].append(
            {
                "xref": "paper",
                "x": 1,
                "xanchor": "right",
                "y": reference["value"],
                "yanchor": "bottom",
                "text": reference["label"],
                "showarrow": False,
                "font": {"color": "#A04000"},
            }
        )
    return {"data": data, "layout": layout, "reference": reference}


def _level_of(codes):
    codes = set(codes)
    best, hits = "", 0
    for slug, _name in areas.levels_with_geometry():
        found = len(codes & set(areas.units(slug).values_list("code", flat=True)))
        if found > hits:
            best, hits = slug, found
    return best


def area_map(indicator, result, reverse):
    """A choropleth of the values (secret areas grey), or None without geometry."""
    rows = result["areas"]
    level = _level_of(a["code"] for a in rows)
    if not level:
        return None
    url = reverse("dashboards:area-geojson", args=[level])
    shown = [a for a in rows if formula.plain(a["cell"]) is not None]
    hidden = [a for a in rows if formula.plain(a["cell"]) is None]
    data = [
        {
            "type": "choropleth",
            "geojson": url,
            "featureidkey": "properties.code",
            "locations": [a["code"] for a in shown],
            "z": [formula.plain(a["cell"]) for a in shown],
            "text": [a["text"] for a in shown],
            "customdata": [a["label"] for a in shown],
            "hovertemplate": "%{customdata}: %{text}<extra></extra>",
            "colorscale": [[0, "#DEEBF7"], [1, "#08519C"]],
            "marker": {"line": {"color": "#ffffff", "width": 1}},
            "colorbar": {"title": {"text": indicator.unit, "side": "right"}, "thickness": 12},
        }
    ]
    if hidden:
        data.append(
            {
                "type": "choropleth",
                "geojson": url,
                "featureidkey": "properties.code",
                "locations": [a["code"] for a in hidden],
                "z": [1] * len(hidden),
                "customdata": [f"{a['label']}: {a['text']}" for a in hidden],
                "hovertemplate": "%{customdata}<extra></extra>",
                "colorscale": [[0, GREY], [1, GREY]],
                "showscale": False,
            }
        )
    layout = {
        "margin": {"t": 10, "r": 10, "b": 10, "l": 10},
        "geo": {"fitbounds": "locations", "visible": False},
        "separators": ",.",
    }
    return {"data": data, "layout": layout}


def summary(result):
    """The main finding in words: highest and lowest area, and how many carry a sign."""
    numbers = [(formula.plain(a["cell"]), a) for a in result["areas"]]
    numbers = [(v, a) for v, a in numbers if v is not None]
    parts = []
    if numbers:
        high = max(numbers, key=lambda item: item[0])[1]
        low = min(numbers, key=lambda item: item[0])[1]
        parts.append(
            _("Höchster Wert: %(high)s (%(hv)s), niedrigster: %(low)s (%(lv)s).")
            % {"high": high["label"], "hv": high["text"], "low": low["label"], "lv": low["text"]}
        )
    if result["secret"]:
        parts.append(
            _("%(n)s Gebiete ohne Wert (geheim zu halten oder nicht sinnvoll).")
            % {"n": result["secret"]}
        )
    return " ".join(parts)
