"""From definition to publication: only protected figures leave, four eyes, signs and legend."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from statistics_office import access
from statistics_office.models import AuditEntry
from statistics_office.tables import services
from statistics_office.tables.models import PublishedTable, TableComputation

from .conftest import MARKER_AMOUNT
from .form_data import form_data

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"]),
]

DIMENSIONS = [
    {"field": "Stadtteil", "kind": "code"},
    {"field": "Geburtsdatum", "kind": "age_band", "bands": "planning"},
    {"field": "Geschlecht", "kind": "code"},
]


def define(user, source, **fields):
    fields.setdefault("title", "Einwohner nach Stadtteil, Alter und Geschlecht")
    fields.setdefault("dimensions", DIMENSIONS)
    return services.save_definition(user=user, sources=[source], **fields)


def compute(definition, user, capture):
    with capture(execute=True):
        computation = services.request_computation(definition, user)
    computation.refresh_from_db()
    return computation


@pytest.fixture
def published(office, source, microdata, django_capture_on_commit_callbacks):
    first, second = office
    computation = compute(define(first, source), first, django_capture_on_commit_callbacks)
    services.review(computation, second, approve=True)
    return services.publish(computation, first)


def test_table_goes_from_definition_to_publication_with_four_eyes(
    office, source, microdata, staff, client, django_capture_on_commit_callbacks
):
    first, second = office
    computation = compute(define(first, source), first, django_capture_on_commit_callbacks)

    assert computation.status == TableComputation.Status.COMPUTED
    assert computation.audit_passed is True
    shown = [c for c in computation.cells if c["flag"] == ""]
    assert shown and all(c["value"] >= 3 for c in shown)
    secret = [c for c in computation.cells if c["flag"] == "secret"]
    assert secret and all(c["value"] is None for c in secret)
    assert {c["reason"] for c in secret} >= {"frequency", "secondary"}

    with pytest.raises(PermissionDenied):
        services.review(computation, first, approve=True)
    services.review(computation, second, approve=True, comment="plausibel")
    table = services.publish(computation, first)

    assert table.version == 1
    assert table.suppression_count == len(secret)
    assert all("reason" not in c for c in table.cells)
    client.force_login(staff)
    page = client.get(reverse("tables:published-detail", args=[table.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<td class="num flag-secret">.</td>' in html
    assert "Zeichenerklärung" in html and "Zellsperrung" in html
    listing = client.get(reverse("tables:published-list"))
    assert table.title in listing.content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"aggregation_run", "table_review", "publication"} <= actions


def test_suppressed_table_that_fails_the_audit_cannot_be_approved(
    office, source, microdata, django_capture_on_commit_callbacks
):
    first, second = office
    computation = compute(define(first, source), first, django_capture_on_commit_callbacks)
    TableComputation.objects.filter(pk=computation.pk).update(audit_passed=False)
    computation.refresh_from_db()
    with pytest.raises(services.TableError):
        services.review(computation, second, approve=True)


def test_unreviewed_computation_cannot_be_published(
    office, source, microdata, django_capture_on_commit_callbacks
):
    first, _second = office
    computation = compute(define(first, source), first, django_capture_on_commit_callbacks)
    with pytest.raises(services.TableError):
        services.publish(computation, first)


def test_stored_figures_never_contain_a_single_persons_amount(
    office, source, microdata, django_capture_on_commit_callbacks
):
    first, second = office
    definition = define(
        first,
        source,
        title="Zahlbeträge nach Stadtteil und Geschlecht",
        dimensions=[{"field": "Stadtteil"}, {"field": "Geschlecht"}],
        measure="sum",
        measure_field="Zahlbetrag (EUR)",
    )
    computation = compute(definition, first, django_capture_on_commit_callbacks)
    services.review(computation, second, approve=True)
    table = services.publish(computation, first)

    marker = f"{MARKER_AMOUNT}"
    stored = PublishedTable.objects.filter(pk=table.pk).values_list("cells", flat=True).get()
    assert marker not in json.dumps(stored)
    assert marker not in json.dumps(computation.cells)
    lone = next(c for c in stored if c["Stadtteil"] == "04" and c["Geschlecht"] == "d")
    assert lone == {"Stadtteil": "04", "Geschlecht": "d", "value": None, "flag": "secret"}


def test_exports_carry_signs_legend_and_source(published, staff, client):
    client.force_login(staff)
    response = client.get(reverse("tables:published-export", args=[published.pk, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    flat = [x for row in rows for x in row]
    assert rows[0] == [published.title]
    assert "." in flat and "–" in flat
    assert any(x.startswith("Zeichenerklärung") for x in flat)
    assert any(x.startswith("Quelle: Einwohnermeldewesen: Einwohnerbestand") for x in flat)

    response = client.get(reverse("tables:published-export", args=[published.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "." in values and any(isinstance(v, int) and v > 2 for v in values)
    assert any(str(v).startswith("Zeichenerklärung") for v in values)


def test_exports_neutralise_formulas(published):
    from statistics_office.tables import exports

    assert exports.neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports.neutralise("@x") == "'@x"
    assert exports.neutralise("–") == "–"
    PublishedTable.objects.filter(pk=published.pk).update(title="=1+1")
    published.refresh_from_db()
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(published))).active
    assert sheet["A1"].value == "'=1+1"


def test_secret_sign_is_configurable(published, staff, client, settings):
    settings.BIF_SECRET_SIGN = "•"
    client.force_login(staff)
    html = client.get(reverse("tables:published-detail", args=[published.pk])).content.decode()
    assert '<td class="num flag-secret">•</td>' in html


@pytest.mark.parametrize(
    "name", ["tables:definition-list", "tables:definition-create", "tables:definition-detail"]
)
def test_office_pages_are_404_for_everyone_else(name, office, source, staff, client):
    definition = define(office[0], source)
    args = [definition.pk] if name.endswith("detail") else []
    client.force_login(staff)
    assert client.get(reverse(name, args=args)).status_code == 404


def test_preview_is_404_for_staff_and_shows_only_protected_cells_to_the_office(
    office, source, microdata, staff, client, django_capture_on_commit_callbacks
):
    first, second = office
    computation = compute(define(first, source), first, django_capture_on_commit_callbacks)
    url = reverse("tables:computation-detail", args=[computation.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 404
    client.force_login(second)
    html = client.get(url).content.decode()
    assert "Freigeben" in html  # the second person may review
    assert '<td class="num">1</td>' not in html and '<td class="num">2</td>' not in html


def test_statistician_without_grant_cannot_define(statistician, source, grants):
    with pytest.raises(PermissionDenied):
        define(statistician, source)
    assert AuditEntry.objects.filter(action="access_denied").exists()


def test_defining_through_the_form(office, resident_source, client):
    client.force_login(office[0])
    source = resident_source
    response = client.post(
        reverse("tables:definition-create"),
        {
            "title": "Frauen nach Stadtteil",
            "sources": [source.pk],
            **form_data(
                dimensions=[{"field": "Stadtteil"}],
                filters=[{"field": "Geschlecht", "op": "in", "values": "w"}],
            ),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    definition = services.TableDefinition.objects.get(slug="frauen-nach-stadtteil")
    assert definition.filters[0]["values"] == ["w"]


def test_cell_key_table_gives_the_same_value_when_asked_twice(
    office, source, microdata, django_capture_on_commit_callbacks
):
    first, _ = office
    capture = django_capture_on_commit_callbacks
    detailed = define(first, source, method="cellkey")
    by_district = define(
        first, source, title="Einwohner nach Stadtteil", dimensions=[{"field": "Stadtteil"}]
    )
    once = compute(detailed, first, capture)
    twice = compute(detailed, first, capture)
    assert once.cells == twice.cells
    assert once.stats["method"] == "cellkey" and once.audit_passed is None
    assert all(c["value"] not in (1, 2) for c in once.cells)

    other = compute(by_district, first, capture)  # overlapping question, suppression
    assert other.status == TableComputation.Status.COMPUTED
    ckm_again = define(
        first,
        source,
        title="Einwohner nach Stadtteil (CKM)",
        dimensions=[{"field": "Stadtteil"}],
        method="cellkey",
    )
    overlap = compute(ckm_again, first, capture)
    totals = {
        c["Stadtteil"]: c["value"]
        for c in once.cells
        if c["Altersgruppe"] == "_T" and c["Geschlecht"] == "_T"
    }
    assert totals == {c["Stadtteil"]: c["value"] for c in overlap.cells}


def test_new_import_republishes_auto_publish_tables(
    office, source, microdata, django_capture_on_commit_callbacks
):
    first, second = office
    auto = define(first, source, auto_publish=True, method="cellkey")
    manual = define(first, source, title="Geprüfte Tabelle")
    with django_capture_on_commit_callbacks(execute=True):
        services.recompute_dependents(source.pk)
    assert auto.publications.count() == 1
    assert manual.publications.count() == 0
    assert manual.computations.get().status == TableComputation.Status.COMPUTED


def test_publish_table_command(office, source, microdata):
    first, second = office
    define(first, source, slug="ewo-bev")
    out = io.StringIO()
    call_command(
        "publish_table", "ewo-bev", user=first.username, reviewer=second.username, stdout=out
    )
    assert "Version 1 veröffentlicht" in out.getvalue()
    assert "Felder gesperrt" in out.getvalue()


def test_api_serves_published_tables_and_refuses_definitions_to_staff(published, staff, client):
    client.force_login(staff)
    listing = client.get(reverse("table-list")).json()
    assert listing["results"][0]["id"] == published.pk
    detail = client.get(reverse("table-detail", args=[published.pk])).json()
    assert detail["secret_sign"] == "." and detail["legend"]
    assert any(c["flag"] == "secret" and c["value"] is None for c in detail["cells"])
    csv_text = client.get(
        reverse("table-detail", args=[published.pk]) + "?format=csv"
    ).content.decode("utf-8-sig")
    assert "Zeichenerklärung" in csv_text
    post = client.post(
        reverse("table-definition-list"), {"title": "x"}, content_type="application/json"
    )
    assert post.status_code == 404


def test_api_defines_and_computes_for_statisticians(
    office, source, microdata, client, django_capture_on_commit_callbacks
):
    client.force_login(office[0])
    response = client.post(
        reverse("table-definition-list"),
        {"title": "API-Tabelle", "sources": [source.slug], "dimensions": [{"field": "Stadtteil"}]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("table-definition-compute", args=[response.json()["id"]]))
    assert started.status_code == 202
    result = client.get(reverse("table-computation-detail", args=[started.json()["id"]])).json()
    assert result["status"] == "computed"


def test_grants_are_checked_per_source(office, source, other_source, grant_to):
    with pytest.raises(services.PermissionDenied):
        services.save_definition(
            user=office[0], sources=[source, other_source], title="zwei", dimensions=DIMENSIONS
        )
    grant_to(office[0], other_source, access.DEFINE_TABLES)
    assert define(office[0], other_source, title="andere Quelle").pk


def test_withdrawn_publication_leaves_the_list_but_stays_on_record(
    published, office, staff, client
):
    services.withdraw(published, office[1])
    client.force_login(staff)
    assert client.get(reverse("tables:published-detail", args=[published.pk])).status_code == 404
    assert PublishedTable.objects.filter(pk=published.pk).exists()
    assert AuditEntry.objects.filter(action="publication_withdrawn").exists()


def test_published_table_is_immutable(published):
    published.title = "geändert"
    with pytest.raises(ValueError):
        published.save()
