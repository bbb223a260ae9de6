"""One visibility pattern: every list is filtered at the source with subqueries, so what a
restricted user's list costs does not grow with the number of objects (NetBox keeps such
baselines per app; paperless-ngx learnt it at 7,600 documents)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm

from dashboards import selectors as dashboard_selectors
from dashboards.models import Dashboard
from departments import selectors as catalog_selectors
from departments.models import ImportRun
from statistics_office import access
from statistics_office.tables import selectors as table_selectors
from statistics_office.tables.models import TableDefinition
from tests import factories

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])


def queries(evaluate):
    with CaptureQueriesContext(connection) as captured:
        result = evaluate()
    return len(captured), result


def test_definitions_are_filtered_by_grants_in_queries_that_do_not_grow(
    statistician, source, other_source
):
    factories.grant(statistician, source, access.DEFINE_TABLES)

    def define(n, on):
        for _ in range(n):
            number = TableDefinition.objects.count()
            factories.TableDefinitionFactory(
                title=f"Tabelle {on.slug} {number}", created_by=statistician, sources=[on]
            )

    define(3, source)
    define(2, other_source)

    def listed():
        return sorted(
            d.title for d in table_selectors.definitions_for(statistician, [access.DEFINE_TABLES])
        )

    few, titles = queries(listed)
    assert titles and all(source.slug in t for t in titles) and len(titles) == 3
    define(6, source)
    define(4, other_source)
    for i in range(3):  # more sources, too: a check per source would grow with them
        define(1, factories.DataSourceFactory(slug=f"weitere-{i}"))
    more, titles = queries(listed)
    assert len(titles) == 9
    assert more == few


def test_a_definition_with_one_source_out_of_reach_is_out(statistician, source, other_source):
    factories.grant(statistician, source, access.DEFINE_TABLES)
    factories.TableDefinitionFactory(created_by=statistician, sources=[source, other_source])
    mine = factories.TableDefinitionFactory(created_by=statistician, sources=[source])
    none = factories.TableDefinitionFactory(created_by=statistician)
    assert list(table_selectors.definitions_for(statistician)) == [mine]
    assert none.pk not in table_selectors.definitions_for(statistician).values_list("pk", flat=True)


def test_dashboard_list_of_a_restricted_user_costs_the_same_for_more_dashboards(
    client, statistician, staff
):
    group = Group.objects.create(name="Jugendhilfeplanung")

    def publish(n, *, for_group):
        for _ in range(n):
            number = Dashboard.objects.count()
            dashboard = Dashboard.objects.create(
                title=f"Dashboard {number}",
                slug=f"dashboard-{number}",
                owner=statistician,
                status=Dashboard.Status.PUBLISHED,
                visibility=Dashboard.Visibility.GROUPS if for_group else Dashboard.Visibility.ALL,
            )
            if for_group:
                assign_perm("dashboards.view_dashboard", group, dashboard)

    staff.groups.add(group)
    publish(2, for_group=True)
    publish(2, for_group=False)
    client.force_login(staff)
    client.get(reverse("dashboards:list"))
    few, response = queries(lambda: client.get(reverse("dashboards:list")))
    assert response.status_code == 200
    publish(5, for_group=True)
    publish(5, for_group=False)
    more, response = queries(lambda: client.get(reverse("dashboards:list")))
    assert response.status_code == 200
    assert more == few
    assert dashboard_selectors.dashboards_for(staff).count() == 14
    staff.groups.remove(group)
    assert dashboard_selectors.dashboards_for(staff).count() == 7


def test_upload_sources_and_import_runs_of_an_analyst_cost_the_same_for_more_objects(
    client, analyst, source, other_source
):
    def runs(n, on):
        factories.ImportRunFactory.create_batch(n, source=on, status=ImportRun.Status.FAILED)

    runs(2, source)
    runs(2, other_source)
    client.force_login(analyst)
    client.get(reverse("departments:run-list"))
    few, response = queries(lambda: client.get(reverse("departments:run-list")))
    assert response.status_code == 200
    few_sources, listed = queries(
        lambda: list(catalog_selectors.data_sources_for(analyst, "upload"))
    )
    assert listed == [source]
    runs(6, source)
    runs(6, other_source)
    for i in range(5):
        factories.DataSourceFactory(department=other_source.department, slug=f"fremd-{i}")
    more, response = queries(lambda: client.get(reverse("departments:run-list")))
    assert response.status_code == 200
    assert more == few
    more_sources, listed = queries(
        lambda: list(catalog_selectors.data_sources_for(analyst, "upload"))
    )
    assert listed == [source] and more_sources == few_sources
    assert catalog_selectors.import_runs_for(analyst).count() == 8
