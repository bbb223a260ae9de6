"""A time series across an invented boundary change: Seeburg merged Quartier Q12 into Q11 on
1 January 2025. The 2023 figures are re-aggregated to today's boundaries, the table names
its Gebietsstand and the series says so in its footnote."""

import datetime as dt

import pytest

from bif.geography import services
from dashboards import figure_texts
from departments import services as catalog
from departments.models import ImportRun
from statistics_office.microdata import reports
from statistics_office.tables import exports
from statistics_office.tables import services as tables
from statistics_office.tables.models import TableComputation
from tests import factories

from . import invented_city as city

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SCHEMA = {
    "fields": [
        {"name": "Nr", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "Stichtag", "type": "date", "constraints": {"required": True}},
        {"name": "Quartier", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["Nr"],
}


def merged_package():
    """Today's Seeburg: Q11 now covers the old Q11 and Q12 (Gebietsstand 2025-01-01)."""
    units = []
    for level, code, name, parent, ring in city.units():
        if code == "Q12":
            continue
        if code == "Q11":
            ring = city.square(city.X0, city.Y0, 2 * city.SIDE, 2 * city.SIDE)
        if parent == "Q12":
            parent = "Q11"
        units.append((level, code, name, parent, ring))
    files = city.package(
        units_=units, changes="ebene;wirksam_ab;alt;neu;anteil\nquartier;2025-01-01;Q12;Q11;1\n"
    )
    text = (
        files["gebiete.csv"]
        .decode()
        .replace(
            "quartier;Q11;Quartier Q11;OB-1;2020-01-01", "quartier;Q11;Quartier Q11;OB-1;2025-01-01"
        )
    )
    files["gebiete.csv"] = text.encode()
    return files


def residents(stichtag, counts, start):
    lines, n = ["Nr;Stichtag;Quartier"], start
    for quartier, count in counts.items():
        for _ in range(count):
            n += 1
            lines.append(f"{n:06d};{stichtag};{quartier}")
    return ("\n".join(lines) + "\n").encode()


def test_a_series_across_a_boundary_change_is_re_aggregated_and_says_so():
    services.load_areas(merged_package())
    source = factories.DataSourceFactory(slug="melde", reference_date_field="Stichtag")
    catalog.set_schema(source, SCHEMA)
    first, second = factories.statistician(username="s1"), factories.statistician(username="s2")
    for user in (first, second):
        factories.grant(user, source, "view_microdata", "define_tables", "publish_tables")
    before = {"Q11": 20, "Q12": 15, "Q21": 30, "Q22": 25}
    after = {"Q11": 37, "Q21": 31, "Q22": 24}
    runs = []
    for stichtag, counts, start in (("31.12.2023", before, 0), ("31.12.2025", after, 500)):
        run = factories.upload(source, residents(stichtag, counts, start), name=f"{start}.csv")
        run.refresh_from_db()
        if run.status == ImportRun.Status.AWAITING_REVIEW:
            from statistics_office.intake import versions

            versions.activate(run.pk)
            run.refresh_from_db()
        assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)
        runs.append(run.pk)

    definition = tables.save_definition(
        user=first,
        sources=[source],
        title="Einwohner nach Quartier",
        slug="quartiere-zeitreihe",
        dimensions=[{"field": "Quartier", "kind": "code", "level": "quartier"}],
        measure="count",
        method="suppression",
        reference_runs=runs,
    )
    computation = tables.request_computation(definition, first)
    computation.refresh_from_db()
    assert computation.status == TableComputation.Status.COMPUTED, computation.message
    tables.review(computation, second, approve=True, comment="geprüft")
    computation.refresh_from_db()
    published = tables.publish(computation, second)

    cells = {(c["Stichtag"], c["Quartier"]): c["value"] for c in published.cells}
    assert cells[("2023-12-31", "Q11")] == 35  # old Q11 + Q12, on today's boundaries
    assert ("2023-12-31", "Q12") not in cells
    assert cells[("2025-12-31", "Q11")] == 37
    assert published.gebietsstand == dt.date(2025, 1, 1)
    assert published.area_note == (
        "Zeitreihe über eine Gebietsänderung (wirksam ab 01.01.2025): die Stichtage davor "
        "sind auf den Gebietsstand vom 01.01.2025 umgerechnet."
    )
    footer = exports.footer_lines(published)
    assert "Gebietsstand: 01.01.2025" in footer and published.area_note in footer
    meta = {"gebietsstand": "2025-01-01", "area_note": published.area_note, "version": 1}
    assert figure_texts._footer([meta])[1:] == ["Gebietsstand: 01.01.2025", published.area_note]
