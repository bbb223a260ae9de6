"""Aggregate sources to publication: a table on an origin's table keeps the origin's signs
and source note, and the office's rules run on its counts unless the origin protected them."""

from pathlib import Path

import pytest
from django.urls import reverse

from departments import onboarding, uploads
from departments.models import DataSource, ImportRun
from statistics_office import access
from statistics_office.tables import services
from statistics_office.tables.models import TableComputation

from .form_data import form_data

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]

HERE = Path(__file__).parent
CORPUS = HERE.parents[1] / "departments" / "importing" / "corpus"
GENESIS = CORPUS / "genesis_12411-0013_laender_cp1252_crlf.csv"
SMALL = HERE / "files/stadtteilprofil_kleine_zahlen.csv"
NOTE = "© Statistisches Bundesamt (Destatis), 2024, dl-de/by-2-0"


def imported(path, department, slug, capture, **fields):
    schema = onboarding.describe_file(path)["schema"]
    source = onboarding.create_source(
        slug=slug, department=department, kind="aggregate", schema=schema
    )
    DataSource.objects.filter(pk=source.pk).update(**fields)
    source.refresh_from_db()
    with capture(execute=True):
        run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED
    return source


@pytest.fixture
def laender(department, django_capture_on_commit_callbacks, clean_sealed_tables):
    return imported(
        GENESIS,
        department,
        "genesis-12411-0013",
        django_capture_on_commit_callbacks,
        source_note=NOTE,
        origin_protection="Geheimhaltung durch Destatis (Zeichen . und x).",
    )


@pytest.fixture
def small(department, django_capture_on_commit_callbacks, clean_sealed_tables):
    return imported(SMALL, department, "alleinerziehende", django_capture_on_commit_callbacks)


def define_and_compute(user, source, capture, **fields):
    definition = services.save_definition(
        user=user,
        sources=[source],
        title=fields.pop("title", "Tabelle aus einer aggregierten Quelle"),
        measure="sum",
        method="suppression",
        **fields,
    )
    with capture(execute=True):
        computation = services.request_computation(definition, user)
    computation.refresh_from_db()
    assert computation.status == TableComputation.Status.COMPUTED, computation.message
    return computation


def cell(cells, **codes):
    (found,) = [c for c in cells if all(c[k] == v for k, v in codes.items())]
    return found


def test_the_origins_secret_and_blocked_cells_are_published_with_their_signs(
    laender, statistician, second_statistician, grant_to, django_capture_on_commit_callbacks
):
    for user in (statistician, second_statistician):
        grant_to(user, laender, access.DEFINE_TABLES, access.PUBLISH_TABLES)
    computation = define_and_compute(
        statistician,
        laender,
        django_capture_on_commit_callbacks,
        dimensions=[{"field": "name", "kind": "code"}],
        measure_field="stichtag_31_12_2022_maennlich",
    )
    cells = computation.cells
    bremen = cell(cells, name="Bremen")
    assert (bremen["value"], bremen["origin_status"], bremen["flag"]) == (None, ".", "origin")
    assert cell(cells, name="Bayern")["value"] == 6624009
    assert cell(cells, name="Bayern")["origin_status"] == ""
    # The sum over the Länder contains a secret cell: it is not computable, and says so.
    total = cell(cells, name="_T")
    assert total["value"] is None and total["origin_status"] == "."
    services.review(computation, second_statistician, approve=True)
    table = services.publish(computation, statistician)
    assert NOTE in table.sources_label
    blocked = define_and_compute(
        statistician,
        laender,
        django_capture_on_commit_callbacks,
        title="Frauen 2022",
        dimensions=[{"field": "name", "kind": "code"}],
        measure_field="stichtag_31_12_2022_weiblich",
    )
    assert cell(blocked.cells, name="Thüringen")["origin_status"] == "x"
    assert cell(blocked.cells, name="_T")["origin_status"] == "x"


def test_small_counts_of_an_unprotected_origin_are_flagged_by_the_office_rules(
    small, statistician, grant_to, django_capture_on_commit_callbacks
):
    grant_to(statistician, small, access.DEFINE_TABLES)
    computation = define_and_compute(
        statistician,
        small,
        django_capture_on_commit_callbacks,
        dimensions=[{"field": "stadtteil"}, {"field": "geschlecht"}],
        measure_field="alleinerziehende",
        parameters={"min_frequency": 5},
    )
    cells = computation.cells
    for sex in ("weiblich", "männlich"):
        altstadt = cell(cells, stadtteil="Altstadt", geschlecht=sex)
        assert altstadt["value"] is None and altstadt["flag"] == "secret"
        assert altstadt["reason"] == "frequency"
    # Their totals would give them away: the suppression pattern protects them.
    assert {c["reason"] for c in cells if c["flag"] == "secret"} == {"frequency", "secondary"}
    shown = [c["value"] for c in cells if c["value"] is not None]
    assert shown and all(v >= 5 or v == 0 for v in shown)
    nordstadt = cell(cells, stadtteil="Nordstadt", geschlecht="weiblich")
    assert nordstadt["origin_status"] == "." and nordstadt["value"] is None
    tarup = cell(cells, stadtteil="Tarup", geschlecht="_T")
    assert tarup["origin_status"] == "-" and tarup["flag"] == "zero"  # shown as "–"


def test_the_origins_protection_recorded_on_the_source_publishes_its_counts_as_they_are(
    small, statistician, grant_to, django_capture_on_commit_callbacks
):
    DataSource.objects.filter(pk=small.pk).update(
        origin_protection="Das Landesamt hat die Tabelle vor der Lieferung geheim gehalten."
    )
    small.refresh_from_db()
    grant_to(statistician, small, access.DEFINE_TABLES)
    computation = define_and_compute(
        statistician,
        small,
        django_capture_on_commit_callbacks,
        dimensions=[{"field": "stadtteil"}, {"field": "geschlecht"}],
        measure_field="alleinerziehende",
        parameters={"min_frequency": 5},
    )
    assert cell(computation.cells, stadtteil="Altstadt", geschlecht="weiblich")["value"] == 3


def test_the_table_form_lists_aggregate_sources(laender, statistician, grant_to, client):
    grant_to(statistician, laender, access.DEFINE_TABLES)
    client.force_login(statistician)
    response = client.post(
        reverse("tables:definition-create"),
        {
            "title": "Männer 2022 nach Ländern",
            "sources": [laender.pk],
            **form_data(
                dimensions=[{"field": "name"}],
                measure="sum",
                measure_field="stichtag_31_12_2022_maennlich",
            ),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert "keine gültige Auswahl" not in response.content.decode()


def test_the_origins_signs_travel_to_page_export_api_and_dashboard_with_their_legend(
    laender,
    statistician,
    second_statistician,
    staff,
    grant_to,
    client,
    django_capture_on_commit_callbacks,
):
    from dashboards import cells as dashboard_cells

    for user in (statistician, second_statistician):
        grant_to(user, laender, access.DEFINE_TABLES, access.PUBLISH_TABLES)
    computation = define_and_compute(
        statistician,
        laender,
        django_capture_on_commit_callbacks,
        title="Frauen 2022 nach Ländern",
        dimensions=[{"field": "name", "kind": "code"}],
        measure_field="stichtag_31_12_2022_weiblich",
    )
    services.review(computation, second_statistician, approve=True)
    table = services.publish(computation, statistician)
    client.force_login(staff)
    html = client.get(reverse("tables:published-detail", args=[table.pk])).content.decode()
    assert '<td class="num flag-origin">x</td>' in html
    assert "x = Tabellenfach gesperrt" in html and NOTE in html
    assert "Geheimhaltung durch die Herkunftsquelle: Geheimhaltung durch Destatis" in html
    csv_text = client.get(
        reverse("tables:published-export", args=[table.pk, "csv"])
    ).content.decode("utf-8-sig")
    assert ";x" in csv_text and "Tabellenfach gesperrt" in csv_text and NOTE in csv_text
    detail = client.get(reverse("table-detail", args=[table.pk])).json()
    thueringen = next(c for c in detail["cells"] if c["name"] == "Thüringen")
    assert thueringen["value"] is None and thueringen["origin_status"] == "x"
    assert any("Tabellenfach gesperrt" in line for line in detail["legend"])
    assert NOTE in detail["sources_label"]
    # A dashboard draws no bar for it (not 0) and writes the origin's sign.
    assert dashboard_cells.plotted(thueringen) is None
    assert dashboard_cells.shown(thueringen, {"measure": "sum"}) == "x"


def test_a_table_from_an_aggregate_source_feeds_a_dashboard_with_signs_and_source_note(
    laender,
    statistician,
    second_statistician,
    staff,
    grant_to,
    client,
    django_capture_on_commit_callbacks,
):
    from dashboards import services as dashboards

    for user in (statistician, second_statistician):
        grant_to(user, laender, access.DEFINE_TABLES, access.PUBLISH_TABLES)
    computation = define_and_compute(
        statistician,
        laender,
        django_capture_on_commit_callbacks,
        title="Frauen 2022 nach Ländern",
        dimensions=[{"field": "name", "kind": "code", "label": "Land"}],
        measure_field="stichtag_31_12_2022_weiblich",
    )
    services.review(computation, second_statistician, approve=True)
    table = services.publish(computation, statistician)
    board = dashboards.create_dashboard(statistician, title="Länder", slug="laender", filters=[])
    dashboards.add_widget(
        board,
        statistician,
        title="Frauen 2022",
        kind="bar",
        table=table.definition,
        x_dimension="Land",
    )
    dashboards.publish_dashboard(board, statistician)
    client.force_login(staff)
    html = client.get(board.get_absolute_url()).content.decode()
    assert '<th scope="row">Thüringen</th><td class="num flag-origin">x</td>' in html
    assert NOTE in html
