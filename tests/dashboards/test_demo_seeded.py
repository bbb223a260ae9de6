"""The demo dashboards over the real demo seed: every widget draws something."""

import io

import plotly.graph_objects as go
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dashboards import services
from dashboards.demo import create_demo_dashboards
from indicators.selectors import definitions_for_tables

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]


def test_demo_dashboards_draw_every_widget_from_the_seeded_tables(settings, tmp_path, client):
    settings.VAR_DIR = tmp_path
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    call_command("seed_demo", "--residents", "3000", "--years", "2024,2025", stdout=io.StringIO())
    owner = get_user_model().objects.get(username="statistik")
    boards = create_demo_dashboards(owner)
    client.force_login(get_user_model().objects.get(username="mitarbeiter"))
    for board in boards:
        assert client.get(board.get_absolute_url()).status_code == 200
        for widget, result in services.render_dashboard(board, {}):
            assert not result["empty"], (board.slug, widget.title)
            # Every figure shows the definition of its indicator (issue 19).
            assert definitions_for_tables(widget.table_id, widget.compare_table_id), (
                board.slug,
                widget.title,
            )
            if result["figure"]:
                go.Figure(result["figure"])  # valid for plotly
    # The demo city keeps its Stadtteil maps and gains a map of its 41 statistical districts,
    # both drawn from the Gebietsstand seed_demo loaded as data.
    profil = next(b for b in boards if b.slug == "stadtteil-profil")
    drawn = {w.title: r for w, r in services.render_dashboard(profil, {}) if w.kind == "map"}

    def units(title):
        traces = drawn[title]["figure"]["data"]
        return sum(len(t["locations"]) for t in traces if t["type"] == "choropleth")

    assert units("Einwohner je Stadtteil (Karte)") == 13
    assert units("Einwohner je statistischem Bezirk (Karte)") == 41
    assert drawn["Einwohner je statistischem Bezirk (Karte)"]["legend"]
    geojson = client.get("/dashboards/gebiete/stadtbezirk.geojson").json()
    assert len(geojson["features"]) == 41
