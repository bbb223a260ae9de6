"""A second, invented city set up purely from data files: Seeburg, with Ortsbezirke →
Quartiere → Baublöcke (codes "OB-1", "Q11", "1101"), its own sex codes 1/2/3 and its own
age bands. Its residents come with UTM coordinates; the intake assigns them to blocks and
districts and deletes the coordinates; a table is defined and published; its map is drawn
at two levels. No code path names Flensburg, and nothing here loads the demo city."""

import datetime as dt

import numpy as np
import pytest
from django.db import connections

from bif.geography import classifications, selectors, services
from dashboards import services as dashboards
from departments import services as catalog
from departments.models import ImportRun
from statistics_office.microdata import reports, store
from statistics_office.tables import services as tables
from statistics_office.tables.models import PublishedTable, TableComputation
from tests import factories

from . import invented_city as city

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

HEADER = "klassifikation;name;version;gueltig_ab;code;bezeichnung;reihenfolge;uebergeordnet;von;bis"
CLASSIFICATIONS = f"""{HEADER}
geschlecht-seeburg;Geschlecht (Seeburg);1;2015-01-01;2;weiblich;1;;;
geschlecht-seeburg;Geschlecht (Seeburg);1;2015-01-01;1;männlich;2;;;
geschlecht-seeburg;Geschlecht (Seeburg);1;2015-01-01;3;divers;3;;;
alter-seeburg;Lebensphasen;1;2015-01-01;K;Kinder (0–14);1;;0;14
alter-seeburg;Lebensphasen;1;2015-01-01;E;Erwerbsalter (15–64);2;;15;64
alter-seeburg;Lebensphasen;1;2015-01-01;S;Senioren (65+);3;;65;
"""

SCHEMA = {
    "fields": [
        {"name": "Nr", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "Geburtsdatum", "type": "date", "constraints": {"required": True}},
        {"name": "Geschlecht", "type": "string", "codelist": "geschlecht-seeburg"},
        {"name": "Rechtswert", "type": "number", "role": "auxiliary"},
        {"name": "Hochwert", "type": "number", "role": "auxiliary"},
    ],
    "primaryKey": ["Nr"],
    "areaAssignment": {
        "x": "Rechtswert",
        "y": "Hochwert",
        "crs": "EPSG:25832",
        "levels": {"Baublock": "baublock", "Ortsbezirk": "ortsbezirk"},
    },
}


def residents_file():
    """40 residents per block at random points inside it, and one outside the city."""
    rng = np.random.default_rng(5)
    lines = ["Nr;Geburtsdatum;Geschlecht;Rechtswert;Hochwert"]
    blocks = [u for u in city.units() if u[0] == "baublock"]
    n = 0
    for _level, _code, _name, _parent, ring in blocks:
        (x0, y0), (x1, y1) = ring[0][0], ring[0][2]
        for _ in range(40):
            n += 1
            born = dt.date(1940, 1, 1) + dt.timedelta(days=int(rng.integers(0, 30_000)))
            x, y = rng.uniform(x0 + 1, x1 - 1), rng.uniform(y0 + 1, y1 - 1)
            sex = "123"[n % 3 if n % 10 else 0]
            east, north = f"{x:.1f}".replace(".", ","), f"{y:.1f}".replace(".", ",")
            lines.append(f"{n:05d};{born:%d.%m.%Y};{sex};{east};{north}")
    lines.append(f"{n + 1:05d};01.01.1990;2;400000,0;6000000,0")  # 100 km west: no block
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def seeburg(db):
    services.load_areas(city.package())
    classifications.load(CLASSIFICATIONS.encode())


def publish(first, second, source, **fields):
    definition = tables.save_definition(
        user=first, sources=[source], measure="count", method="suppression", **fields
    )
    computation = tables.request_computation(definition, first)
    computation.refresh_from_db()
    assert computation.status == TableComputation.Status.COMPUTED, computation.message
    tables.review(computation, second, approve=True, comment="geprüft")
    computation.refresh_from_db()
    return tables.publish(computation, second)


def test_an_invented_city_imports_assigns_publishes_and_maps_from_data_alone(seeburg):
    department = factories.DepartmentFactory(name="Bürgeramt Seeburg", code="bue")
    source = factories.DataSourceFactory(name="Melderegister", slug="melde", department=department)
    catalog.set_schema(source, SCHEMA)
    first, second = factories.statistician(username="s1"), factories.statistician(username="s2")
    for user in (first, second):
        factories.grant(user, source, "view_microdata", "define_tables", "publish_tables")

    run = factories.upload(source, residents_file())
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)
    found = {f["rule"]: f for f in reports.findings_of(run.pk)}
    # the resident outside the city is a finding with its row number (line 322 of the file)
    assert found["area_unassigned"]["rows"] == [322]
    assert found["coordinates_deleted"]["params"]["fields"] == "Rechtswert, Hochwert"
    version = store.current_version(source.pk)
    assert "rechtswert" not in str(version.columns).lower()
    with connections["sealed"].cursor() as cursor:
        cursor.execute(
            f"SELECT {version.columns['Baublock']}, {version.columns['Ortsbezirk']}, COUNT(*) "
            f"FROM {version.table_name} GROUP BY 1, 2"
        )
        groups = sorted(cursor.fetchall(), key=lambda g: (g[0] is None, g[0] or ""))
    assert groups[0] == ("1101", "OB-1", 40) and groups[-2] == ("2202", "OB-2", 40)
    assert groups[-1][:2] == (None, None)

    by_block = publish(
        first,
        second,
        source,
        title="Einwohner nach Baublock und Geschlecht",
        slug="einwohner-block",
        dimensions=[
            {"field": "Baublock", "kind": "hierarchy", "hierarchy": "baublock->ortsbezirk"},
            {"field": "Geschlecht", "kind": "code", "codelist": "geschlecht-seeburg"},
        ],
    )
    layout = {d["name"]: d for d in by_block.dimensions}
    assert layout["Baublock"]["labels"]["1101"] == "Block 1101"
    assert layout["Baublock"]["labels"]["OB-2"] == "Ortsbezirk Ost"
    # the classification's labels and its order (weiblich first), not sorted codes
    assert layout["Geschlecht"]["labels"]["1"] == "männlich"
    assert layout["Geschlecht"]["order"][1:] == ["2", "1", "3"]
    by_age = publish(
        first,
        second,
        source,
        title="Einwohner nach Lebensphase",
        slug="einwohner-lebensphase",
        dimensions=[
            {"field": "Ortsbezirk", "kind": "code", "level": "ortsbezirk"},
            {"field": "Geburtsdatum", "kind": "age_band", "bands": "alter-seeburg"},
        ],
    )
    ages = next(d for d in by_age.dimensions if d["name"] == "Altersgruppe")
    assert ages["labels"]["K"] == "Kinder (0–14)"
    assert PublishedTable.objects.count() == 2
    assert by_block.gebietsstand == dt.date(2020, 1, 1)

    owner = first
    board = dashboards.create_dashboard(owner, title="Seeburg", slug="seeburg")
    for title, level in (("Blöcke", "baublock"), ("Ortsbezirke", "ortsbezirk")):
        dashboards.add_widget(
            board,
            owner,
            title=title,
            kind="map",
            table=by_block.definition,
            x_dimension="Baublock",
            map_level=level,
            map_method="equal",
            map_classes=3,
        )
    drawn = {w.title: r for w, r in dashboards.render_dashboard(board, {})}
    for title, level, count in (("Blöcke", "baublock", 8), ("Ortsbezirke", "ortsbezirk", 2)):
        traces = drawn[title]["figure"]["data"]
        choropleths = [t for t in traces if t["type"] == "choropleth"]
        assert sum(len(t["locations"]) for t in choropleths) == count
        assert choropleths[0]["geojson"] == f"/dashboards/gebiete/{level}.geojson"
        assert drawn[title]["legend"]
    assert selectors.gebietsstand(["baublock"]) == dt.date(2020, 1, 1)


def test_the_citys_own_sex_codes_are_the_enum_at_intake(seeburg):
    source = factories.DataSourceFactory(slug="melde2")
    catalog.set_schema(source, SCHEMA)
    data = b"Nr;Geburtsdatum;Geschlecht;Rechtswert;Hochwert\n1;01.01.1990;w;500100;6000100\n"
    run = factories.upload(source, data)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    enum = next(f for f in reports.findings_of(run.pk) if f["rule"] == "enum")
    assert enum["column"] == "Geschlecht" and enum["rows"] == [2]
