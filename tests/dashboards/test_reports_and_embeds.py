"""A dashboard as a printable report, and a widget's embed page: who may see it, and who
may frame it (BIF_EMBED_FRAME_ANCESTORS); every other page stays unframeable."""

import pytest
from django.test import Client

from tests.bif.test_security_headers import parse_csp

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(make_dashboard, kita_table):
    from django.contrib.auth.models import Group

    from dashboards.models import Dashboard

    return make_dashboard(
        "kita-intern",
        visibility=Dashboard.Visibility.GROUPS,
        groups=[Group.objects.create(name="Sozialplanung")],
        widgets=[{"title": "Verträge", "kind": "bar", "table": kita_table.definition}],
    )


def embed_url(dashboard, index=0):
    widget = dashboard.widgets.order_by("position", "pk")[index]
    return f"/dashboards/{dashboard.slug}/elemente/{widget.pk}/einbetten/"


def make_open(published):
    from dissemination.models import TableMetadata

    TableMetadata.objects.update_or_create(
        computation=published.computation, defaults={"is_open": True}
    )


def test_the_report_shows_every_chart_with_its_table_open_and_the_legend_of_signs(
    client, staff, dashboard
):
    client.force_login(staff)
    page = client.get(dashboard.get_absolute_url()).content.decode()
    assert f"/dashboards/{dashboard.slug}/bericht/" in page
    response = client.get(f"/dashboards/{dashboard.slug}/bericht/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<details class="chart-data" open>') == 2
    assert "Zeichenerklärung" in html and "geheim zu halten" in html
    assert "Quelle:" in html
    assert 'media="print"' in html and "bif/print.css" in html
    assert "data-print" in html


def test_the_report_of_a_restricted_dashboard_is_404_for_others(client, staff, restricted):
    client.force_login(staff)
    assert client.get(f"/dashboards/{restricted.slug}/bericht/").status_code == 404


def test_staff_see_the_embed_framed_only_by_the_configured_ancestors(
    client, staff, dashboard, settings
):
    settings.BIF_EMBED_FRAME_ANCESTORS = ["'self'", "https://intranet.flensburg.de"]
    client.force_login(staff)
    response = client.get(embed_url(dashboard))
    assert response.status_code == 200
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'self'", "https://intranet.flensburg.de"]
    assert csp["script-src"] == ["'self'"]  # the rest of the policy is unchanged
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert "data-figure" in html and 'target="_top"' in html
    assert "daten.csv" not in html  # no downloads inside a frame
    # The dashboard page itself may still be framed by nobody.
    page = client.get(dashboard.get_absolute_url())
    assert parse_csp(page["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    assert page["X-Frame-Options"] == "DENY"


def test_the_embed_defaults_to_frames_of_the_portal_itself(client, staff, dashboard):
    client.force_login(staff)
    response = client.get(embed_url(dashboard))
    assert parse_csp(response["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]


def test_without_login_a_closed_table_is_refused_without_saying_more(dashboard):
    anonymous = Client()
    response = anonymous.get(embed_url(dashboard))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Anmeldung" in html and "Einwohner" not in html and "data-figure" not in html
    # A widget that does not exist gets the same answer.
    missing = anonymous.get(f"/dashboards/{dashboard.slug}/elemente/999999/einbetten/")
    assert missing.status_code == 403 and missing.content == response.content


def test_without_login_a_widget_of_open_tables_is_shown(dashboard, kita_table):
    make_open(kita_table)
    anonymous = Client()
    response = anonymous.get(embed_url(dashboard, 1))  # Betreuungsverträge: open
    assert response.status_code == 200
    assert "data-figure" in response.content.decode()
    # The other widget's table is not open.
    assert anonymous.get(embed_url(dashboard, 0)).status_code == 403


def test_without_login_an_open_table_on_a_restricted_dashboard_is_still_shown_only_if_published(
    make_dashboard, kita_table
):
    from dashboards.models import Dashboard

    make_open(kita_table)
    draft = make_dashboard(
        "entwurf",
        widgets=[{"title": "Kita", "kind": "bar", "table": kita_table.definition}],
    )
    Dashboard.objects.filter(pk=draft.pk).update(status=Dashboard.Status.DRAFT)
    assert Client().get(embed_url(draft)).status_code == 403


def test_staff_cannot_embed_a_dashboard_they_may_not_see(client, staff, restricted):
    client.force_login(staff)
    assert client.get(embed_url(restricted)).status_code == 404
