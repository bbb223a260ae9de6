"""The catalog lists sources by department and stage; upload rights follow departments."""

import pytest
from django.urls import reverse

from departments import selectors
from departments.models import DataSource
from tests import factories

pytestmark = pytest.mark.django_db


def test_catalog_lists_sources_by_department_with_their_stage(client, staff, source, other_source):
    client.force_login(staff)
    body = client.get(reverse("departments:catalog")).content.decode()
    assert "Einwohnermeldewesen" in body and "Kindertagesbetreuung" in body
    assert "Einwohnerbestand" in body and "Kita-Verträge" in body
    assert "identifiziert" in body


def test_catalog_filters_by_stage(client, staff, source, other_source):
    DataSource.objects.filter(pk=source.pk).update(stage=DataSource.Stage.LIVE)
    client.force_login(staff)
    body = client.get(reverse("departments:catalog"), {"stufe": "live"}).content.decode()
    assert "Einwohnerbestand" in body
    assert "Kita-Verträge" not in body


def test_analysts_may_upload_only_for_their_own_departments(source, other_source, analyst):
    assert list(selectors.data_sources_for(analyst, "upload")) == [source]


def test_a_new_source_of_a_department_is_open_to_its_analysts(department, analyst):
    later = factories.DataSourceFactory(department=department, slug="spaeter")
    assert later in selectors.data_sources_for(analyst, "upload")


def test_staff_without_department_may_upload_nothing(source, staff, statistician):
    assert not selectors.data_sources_for(staff, "upload").exists()
    assert not selectors.data_sources_for(statistician, "upload").exists()


def test_administration_creates_a_source_through_the_page(client, administrator, department):
    client.force_login(administrator)
    response = client.post(
        reverse("departments:source-create"),
        {
            "name": "Gewerbemeldungen",
            "slug": "gewerbe",
            "department": department.pk,
            "kind": "microdata",
            "update_cycle": "monthly",
            "sensitivity": "confidential",
            "stage": "identified",
        },
    )
    assert response.status_code == 302
    created = DataSource.objects.get(slug="gewerbe")
    analyst = factories.analyst_of(department, username="neu")
    assert created in selectors.data_sources_for(analyst, "upload")


def test_catalog_list_query_count_does_not_grow_with_sources(
    client, staff, department, django_assert_max_num_queries
):
    for i in range(30):
        factories.DataSourceFactory(department=department, slug=f"q{i}")
    client.force_login(staff)
    with django_assert_max_num_queries(8):
        client.get(reverse("departments:catalog"))
