"""The layout rules of the figure builders: labels that fit, legends clear of the axes,
German numbers and the real Stichtag, hidden values marked and counted, a reference line,
and a text alternative with the main finding for every kind of chart."""

import plotly.graph_objects as go
import pytest

from dashboards import chart_layout, figures
from tests.factories import GESCHLECHT, STADTTEIL, sex_cells, stadtteil_cells

from .test_figures import SEX, spec, table

TIME = {"name": "Stichtag", "labels": {}, "order": ["2023-12-31", "2024-12-31", "2025-12-31"]}


def series_over_time(values):
    cells = [
        {"Stichtag": d, "Stadtteil": "_T", "value": v, "flag": "" if v is not None else "secret"}
        for d, v in zip(TIME["order"], values, strict=True)
    ]
    return table(cells, [TIME, STADTTEIL])


def test_long_labels_wrap_at_spaces_and_hyphens_never_cut():
    assert chart_layout.wrap("Altstadt") == "Altstadt"
    assert chart_layout.wrap("Westliche Höhe") == "Westliche<br>Höhe"
    assert chart_layout.wrap("Friesischer Berg-Nord") == "Friesischer<br>Berg-Nord"
    for label in ("Westliche Höhe", "Statistischer Bezirk Sandberg-Süd"):
        assert chart_layout.wrap(label).replace("<br>", " ").replace("- ", "-") == label
        assert "…" not in chart_layout.wrap(label)


def test_few_categories_wrap_many_stand_upright_and_the_margin_grows():
    few = chart_layout.category_axis("Stadtteil", ["Westliche Höhe", "Altstadt"])
    assert few["ticktext"] == ["Westliche<br>Höhe", "Altstadt"] and few["tickangle"] == 0
    assert few["automargin"] is True
    many = chart_layout.category_axis("Stadtteil", [f"Stadtteil {i}" for i in range(13)])
    assert many["tickangle"] == -90 and many["ticktext"][0] == "Stadtteil 0"


def test_bars_start_at_zero_with_german_ticks_and_the_legend_above_the_plot():
    result = figures.build([SEX], spec("bar", series="Geschlecht"))
    layout = result["figure"]["layout"]
    assert layout["yaxis"]["rangemode"] == "tozero"
    assert layout["separators"] == ",."  # 1.234,5
    assert layout["yaxis"]["tickformat"] == ",~r" and layout["yaxis"]["exponentformat"] == "none"
    legend = layout["legend"]
    assert legend["y"] >= 1 and legend["yanchor"] == "bottom"  # never over the x axis
    assert layout["xaxis"]["automargin"] and layout["yaxis"]["automargin"]
    go.Figure(result["figure"])


def test_a_line_over_time_is_scaled_to_the_data_and_ticks_are_the_real_stichtage():
    result = figures.build([series_over_time([3040, 3046, 3053])], spec("line", x="Stichtag"))
    layout = result["figure"]["layout"]
    assert layout["yaxis"]["rangemode"] == "normal"  # not from 0: the change is visible
    assert layout["xaxis"]["tickvals"] == TIME["order"]
    assert layout["xaxis"]["ticktext"] == ["31.12.2023", "31.12.2024", "31.12.2025"]
    assert result["figure"]["data"][0]["customdata"][-1] == "31.12.2025"  # in the hover
    assert "Von 31.12.2023 (3.040) bis 31.12.2025 (3.053): +13 (+0,4 %)." in result["summary"]
    go.Figure(result["figure"])


def test_a_long_time_series_ticks_every_nth_date_and_always_the_newest():
    dates = [f"{y}-12-31" for y in range(2000, 2026)]
    axis = chart_layout.time_axis("Stichtag", dates)
    assert len(axis["tickvals"]) <= chart_layout.MAX_TIME_TICKS
    assert axis["tickvals"][-1] == "2025-12-31" and axis["ticktext"][-1] == "31.12.2025"


def test_secret_values_are_marked_on_top_of_the_stack_and_counted_in_the_chart():
    result = figures.build([SEX], spec("stacked_bar", series="Geschlecht"))
    layout = result["figure"]["layout"]
    mark = next(m for m in layout["annotations"] if m["x"] == "Nordstadt")
    assert mark["text"] == "." and mark["yref"] == "y"
    assert "männlich: ." in mark["hovertext"] and "weiblich: ." in mark["hovertext"]
    assert layout["legend"]["title"]["text"] == "2 Werte geheim gehalten (.)"
    assert layout["showlegend"] is True
    go.Figure(result["figure"])


def test_a_mark_sits_on_the_highest_bar_of_its_category_so_it_is_never_hidden():
    main = table(stadtteil_cells({"01": 40, "02": None, "03": 12}), [STADTTEIL])
    other = table(stadtteil_cells({"01": 30, "02": 90, "03": 10}), [STADTTEIL], title="B")
    result = figures.build([main, other], spec("bar"))
    mark = next(m for m in result["figure"]["layout"]["annotations"] if m["x"] == "Neustadt")
    assert mark["y"] == 90


def test_a_blocked_value_of_the_origin_is_marked_with_its_own_sign():
    cells = stadtteil_cells({"01": 40, "02": 55, "03": 12})
    cells[2] = {"Stadtteil": "03", "value": None, "flag": "origin", "sign": "x"}
    result = figures.build([table(cells, [STADTTEIL])], spec("bar"))
    marks = result["figure"]["layout"]["annotations"]
    assert [m["x"] for m in marks] == ["Nordstadt"]
    assert result["figure"]["layout"]["legend"]["title"]["text"] == "1 Wert nicht ausgewiesen"


def test_donut_labels_are_inside_the_slices_with_german_percent():
    result = figures.build([SEX], spec("donut", x="Geschlecht"), {"Stadtteil": "01"})
    trace = result["figure"]["data"][0]
    assert trace["textposition"] == "inside"
    assert "%{percent:.1%}" in trace["texttemplate"]
    assert result["figure"]["layout"]["uniformtext"]["mode"] == "hide"  # never clipped
    assert "Größter Anteil: weiblich (52,0 %)" in result["summary"]
    go.Figure(result["figure"])


def test_the_colour_bar_title_stands_beside_the_bar_below_the_toolbar():
    main = table(stadtteil_cells({"01": 130, "02": 400, "03": 900}), [STADTTEIL])
    points = {code: (9.4, 54.7, code) for code in ("01", "02", "03")}
    result = figures.build([main], spec("map"), {}, geojson="/g.geojson", centroids=points)
    bar = result["figure"]["data"][0]["colorbar"]
    assert bar["title"]["side"] == "right"
    assert bar["y"] + bar["len"] <= 0.85  # the top right corner is the toolbar's
    assert "Höchster Wert: Nordstadt (900), niedrigster: Altstadt (130)." in result["summary"]


def test_a_reference_value_in_the_data_is_drawn_as_a_dashed_line():
    main = table(stadtteil_cells({"01": 40, "02": 55, "03": 12}), [STADTTEIL])
    main["reference"] = {"value": 1234.5, "label": "Flensburg"}
    main["measure"] = "mean"
    result = figures.build([main], spec("bar"))
    layout = result["figure"]["layout"]
    assert layout["shapes"][0]["y0"] == 1234.5 and layout["shapes"][0]["line"]["dash"] == "dash"
    assert any(a["text"] == "Flensburg: 1.234,5" for a in layout["annotations"])
    go.Figure(result["figure"])
    with_spec = figures.build(
        [table(main["cells"], [STADTTEIL])], {**spec("line"), "reference": 30}
    )
    assert with_spec["figure"]["layout"]["shapes"][0]["y0"] == 30


@pytest.mark.parametrize("kind", ["bar", "stacked_bar", "line", "pie", "donut", "map"])
def test_every_chart_states_its_main_finding_and_its_secret_values(kind):
    x = "Geschlecht" if kind in ("pie", "donut") else "Stadtteil"
    points = {code: (9.4, 54.7, code) for code in ("01", "02", "03")}
    result = figures.build(
        [table(sex_cells(), [STADTTEIL, GESCHLECHT])],
        spec(kind, x=x),
        {} if x == "Stadtteil" else {"Stadtteil": "01"},
        geojson="/g.geojson",
        centroids=points,
    )
    summary = result["summary"]
    assert any(f in summary for f in ("Höchster Wert", "Größter Anteil")), summary
    if result["secret_count"]:
        assert "geheim gehalten (.)" in summary


def test_all_values_secret_says_so_instead_of_a_finding():
    main = table(stadtteil_cells({"01": None, "02": None, "03": None}), [STADTTEIL])
    result = figures.build([main], spec("bar"))
    assert "Kein Wert ausweisbar" in result["summary"]
    assert len(result["figure"]["layout"]["annotations"]) == 3


def test_every_widget_result_carries_the_legend_of_signs():
    result = figures.build([SEX], spec("bar"))
    assert any(line.startswith(". =") for line in result["signs"])
    assert all(not line.endswith(":") for line in result["signs"])


def test_the_citys_total_of_a_count_is_no_reference_line_for_its_parts():
    """A line at the city's total would squash the bars of its districts; over time, the
    newest city value is no reference for earlier Stichtage."""
    main = table(stadtteil_cells({"01": 40, "02": 55, "03": 12}), [STADTTEIL])
    main["reference"] = {"value": 107, "label": "Stadt insgesamt"}
    main["measure"] = "count"
    assert not figures.build([main], spec("bar"))["figure"]["layout"].get("shapes")
    main["measure"] = "mean"
    assert figures.build([main], spec("bar"))["figure"]["layout"]["shapes"]
