"""Dashboards for staff: who sees what, filters in the URL, downloads, API, cache."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from dashboards import figures, selectors, services
from dashboards.models import Dashboard
from statistics_office.tables.models import PublishedTable, TableDefinition
from tests import factories
from tests.factories import GESCHLECHT, STADTTEIL, sex_cells, stadtteil_cells

pytestmark = pytest.mark.django_db(databases=["default"])


def figure_of(response, widget):
    """The render result of `widget` on a rendered dashboard page."""
    return next(result for w, result in response.context["widgets"] if w.pk == widget.pk)


@pytest.fixture
def planning_group(db):
    return Group.objects.create(name="Sozialplanung")


@pytest.fixture
def restricted(make_dashboard, kita_table, planning_group):
    return make_dashboard(
        "kita-intern",
        visibility=Dashboard.Visibility.GROUPS,
        groups=[planning_group],
        widgets=[{"title": "Verträge", "kind": "bar", "table": kita_table.definition}],
    )


# --- Who sees what -----------------------------------------------------------------------


def test_staff_see_published_dashboards_in_the_list(client, staff, dashboard):
    client.force_login(staff)
    response = client.get("/dashboards/")
    assert response.status_code == 200
    assert dashboard.title in response.content.decode()


def test_dashboard_restricted_to_a_group_is_404_for_others(client, staff, restricted):
    client.force_login(staff)
    assert restricted not in selectors.dashboards_for(staff)
    assert client.get(restricted.get_absolute_url()).status_code == 404
    widget = restricted.widgets.get()
    assert (
        client.get(f"/dashboards/{restricted.slug}/elemente/{widget.pk}/daten.csv").status_code
        == 404
    )
    assert "Kita-Intern" not in client.get("/dashboards/").content.decode()


def test_group_members_see_the_restricted_dashboard(client, staff, restricted, planning_group):
    staff.groups.add(planning_group)
    client.force_login(staff)
    assert client.get(restricted.get_absolute_url()).status_code == 200


def test_a_draft_is_only_for_the_statistics_office(client, staff, statistician, make_dashboard):
    draft = make_dashboard("entwurf")
    assert draft.status == Dashboard.Status.DRAFT
    client.force_login(staff)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(statistician)
    assert "Vorschau" in client.get(draft.get_absolute_url()).content.decode()


def test_api_hides_a_restricted_dashboard_from_others(client, staff, restricted):
    client.force_login(staff)
    assert client.get(f"/api/v1/dashboards/{restricted.slug}/").status_code == 404
    widget = restricted.widgets.get()
    url = f"/api/v1/dashboards/{restricted.slug}/widgets/{widget.pk}/figure/"
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/dashboards/").json()["results"] == []


# --- Only published tables ---------------------------------------------------------------


@override_settings(SEALED_DATABASE_AVAILABLE=False)
def test_widgets_never_read_the_sealed_database(client, staff, dashboard):
    client.force_login(staff)
    with mock.patch.object(
        connections["sealed"], "cursor", side_effect=AssertionError("sealed database read")
    ):
        response = client.get(dashboard.get_absolute_url())
        for widget in dashboard.widgets.all():
            client.get(f"/dashboards/{dashboard.slug}/elemente/{widget.pk}/daten.xlsx")
    assert response.status_code == 200


def test_withdrawn_publication_is_not_shown(client, staff, dashboard, kita_table):
    PublishedTable.objects.filter(pk=kita_table.pk).update(withdrawn_at=timezone.now())
    client.force_login(staff)
    response = client.get(dashboard.get_absolute_url())
    widget = dashboard.widgets.get(title="Betreuungsverträge")
    assert figure_of(response, widget)["figure"] is None


# --- The page ----------------------------------------------------------------------------


def test_secret_cell_is_marked_on_the_page_and_not_plotted(client, staff, dashboard):
    client.force_login(staff)
    response = client.get(dashboard.get_absolute_url())
    html = response.content.decode()
    widget = dashboard.widgets.get(title__startswith="Einwohner")
    result = figure_of(response, widget)
    weiblich = next(t for t in result["figure"]["data"] if t["name"] == "weiblich")
    assert weiblich["y"][weiblich["x"].index("Nordstadt")] is None
    assert any(a["text"] == "." for a in result["figure"]["layout"]["annotations"])
    assert '<abbr title="geheim zu halten">.</abbr>' in html
    assert "nicht als Null dargestellt" in html
    assert '<th scope="row">Nordstadt</th>' in html and "<caption>" in html
    assert f'id="fig-{widget.pk}" type="application/json"' in html
    assert "<figcaption>Balkendiagramm" in html


def test_plotly_is_served_locally(client, staff, dashboard):
    client.force_login(staff)
    html = client.get(dashboard.get_absolute_url()).content.decode()
    assert "/static/dashboards/plotly.min.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # no inline scripts (CSP)


def test_filter_state_in_the_url_applies_to_every_widget_with_that_dimension(
    client, staff, dashboard
):
    client.force_login(staff)
    sex_widget = dashboard.widgets.get(title__startswith="Einwohner")
    kita_widget = dashboard.widgets.get(title="Betreuungsverträge")
    response = client.get(dashboard.get_absolute_url() + "?Stadtteil=02&Geschlecht=w")
    sex, kita = figure_of(response, sex_widget), figure_of(response, kita_widget)
    assert [t["x"] for t in sex["figure"]["data"]] == [["Neustadt"]]  # only the filtered sex
    assert sex["figure"]["data"][0]["name"] == "weiblich"
    assert kita["figure"]["data"][0]["x"] == ["Neustadt"]
    assert kita["figure"]["data"][0]["y"] == [55]  # no sex dimension: unaffected by it
    assert 'value="02" selected' in response.content.decode()


def test_unknown_filters_are_ignored(client, staff, dashboard):
    client.force_login(staff)
    response = client.get(dashboard.get_absolute_url() + "?Unsinn=1")
    assert response.context["filters"] == {}


# --- Downloads ---------------------------------------------------------------------------


def test_csv_download_has_signs_legend_and_source(client, staff, dashboard):
    client.force_login(staff)
    widget = dashboard.widgets.get(title__startswith="Einwohner")
    response = client.get(f"/dashboards/{dashboard.slug}/elemente/{widget.pk}/daten.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Stadtteil", "männlich", "weiblich"]
    assert ["Nordstadt", ".", "."] in rows
    assert ["Neustadt", "200", "–"] in rows
    text = response.content.decode("utf-8-sig")
    assert "Zeichenerklärung" in text and "Quelle: Einwohnermeldewesen" in text


def test_xlsx_download_has_numbers_signs_and_legend(client, staff, dashboard):
    client.force_login(staff)
    widget = dashboard.widgets.get(title__startswith="Einwohner")
    response = client.get(
        f"/dashboards/{dashboard.slug}/elemente/{widget.pk}/daten.xlsx?Geschlecht=w"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Altstadt", 130] in rows
    assert ["Nordstadt", "."] in rows
    assert any(r[0] and str(r[0]).startswith("Zeichenerklärung") for r in rows)


def test_downloads_neutralise_formulas(client, staff, statistician, sex_table, make_dashboard):
    board = make_dashboard(
        "formel",
        widgets=[{"title": "=HYPERLINK(1)", "kind": "bar", "table": sex_table.definition}],
    )
    client.force_login(staff)
    widget = board.widgets.get()
    content = client.get(f"/dashboards/formel/elemente/{widget.pk}/daten.csv").content
    assert content.decode("utf-8-sig").splitlines()[0] == "'=HYPERLINK(1)"


# --- API ---------------------------------------------------------------------------------


def test_api_returns_definition_and_plotly_json(client, staff, dashboard):
    client.force_login(staff)
    definition = client.get(f"/api/v1/dashboards/{dashboard.slug}/?Geschlecht=w").json()
    assert definition["title"] == dashboard.title
    assert definition["filters"] == ["Stadtteil", "Geschlecht"]
    widget = definition["widgets"][0]
    assert widget["kind"] == "bar" and widget["table"] == "einwohner-geschlecht"
    assert widget["figure_url"].endswith("/figure/?Geschlecht=w")
    figure = client.get(widget["figure_url"]).json()
    assert figure["filters"] == {"Geschlecht": "w"}
    assert figure["figure"]["data"][0]["type"] == "bar"
    assert figure["figure"]["data"][0]["y"] == [130, 0, None]
    assert figure["table"]["rows"][2]["cells"][0]["text"] == "."


# --- Cache -------------------------------------------------------------------------------


def test_second_render_comes_from_the_cache_and_a_new_version_gives_new_data(
    staff, dashboard, sex_table, publish
):
    widget = dashboard.widgets.get(title__startswith="Einwohner")
    with mock.patch.object(figures, "build", wraps=figures.build) as build:
        first = services.render_widget(widget, {})
        again = services.render_widget(widget, {})
        assert build.call_count == 1
        assert again == first
        services.render_widget(widget, {"Geschlecht": "w"})
        assert build.call_count == 2  # another filter state, another key
        publish("einwohner-geschlecht", sex_cells(scale=2), [STADTTEIL, GESCHLECHT])
        newer = services.render_widget(widget, {})
        assert build.call_count == 3
    assert newer["figure"]["data"][0]["y"][0] == 2 * first["figure"]["data"][0]["y"][0]
    assert newer["tables"][0]["version"] == 2


def test_a_new_publication_keeps_other_widgets_cached(dashboard, publish):
    kita = dashboard.widgets.get(title="Betreuungsverträge")
    services.render_widget(kita, {})
    publish("einwohner-geschlecht", sex_cells(scale=2), [STADTTEIL, GESCHLECHT])
    with mock.patch.object(figures, "build", wraps=figures.build) as build:
        services.render_widget(kita, {})
    assert build.call_count == 0


# --- Time: versions over reference dates, KPI ----------------------------------------------


def test_line_and_kpi_use_earlier_publications(make_dashboard, publish):
    for year, altstadt in ((2023, 90), (2024, 100), (2025, 110)):
        publish(
            "einwohner-st",
            stadtteil_cells({"01": altstadt, "02": 50, "03": None}),
            [STADTTEIL],
            reference_date=dt.date(year, 12, 31),
        )
    table = TableDefinition.objects.get(slug="einwohner-st")
    board = make_dashboard(
        "zeit",
        filters=["Stichtag", "Stadtteil"],
        widgets=[
            {"title": "Verlauf", "kind": "line", "table": table, "x_dimension": "Stichtag"},
            {"title": "Einwohner", "kind": "kpi", "table": table},
        ],
    )
    line, kpi = board.widgets.order_by("position")
    trace = services.render_widget(line, {"Stadtteil": "01"})["figure"]["data"][0]
    assert trace["x"] == ["2023-12-31", "2024-12-31", "2025-12-31"]
    assert trace["y"] == [90, 100, 110]
    # A Stichtag filter picks the KPI's date but leaves the time series whole.
    filtered = services.render_widget(line, {"Stichtag": "2024-12-31", "Stadtteil": "01"})
    assert filtered["figure"]["data"][0]["y"] == [90, 100, 110]
    assert "31.12.2023 bis 31.12.2025" in filtered["summary"]
    tile = services.render_widget(kpi, {})["kpi"]
    assert tile["value"] == "160" and tile["change"].startswith("+10 ")
    older = services.render_widget(kpi, {"Stichtag": "2024-12-31"})["kpi"]
    assert older["value"] == "150" and "31.12.2023" in older["change"]


# --- Builder -----------------------------------------------------------------------------


def test_statistics_office_builds_and_publishes_a_dashboard(
    client, statistician, sex_table, demo_areas
):
    client.force_login(statistician)
    response = client.post(
        "/dashboards/neu/",
        {"title": "Soziales", "slug": "soziales", "filters": "Stadtteil", "visibility": "all"},
    )
    assert response.status_code == 302
    board = Dashboard.objects.get(slug="soziales")
    assert board.filters == ["Stadtteil"] and board.status == Dashboard.Status.DRAFT
    form = {
        "title": "Einwohner",
        "kind": "stacked_bar",
        "table": sex_table.definition_id,
        "x_dimension": "Stadtteil",
        "series_dimension": "Geschlecht",
        "palette": "okabe-ito",
        "width": 2,
    }
    assert client.post("/dashboards/soziales/elemente/neu/", form).status_code == 302
    bad = client.post("/dashboards/soziales/elemente/neu/", {**form, "x_dimension": "Alter"})
    assert "ist kein Merkmal" in bad.content.decode()
    client.post("/dashboards/soziales/elemente/neu/", {**form, "title": "Zweites", "kind": "map"})
    second = board.widgets.get(title="Zweites")
    client.post(f"/dashboards/soziales/elemente/{second.pk}/verschieben/", {"direction": "up"})
    assert [w.title for w in board.widgets.order_by("position")] == ["Zweites", "Einwohner"]
    client.post("/dashboards/soziales/veroeffentlichen/", {"publish": "1"})
    board.refresh_from_db()
    assert board.status == Dashboard.Status.PUBLISHED
    assert client.get("/dashboards/soziales/").status_code == 200


def test_builder_is_404_for_staff(client, staff, dashboard):
    client.force_login(staff)
    assert client.get("/dashboards/neu/").status_code == 404
    assert client.get(f"/dashboards/{dashboard.slug}/bearbeiten/").status_code == 404
    assert client.post(f"/dashboards/{dashboard.slug}/veroeffentlichen/").status_code == 404


def test_builder_restricts_a_dashboard_to_groups(client, statistician, staff, dashboard):
    group = Group.objects.create(name="Jugendamt")
    client.force_login(statistician)
    client.post(
        f"/dashboards/{dashboard.slug}/bearbeiten/",
        {
            "title": dashboard.title,
            "slug": dashboard.slug,
            "filters": "Stadtteil",
            "visibility": "groups",
            "groups": [group.pk],
        },
    )
    client.force_login(staff)
    assert client.get(dashboard.get_absolute_url()).status_code == 404
    member = factories.staff_user(username="jugendamt-1")
    member.groups.add(group)
    client.force_login(member)
    assert client.get(dashboard.get_absolute_url()).status_code == 200
