"""The dashboard page's body is cached whole: once per state, never across viewers' rights."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import figures, pages, services
from dashboards.models import Dashboard
from statistics_office.tables.models import PublishedTable
from tests.factories import GESCHLECHT, STADTTEIL, sex_cells

pytestmark = pytest.mark.django_db(databases=["default"])


def test_a_second_view_of_the_same_state_builds_nothing(client, staff, dashboard):
    client.force_login(staff)
    client.get(dashboard.get_absolute_url())
    with (
        mock.patch.object(services, "render_widget", wraps=services.render_widget) as render,
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(dashboard.get_absolute_url())
    assert response.status_code == 200
    assert "Betreuungsverträge" in response.content.decode()
    assert render.call_count == 0
    # Only the ids of the publications are read for the key, never their cells.
    assert not any('"cells"' in q["sql"] for q in queries.captured_queries)


def test_a_new_version_and_a_withdrawal_give_a_new_page(client, staff, dashboard, publish):
    client.force_login(staff)
    url = dashboard.get_absolute_url()
    first = client.get(url).content.decode()
    publish("einwohner-geschlecht", sex_cells(scale=2), [STADTTEIL, GESCHLECHT])
    with mock.patch.object(figures, "build", wraps=figures.build) as build:
        second = client.get(url).content.decode()
    assert build.call_count == 1  # only the widget whose table has a new version
    assert second != first
    PublishedTable.objects.filter(definition__slug="kita-stadtteil").update(
        withdrawn_at=timezone.now()
    )
    third = client.get(url).content.decode()
    assert "Für diese Auswahl liegt keine veröffentlichte Tabelle vor." in third


def test_each_filter_state_and_language_has_its_own_page(client, staff, dashboard):
    client.force_login(staff)
    url = dashboard.get_absolute_url()
    key = pages.page_key
    assert key(dashboard, {}) != key(dashboard, {"Geschlecht": "w"})
    german = client.get(url).content.decode()
    english = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    assert 'lang="de"' in german and 'lang="en"' in english


def test_the_cached_body_carries_nothing_of_the_url_beyond_the_filters(
    client, staff, dashboard, django_user_model
):
    client.force_login(staff)
    url = dashboard.get_absolute_url()
    client.get(url, {"Geschlecht": "w", "x": "<b>eingeschleust</b>"})
    other = django_user_model.objects.create_user("zweite", password="x")
    other.groups.set(staff.groups.all())
    client.force_login(other)
    page = client.get(url, {"Geschlecht": "w"}).content.decode()
    assert "eingeschleust" not in page
    assert "daten.csv?Geschlecht=w" in page


def test_a_restricted_dashboard_stays_404_after_someone_cached_it(
    client, staff, statistician, dashboard
):
    client.force_login(statistician)
    assert client.get(dashboard.get_absolute_url()).status_code == 200
    Dashboard.objects.filter(pk=dashboard.pk).update(visibility=Dashboard.Visibility.GROUPS)
    client.force_login(staff)
    assert client.get(dashboard.get_absolute_url()).status_code == 404


def test_figure_json_answers_304_to_its_etag(client, staff, dashboard, publish):
    client.force_login(staff)
    widget = dashboard.widgets.get(title__startswith="Einwohner")
    url = f"/api/v1/dashboards/{dashboard.slug}/widgets/{widget.pk}/figure/"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    assert client.get(url + "?Geschlecht=w").headers["ETag"] != etag
    publish("einwohner-geschlecht", sex_cells(scale=2), [STADTTEIL, GESCHLECHT])
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
