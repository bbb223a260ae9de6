"""The office keeps a source's catalogue in a form: fields, classifications, filters,
exclusions and limits, checked, saved and audited; staff then build with it."""

import pytest
from django.urls import reverse

from bif import audit
from departments import services as departments
from statistics_office import access
from statistics_office.builder import services
from statistics_office.builder.models import BuilderQuery, Catalogue
from statistics_office.models import AuditEntry
from tests import factories

from .conftest import ITEMS

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]


@pytest.fixture
def with_schema(source):
    departments.set_schema(source, factories.RESIDENT_SCHEMA)
    return source


def form_data(**overrides):
    data = {
        "enabled": "on",
        "max_dimensions": "2",
        "max_cells": "500",
        "min_filter_population": "60",
        "max_sparse_share": "0.4",
        "ptable": "",
        "excluded": "stadtteil + geschlecht",
        "it0_key": "stadtteil",
        "it0_label": "Stadtteil",
        "it0_group": "gebiet",
        "it0_filter": "on",
        "it0_field": "Stadtteil",
        "it0_kind": "code",
        "it1_key": "geschlecht",
        "it1_label": "Geschlecht",
        "it1_field": "Geschlecht",
        "it1_kind": "code",
        "it2_key": "alter_kita",
        "it2_label": "Alter (Kita)",
        "it2_group": "alter",
        "it2_field": "Geburtsdatum",
        "it2_kind": "age_band",
        "it2_bands": "own",
        "it2_own_bands": "0-2, 3-5, 6+",
    }
    for i in range(3, 6):
        data[f"it{i}_kind"] = "code"
    data.update(overrides)
    return data


def test_the_office_creates_a_catalogue_in_the_form_and_staff_build_with_it(
    client,
    statistician,
    staff,
    with_schema,
    residents,
    grant_to,
    django_capture_on_commit_callbacks,
):
    grant_to(statistician, with_schema, access.DEFINE_TABLES)
    client.force_login(statistician)
    office = client.get(reverse("table_builder:office")).content.decode()
    url = reverse("table_builder:catalogue", args=[with_schema.pk])
    assert url in office and "noch kein Katalog" in office
    page = client.get(url)
    assert page.status_code == 200 and "Merkmal 6" in page.content.decode()

    response = client.post(url, form_data())

    assert response.status_code == 302
    catalogue = Catalogue.objects.get(source=with_schema)
    assert [item["key"] for item in catalogue.items] == ["stadtteil", "geschlecht", "alter_kita"]
    assert catalogue.items[0] == {
        "key": "stadtteil",
        "label": "Stadtteil",
        "group": "gebiet",
        "filter": True,
        "dimension": {"field": "Stadtteil", "kind": "code"},
    }
    assert catalogue.items[2]["dimension"] == {
        "field": "Geburtsdatum",
        "kind": "age_band",
        "bands": [[0, 2], [3, 5], [6, None]],
    }
    assert catalogue.excluded_combinations == [["stadtteil", "geschlecht"]]
    assert (catalogue.max_dimensions, catalogue.max_cells) == (2, 500)
    assert (catalogue.min_filter_population, catalogue.max_sparse_share) == (60, 0.4)
    entry = AuditEntry.objects.get(action=audit.Action.CATALOGUE_CHANGED)
    assert entry.user == statistician and entry.details["created"] is True
    assert entry.details["items"] == ["stadtteil", "geschlecht", "alter_kita"]

    with django_capture_on_commit_callbacks(execute=True):
        query = services.ask(staff, with_schema, {"rows": ["alter_kita"], "columns": []})
    query.refresh_from_db()
    assert query.status == BuilderQuery.Status.DONE
    name = query.dimensions[0]["name"]
    assert query.dimensions[0]["order"] == ["_T", "00-02", "03-05", "06+"]
    assert len({cell[name] for cell in query.cells}) == 4  # three bands and the total
    refused = services.ask(staff, with_schema, {"rows": ["stadtteil"], "columns": ["geschlecht"]})
    assert refused.status == BuilderQuery.Status.REFUSED
    assert "ausgeschlossen" in refused.message


def test_the_form_shows_the_catalogue_as_it_is_and_keeps_an_items_own_filter_list(
    client, statistician, with_schema, catalogue, grant_to
):
    grant_to(statistician, with_schema, access.DEFINE_TABLES)
    client.force_login(statistician)
    url = reverse("table_builder:catalogue", args=[with_schema.pk])
    form = client.get(url).context["form"]
    assert form["it0_key"].value() == "stadtteil" and form["it3_bands"].value() == "planning"
    assert form.rows == len(ITEMS) + 3
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}
    data["it1_label"] = "Geschlecht (amtlich)"

    assert client.post(url, data).status_code == 302

    catalogue.refresh_from_db()
    assert catalogue.items[1]["label"] == "Geschlecht (amtlich)"
    assert catalogue.items[0]["values"] == ITEMS[0]["values"]
    assert catalogue.items[3]["dimension"] == ITEMS[3]["dimension"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"it1_key": "stadtteil"}, "„stadtteil“ kommt mehrfach vor"),
        ({"excluded": "stadtteil + nationalitaet"}, "„nationalitaet“ ist kein Merkmal"),
        ({"it2_own_bands": "3-5, 6+"}, "beginnen bei 0"),
        ({"it1_label": ""}, "Bitte eine Bezeichnung angeben."),
    ],
)
def test_a_wrong_catalogue_is_refused_with_the_problem_named_and_nothing_saved(
    client, statistician, with_schema, grant_to, overrides, message
):
    grant_to(statistician, with_schema, access.DEFINE_TABLES)
    client.force_login(statistician)
    url = reverse("table_builder:catalogue", args=[with_schema.pk])

    response = client.post(url, form_data(**overrides))

    assert response.status_code == 200 and not Catalogue.objects.exists()
    assert response.context["form"].errors
    assert message in response.content.decode()


def test_a_field_the_source_does_not_have_is_refused(statistician, with_schema, grant_to):
    grant_to(statistician, with_schema, access.DEFINE_TABLES)
    item = {"key": "miete", "label": "Kaltmiete", "dimension": {"field": "Kaltmiete"}}
    with pytest.raises(ValueError, match="das Feld „Kaltmiete“ hat die Datenquelle nicht"):
        services.keep_catalogue(
            statistician, with_schema, items=[item], excluded_combinations=[], enabled=True
        )
    assert not Catalogue.objects.exists()


def test_only_the_office_with_a_grant_on_the_source_keeps_its_catalogue(
    client, statistician, staff, with_schema
):
    url = reverse("table_builder:catalogue", args=[with_schema.pk])
    client.force_login(statistician)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert not Catalogue.objects.exists()
