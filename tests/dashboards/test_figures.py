"""The pure figure builders: secret cells, filters, maps, KPI tiles, valid plotly JSON."""

import plotly.graph_objects as go
import pytest
from django.test import override_settings

from dashboards import figures, maps
from tests.factories import GESCHLECHT, STADTTEIL, sex_cells, stadtteil_cells


def table(cells, dimensions, **extra):
    return {
        "id": 1,
        "version": 1,
        "title": "Einwohner",
        "measure": "count",
        "measure_label": "Einwohner",
        "dimensions": dimensions,
        "cells": cells,
        "reference_date": "2025-12-31",
        "method": "suppression",
        "parameters": {"min_frequency": 3},
        "sources_label": "Einwohnermeldewesen",
        **extra,
    }


SEX = table(sex_cells(), [STADTTEIL, GESCHLECHT])


def spec(kind, x="Stadtteil", series=""):
    return {"id": 1, "title": "Test", "kind": kind, "x": x, "series": series, "note": ""}


def test_secret_cell_is_none_in_the_bar_and_marked_with_the_sign():
    result = figures.build([SEX], spec("bar", series="Geschlecht"))
    weiblich = next(t for t in result["figure"]["data"] if t["name"] == "weiblich")
    nordstadt = weiblich["x"].index("Nordstadt")
    assert weiblich["y"][nordstadt] is None
    marks = result["figure"]["layout"]["annotations"]
    assert any(m["text"] == "." and m["x"] == "Nordstadt" for m in marks)
    assert result["secret_count"] == 2
    assert any("geheim" in note and "nicht als Null" in note for note in result["notes"])
    go.Figure(result["figure"])  # valid plotly JSON


def test_true_zero_is_drawn_as_zero_and_shown_as_dash():
    result = figures.build([SEX], spec("bar", series="Geschlecht"))
    weiblich = next(t for t in result["figure"]["data"] if t["name"] == "weiblich")
    assert weiblich["y"][weiblich["x"].index("Neustadt")] == 0
    row = next(r for r in result["table"]["rows"] if r["label"] == "Neustadt")
    assert row["cells"][1]["text"] == "–"


@override_settings(BIF_SECRET_SIGN="•")
def test_the_configured_secret_sign_marks_chart_and_table():
    result = figures.build([SEX], spec("stacked_bar", series="Geschlecht"))
    assert {m["text"] for m in result["figure"]["layout"]["annotations"]} == {"•"}
    row = next(r for r in result["table"]["rows"] if r["label"] == "Nordstadt")
    assert [c["text"] for c in row["cells"]] == ["•", "•"]
    assert result["figure"]["layout"]["barmode"] == "stack"


def test_a_filter_on_a_dimension_off_the_axes_picks_its_slice():
    both = figures.build([SEX], spec("bar"))
    women = figures.build([SEX], spec("bar"), {"Geschlecht": "w"})
    assert both["figure"]["data"][0]["y"] == [250, 200, 10]
    assert women["figure"]["data"][0]["y"] == [130, 0, None]


def test_a_filter_on_the_axis_keeps_only_that_code():
    result = figures.build([SEX], spec("bar"), {"Stadtteil": "02"})
    assert result["figure"]["data"][0]["x"] == ["Neustadt"]


def test_map_is_a_choropleth_of_the_units_without_tiles():
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": f"0{i}", "name": f"Teil {i}"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[9.4, 54.7], [9.5, 54.8], [9.4, 54.8], [9.4, 54.7]]],
                },
            }
            for i in (1, 2, 3)
        ],
    }
    women = {"Geschlecht": "w"}
    result = figures.build(
        [SEX], spec("map"), women, geojson=geojson, centroids=maps.label_points(geojson)
    )
    data = result["figure"]["data"]
    assert data[0]["type"] == "choropleth"
    assert data[0]["featureidkey"] == "properties.code"
    assert data[0]["locations"] == ["01", "02"]
    assert data[1]["locations"] == ["03"]  # secret: grey, not zero
    assert data[1]["hovertemplate"].startswith("%{customdata}: %{text}")
    assert data[1]["text"] == ["."]  # the sign in the hover
    assert data[2]["type"] == "scattergeo" and data[2]["text"] == ["."]
    assert data[3]["text"] == ["Altstadt", "Neustadt"]  # the label layer
    assert result["legend"][-1] == {
        "label": "geheimgehalten (.)",
        "color": "#D9D9D9",
        "hatched": True,
    }
    hatch = data[4]  # the secret unit hatched, not only grey
    assert hatch["type"] == "scattergeo" and hatch["mode"] == "lines"
    assert len([v for v in hatch["lon"] if v is None]) >= 4
    nordstadt = next(r for r in result["table"]["rows"] if r["label"] == "Nordstadt")
    assert "." in str(nordstadt)  # the data table beside the map shows the sign too
    geo = result["figure"]["layout"]["geo"]
    assert geo["fitbounds"] == "locations" and geo["visible"] is False
    assert "mapbox" not in str(result["figure"]) and "map" not in result["figure"]["layout"]
    go.Figure(result["figure"])


@pytest.mark.parametrize("method", ["equal", "quantile", "jenks", "manual"])
def test_map_classes_have_a_legend_and_each_unit_a_class(method):
    values = {"01": 130, "02": 400, "03": 900}
    main = table(stadtteil_cells(values), [STADTTEIL])
    map_spec = {**spec("map"), "map_method": method, "map_classes": 3, "map_breaks": [200, 500]}
    points = {code: (9.4, 54.7, code) for code in values}
    result = figures.build([main], map_spec, {}, geojson="/g.geojson", centroids=points)
    trace = result["figure"]["data"][0]
    labels = [item["label"] for item in result["legend"]]
    assert len(labels) == 3 and labels[0].startswith("130 – ")
    assert trace["colorbar"]["ticktext"] == labels
    assert sorted(trace["z"]) == [0, 1, 2]  # three units, three classes
    go.Figure(result["figure"])


def test_kpi_shows_value_and_change_to_the_previous_period():
    previous = table(stadtteil_cells({"01": 90, "02": 100, "03": 10}), [STADTTEIL])
    previous["reference_date"] = "2024-12-31"
    current = table(stadtteil_cells({"01": 100, "02": 100, "03": 20}), [STADTTEIL])
    result = figures.build([current], spec("kpi"), previous=previous)
    assert result["kpi"]["value"] == "220"
    assert result["kpi"]["change"].startswith("+20 (+10,0 %)")
    assert "31.12.2024" in result["kpi"]["change"]
    go.Figure(result["figure"])


def test_kpi_with_a_secret_total_shows_the_sign_not_zero():
    cells = [{"Stadtteil": "_T", "value": None, "flag": "secret"}]
    result = figures.build([table(cells, [STADTTEIL])], spec("kpi"))
    assert result["kpi"]["value"] == "."
    assert result["figure"] is None


def test_line_over_stichtag_breaks_at_a_secret_point():
    time = {"name": "Stichtag", "labels": {}, "order": ["2023-12-31", "2024-12-31", "2025-12-31"]}
    cells = [
        {"Stichtag": "2023-12-31", "Stadtteil": "_T", "value": 10, "flag": ""},
        {"Stichtag": "2024-12-31", "Stadtteil": "_T", "value": None, "flag": "secret"},
        {"Stichtag": "2025-12-31", "Stadtteil": "_T", "value": 12, "flag": ""},
    ]
    result = figures.build([table(cells, [time, STADTTEIL])], spec("line", x="Stichtag"))
    trace = result["figure"]["data"][0]
    assert trace["x"] == time["order"] and trace["y"] == [10, None, 12]
    assert trace["connectgaps"] is False
    assert result["figure"]["layout"]["annotations"][0]["text"] == "."
    go.Figure(result["figure"])


@pytest.mark.parametrize("kind", ["pie", "donut"])
def test_pie_leaves_out_secret_slices_and_says_so(kind):
    result = figures.build([SEX], spec(kind), {"Geschlecht": "w"})
    trace = result["figure"]["data"][0]
    assert trace["labels"] == ["Altstadt", "Neustadt"]
    assert any("Nordstadt" in note for note in result["notes"])
    go.Figure(result["figure"])


def test_summary_describes_the_chart_for_screen_readers():
    result = figures.build([SEX], spec("bar"))
    assert "Balkendiagramm" in result["summary"]
    assert "Höchster Wert: Altstadt" in result["summary"]


def test_compare_table_is_a_second_series_on_the_same_axis():
    kinder = table(stadtteil_cells({"01": 60, "02": 70, "03": 20}), [STADTTEIL], title="Kinder")
    kita = table(stadtteil_cells({"01": 40, "02": 55, "03": None}), [STADTTEIL], title="Kita")
    result = figures.build([kita, kinder], spec("bar"))
    names = [t["name"] for t in result["figure"]["data"]]
    assert names == ["Kita", "Kinder"]
    assert result["figure"]["data"][0]["y"] == [40, 55, None]
    assert result["table"]["columns"] == ["Kita", "Kinder"]


def test_a_unit_the_origin_blocked_is_hatched_with_its_own_sign_and_legend_entry():
    cells = stadtteil_cells({"01": 130, "02": 400, "03": None})
    cells[1] = {"Stadtteil": "02", "value": None, "flag": "origin", "origin_status": "x"}
    main = table(cells, [STADTTEIL])
    square = [[[9.4, 54.7], [9.5, 54.7], [9.5, 54.8], [9.4, 54.8], [9.4, 54.7]]]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": code},
                "geometry": {"type": "Polygon", "coordinates": square},
            }
            for code in ("01", "02", "03")
        ],
    }
    result = figures.build([main], spec("map"), {}, centroids=maps.label_points(geojson))
    data = result["figure"]["data"]
    assert data[0]["locations"] == ["01"]
    assert data[1]["locations"] == ["02", "03"] and data[1]["text"] == ["x", "."]
    assert [t for t in data if t.get("mode") == "text"][0]["text"] == ["x", "."]
    assert [item["label"] for item in result["legend"] if item.get("hatched")] == [
        "gesperrt oder nicht verfügbar (x)",
        "geheimgehalten (.)",
    ]
    go.Figure(result["figure"])
