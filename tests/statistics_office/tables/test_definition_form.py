"""The table definition form for people: fields and code lists of the source, no JSON; a
preview of cell counts and small cells (counts only, audited) before computing."""

import pytest
from django.urls import reverse

from departments import services as catalog
from statistics_office.models import AuditEntry
from statistics_office.tables import services
from statistics_office.tables.forms import DefinitionForm
from statistics_office.tables.models import TableDefinition

from .conftest import FIELD_TYPES, MARKER_AMOUNT
from .form_data import form_data

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]

SCHEMA = {
    "fields": [
        {"name": name, "type": kind, "title": name}
        | ({"constraints": {"enum": ["m", "w", "d"]}} if name == "Geschlecht" else {})
        for name, kind in FIELD_TYPES.items()
    ]
}


@pytest.fixture
def described(office, source):
    catalog.set_schema(source, SCHEMA)
    return source


def post(client, data, pk=None):
    url = (
        reverse("tables:definition-edit", args=[pk]) if pk else reverse("tables:definition-create")
    )
    return client.post(url, data)


def test_the_form_offers_the_sources_fields_and_code_lists(described, office, client):
    client.force_login(office[0])
    html = client.get(reverse("tables:definition-create")).content.decode()
    assert '<select name="dim0_field"' in html and '<option value="Geburtsdatum">' in html
    assert "Code-Listen der Felder" in html and "<code>d</code>" in html
    assert "textarea" not in html.split('name="dim0_field"')[1].split("</fieldset>")[0]


def test_dimensions_bands_and_filters_become_the_definition(described, office, client):
    client.force_login(office[0])
    data = form_data(
        title="Frauen und Diverse nach Stadtteil und Alter",
        sources=[described.pk],
        dimensions=[
            {"field": "Stadtteil", "label": "Stadtteil"},
            {
                "field": "Geburtsdatum",
                "kind": "age_band",
                "bands": "own",
                "own_bands": "0-14, 15-64, 65+",
            },
        ],
        filters=[
            {"field": "Geschlecht", "op": "in", "values": "w, d"},
            {"field": "Geburtsdatum", "op": "gt", "values": "31.12.1930"},
        ],
        min_frequency="5",
    )
    response = post(client, data)
    assert response.status_code == 302, response.context["form"].errors
    definition = TableDefinition.objects.get(title__startswith="Frauen und Diverse")
    assert definition.dimensions == [
        {"field": "Stadtteil", "kind": "code", "label": "Stadtteil"},
        {"field": "Geburtsdatum", "kind": "age_band", "bands": [[0, 14], [15, 64], [65, None]]},
    ]
    assert definition.filters == [
        {"field": "Geschlecht", "op": "in", "values": ["w", "d"]},
        {"field": "Geburtsdatum", "op": "gt", "value": "1930-12-31"},
    ]
    assert definition.parameters == {"min_frequency": 5}


def test_a_code_not_in_the_code_list_is_named(described, office, client):
    client.force_login(office[0])
    data = form_data(
        title="Falsch",
        sources=[described.pk],
        dimensions=[{"field": "Stadtteil"}],
        filters=[{"field": "Geschlecht", "op": "in", "values": "w, q"}],
    )
    form = post(client, data).context["form"]
    assert form.errors["flt0_values"] == ["Unbekannte Codes für „Geschlecht“: q."]


def test_bad_own_age_bands_say_how_to_write_them(described, office, client):
    client.force_login(office[0])
    data = form_data(
        title="Falsch",
        sources=[described.pk],
        dimensions=[
            {"field": "Geburtsdatum", "kind": "age_band", "bands": "own", "own_bands": "0 bis 14"}
        ],
    )
    errors = post(client, data).context["form"].errors["dim0_own_bands"]
    assert "0-14, 15-64, 65+" in errors[0]


def test_editing_fills_the_form_from_the_definition_never_with_null(described, office, client):
    definition = services.save_definition(
        user=office[0],
        sources=[described],
        title="Einwohner nach Alter",
        dimensions=[{"field": "Geburtsdatum", "kind": "age_band", "bands": [[0, 17], [18, None]]}],
        filters=[{"field": "Geschlecht", "op": "in", "values": ["w"]}],
    )
    client.force_login(office[0])
    response = client.get(reverse("tables:definition-edit", args=[definition.pk]))
    html = response.content.decode()
    assert "null" not in html.replace("is_null", "").replace("not_null", "")
    form = response.context["form"]
    assert form["dim0_own_bands"].value() == "0-17, 18+"
    assert form["flt0_values"].value() == "w"


def test_editing_keeps_a_field_named_per_source(described, office, client):
    definition = services.save_definition(
        user=office[0],
        sources=[described],
        title="Je Quelle",
        dimensions=[{"field": "Stadtteil", "fields": {described.slug: "Stadtteil"}}],
    )
    form = DefinitionForm(
        form_data(title="Je Quelle", sources=[described.pk], dimensions=[{"field": "Stadtteil"}]),
        user=office[0],
        definition=definition,
    )
    assert form.is_valid(), form.errors
    assert form.spec()["dimensions"][0]["fields"] == {described.slug: "Stadtteil"}


def test_preview_counts_cells_and_small_cells_only_and_is_audited(
    described, microdata, office, client
):
    client.force_login(office[0])
    data = form_data(
        title="Vorschau",
        sources=[described.pk],
        dimensions=[{"field": "Stadtteil"}, {"field": "Geschlecht"}],
        preview="1",
    )
    response = post(client, data)
    preview = response.context["preview"]
    # 4 Stadtteile and the total × m, w, d and the total; Stadtteil 04 has one "d"
    assert preview[0]["cells"] == 20 and preview[0]["small"] >= 1
    assert not TableDefinition.objects.filter(title="Vorschau").exists()
    html = response.content.decode()
    assert "20 Tabellenfelder" in html and str(MARKER_AMOUNT).replace(".", ",") not in html
    entry = AuditEntry.objects.filter(action="aggregation_run").latest("pk")
    assert entry.details["preview"] is True and entry.details["cells"] == 20
    assert entry.details["filter_fields"] == []


def test_preview_without_the_sealed_database_says_where_it_runs(
    described, office, client, settings
):
    settings.SEALED_DATABASE_AVAILABLE = False
    client.force_login(office[0])
    data = form_data(title="Vorschau", sources=[described.pk], dimensions=[{"field": "Stadtteil"}])
    response = post(client, {**data, "preview": "1"})
    assert "nur im Zugang der Statistikstelle" in response.content.decode()


def test_the_api_still_takes_json(described, office, client):
    client.force_login(office[0])
    response = client.post(
        "/api/v1/table-definitions/",
        {
            "title": "Per API",
            "sources": [described.slug],
            "dimensions": [{"field": "Stadtteil", "kind": "code"}],
        },
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content.decode()[:500]
