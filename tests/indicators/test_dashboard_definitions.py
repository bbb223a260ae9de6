"""Every dashboard figure shows the definitions of its indicators, on the page and in its
downloads; a changed definition shows at once (the page cache is keyed by the catalogue)."""

import pytest
from django.urls import reverse

from indicators import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard(sgb2_rate, make_dashboard):
    return make_dashboard(
        "sozial",
        widgets=[
            {
                "title": "Leistungsfälle je Stadtteil",
                "kind": "bar",
                "table": sgb2_rate.numerator,
                "compare_table": sgb2_rate.denominator,
                "x_dimension": "Stadtteil",
            }
        ],
    )


def test_the_widget_shows_its_indicator_definition(dashboard, staff, client):
    client.force_login(staff)
    html = client.get(dashboard.get_absolute_url()).content.decode()
    assert 'class="indicator-definition"' in html
    assert "Definition: SGB-II-Dichte" in html
    assert "Leistungsfälle SGB II / Einwohner 15–64 × 1.000" in html


def test_the_csv_and_xlsx_downloads_carry_the_definition(dashboard, staff, client):
    import io

    import openpyxl

    widget = dashboard.widgets.get()
    client.force_login(staff)
    url = reverse("dashboards:widget-export", args=[dashboard.slug, widget.pk, "csv"])
    text = client.get(url).content.decode("utf-8-sig")
    assert "Indikator: SGB-II-Dichte (je 1.000)" in text
    assert "Berechnung: Leistungsfälle SGB II / Einwohner 15–64 × 1.000" in text
    url = reverse("dashboards:widget-export", args=[dashboard.slug, widget.pk, "xlsx"])
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).content)).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "Rechtsgrundlage: § 51b SGB II" in values


def test_a_changed_definition_is_shown_at_once(dashboard, sgb2_rate, statistician, staff, client):
    client.force_login(staff)
    client.get(dashboard.get_absolute_url())  # cached now
    services.save_indicator(
        user=statistician, indicator=sgb2_rate, definition="Neu gefasste Definition."
    )
    assert "Neu gefasste Definition." in client.get(dashboard.get_absolute_url()).content.decode()


def test_a_draft_indicator_is_not_shown_beside_figures(
    dashboard, sgb2_rate, statistician, staff, client
):
    services.save_indicator(user=statistician, indicator=sgb2_rate, status="draft")
    client.force_login(staff)
    assert "SGB-II-Dichte" not in client.get(dashboard.get_absolute_url()).content.decode()


def test_the_figure_data_carry_the_city_as_reference(dashboard, staff, client):
    widget = dashboard.widgets.get()
    client.force_login(staff)
    data = client.get(f"/api/v1/dashboards/{dashboard.slug}/widgets/{widget.pk}/figure/").json()
    assert data["reference"]["value"] == 600 and data["reference"]["text"] == "600"
    assert data["reference"]["indicator"]["text"] == "60,0"  # the rate on both tables
