"""Choropleth maps of any area level: classes and their legend, secret units drawn apart
(grey and hatched, with the sign), a label layer. Pure: the level's GeoJSON (a URL or a
dict) and its label points (with each unit's hatch lines) come in.
"""

from django.utils.translation import gettext as _
from plotly.colors import sample_colorscale

from statistics_office.tables.exports import secret_sign

from . import classify
from .cells import GRAY, decimals, is_secret, number, plotted, shown

FEATURE_KEY = "properties.code"
HATCH = "#4D4D4D"  # outline and hatch lines of secret units, darker than their grey fill
HATCH_LINES = 14  # hatch lines across the level's extent (at least 4 per unit)


def choropleth(main, f, spec, palette, *, geojson=None, centroids=None):
    """The figure and its class legend; `centroids`: {code: (lon, lat, name[, hatch])} of the
    level, hatch = ([lon …], [lat …]) of the unit's hatch lines (None between lines)."""
    centroids = centroids or {}
    _name, cells = f["series"][0]
    shown_codes, values, texts, names, secret = [], [], [], [], []
    for code, lbl, cell in zip(f["x_codes"], f["x_labels"], cells, strict=True):
        if cell is None or (centroids and code not in centroids):
            continue  # a margin, or a code of another level
        if is_secret(cell) or cell.get("flag") == "origin":
            # secret, or blocked by the origin ("x", "/", "…"): grey, hatched, its sign
            secret.append((code, lbl, secret_sign() if is_secret(cell) else shown(cell, main)))
            continue
        shown_codes.append(code)
        values.append(plotted(cell))
        texts.append(shown(cell, main))
        names.append(lbl)
    bounds = classify.breaks(
        values,
        spec.get("map_method") or "quantile",
        spec.get("map_classes") or 5,
        manual=spec.get("map_breaks"),
    )
    k = max(1, len(bounds))
    colors = sample_colorscale(palette["scale"], [i / max(1, k - 1) for i in range(k)])
    places = decimals(main)
    legend_labels = []
    if values:
        legend_labels = classify.labels(bounds, min(values), lambda v: number(v, places))
    step = []
    for i, color in enumerate(colors):
        step += [[i / k, color], [(i + 1) / k, color]]
    data = [
        {
            "type": "choropleth",
            "geojson": geojson,
            "featureidkey": FEATURE_KEY,
            "locations": shown_codes,
            "z": [classify.class_of(v, bounds) for v in values],
            "zmin": -0.5,
            "zmax": k - 0.5,
            "text": texts,
            "customdata": names,
            "hovertemplate": "%{customdata}: %{text}<extra></extra>",
            "colorscale": step,
            "marker": {"line": {"color": "#ffffff", "width": 1}},
            # The title beside the bar and the bar below the toolbar's corner: they
            # never meet plotly's mode bar at the top right.
            "colorbar": {
                "title": {"text": main.get("measure_label", ""), "side": "right"},
                "len": 0.8,
                "y": 0,
                "yanchor": "bottom",
                "thickness": 12,
                "tickvals": list(range(k)),
                "ticktext": legend_labels,
            },
            "name": main.get("measure_label", ""),
        }
    ]
    if secret:
        data.append(
            {
                "type": "choropleth",
                "geojson": geojson,
                "featureidkey": FEATURE_KEY,
                "locations": [code for code, _lbl, _sign in secret],
                "z": [1] * len(secret),
                "customdata": [lbl for _code, lbl, _sign in secret],
                "text": [sign for _code, _lbl, sign in secret],
                "colorscale": [[0, GRAY], [1, GRAY]],
                "showscale": False,
                "hovertemplate": "%{customdata}: %{text}<extra></extra>",
                "name": _("geheim (%(sign)s)") % {"sign": secret_sign()},
                "marker": {"line": {"color": HATCH, "width": 2}},
            }
        )
    data += _points(secret, centroids, shown_codes, names)
    data += _hatches(secret, centroids)
    legend = [{"label": lbl, "color": c} for lbl, c in zip(legend_labels, colors, strict=True)]
    # not colour alone: hatched in the map and in the legend, and the sign in both
    for sign in dict.fromkeys(sign for _code, _lbl, sign in secret):
        text = (
            _("geheimgehalten (%(sign)s)")
            if sign == secret_sign()
            else _("gesperrt oder nicht verfügbar (%(sign)s)")
        )
        legend.append({"label": text % {"sign": sign}, "color": GRAY, "hatched": True})
    figure = {
        "data": data,
        "layout": {
            # No tile server: the units are the whole map.
            "geo": {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "annotations": [],
        },
    }
    return figure, legend


def _points(secret, centroids, shown_codes, names):
    """The secret sign on each secret unit, and the label layer (the units' names)."""
    layers = []
    marks = [(centroids[code], sign) for code, _lbl, sign in secret if code in centroids]
    if marks:
        layers.append(
            {
                "type": "scattergeo",
                "mode": "text",
                "lon": [p[0] for p, _sign in marks],
                "lat": [p[1] for p, _sign in marks],
                "text": [sign for _p, sign in marks],
                "textfont": {"size": 20, "color": "#000000"},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    labelled = [
        (centroids[c], n) for c, n in zip(shown_codes, names, strict=True) if c in centroids
    ]
    if labelled:
        layers.append(
            {
                "type": "scattergeo",
                "mode": "text",
                "name": _("Beschriftung"),
                "lon": [p[0] for p, _n in labelled],
                "lat": [p[1] + 0.002 for p, _n in labelled],
                "text": [n for _p, n in labelled],
                # smaller names where there are many units (41 districts)
                "textfont": {"size": 10 if len(labelled) <= 20 else 8, "color": "#1a1a1a"},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    return layers


def _hatches(secret, centroids):
    """One line layer hatching every secret unit (plotly's choropleth has no pattern fill)."""
    lon, lat = [], []
    for code, _lbl, _sign in secret:
        point = centroids.get(code) or ()
        if len(point) > 3 and point[3]:
            lon += point[3][0]
            lat += point[3][1]
    if not lon:
        return []
    return [
        {
            "type": "scattergeo",
            "mode": "lines",
            "lon": lon,
            "lat": lat,
            "line": {"color": HATCH, "width": 1},
            "name": _("geheimgehalten (%(sign)s)") % {"sign": secret_sign()},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]


def label_points(geojson):
    """{code: (lon, lat, name, hatch)}: a point inside each unit, for its label and secret
    sign, and the unit's hatch lines."""
    import shapely

    shapes = {
        f["properties"]["code"]: (shapely.geometry.shape(f["geometry"]), f["properties"])
        for f in geojson.get("features", [])
    }
    if not shapes:
        return {}
    x0, y0, x1, y1 = shapely.union_all([s for s, _p in shapes.values()]).bounds
    extent = max(x1 - x0, y1 - y0) or 1.0
    points = {}
    for code, (shape, properties) in shapes.items():
        point = shapely.point_on_surface(shape)
        points[code] = (
            round(point.x, 5),
            round(point.y, 5),
            properties.get("name", ""),
            hatch_lines(shape, extent / HATCH_LINES),
        )
    return points


def hatch_lines(shape, spacing):
    """([lon …], [lat …]) of 45° lines across ``shape``, None between lines (at most a
    quarter of the unit's size apart, so that small units are hatched too)."""
    import shapely

    x0, y0, x1, y1 = shape.bounds
    spacing = min(spacing, max(x1 - x0, y1 - y0) / 4) or 1.0
    offsets = [x0 - (y1 - y0) + i * spacing for i in range(int((x1 - x0 + y1 - y0) / spacing) + 2)]
    lines = shapely.MultiLineString([[(c, y0), (c + (y1 - y0), y1)] for c in offsets])
    lon, lat = [], []
    for part in shapely.get_parts(shapely.intersection(lines, shape)):
        if part.geom_type != "LineString" or part.is_empty:
            continue
        for x, y in part.coords:
            lon.append(round(x, 5))
            lat.append(round(y, 5))
        lon.append(None)
        lat.append(None)
    return lon, lat
