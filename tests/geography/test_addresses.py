"""Addresses to area units through the city's address register: the pure matching
(street spellings, suffixes, ranges), loading the register with findings, and the sealed
intake assigning Seeburg's residents by address and deleting the address fields."""

import pytest
from django.db import connections

from bif.geography import addresses, services
from bif.geography.models import Address
from departments import services as catalog
from departments.models import ImportRun
from statistics_office.intake import versions
from statistics_office.microdata import reports, store
from tests import factories

from . import invented_city as city

REGISTER = """strasse;strassenschluessel;hausnummer;zusatz;hausnummer_bis;baublock;x;y
Seestraße;0100;1;;19;1101;;
Seestraße;0100;2;;20;1102;;
Mühlenweg;0200;12;;;2101;;
Mühlenweg;0200;12;a;;2102;;
Am Hafen;0300;3;a;;;501500,0;6001500,0
"""


@pytest.mark.parametrize(
    "written",
    ["Hauptstraße", "Hauptstr.", "HAUPTSTRASSE", "Haupt-Str.", "haupt str", " Hauptstrasse "],
)
def test_street_spellings_are_one_street(written):
    assert addresses.street_key(written) == "hauptstrasse"


def test_umlauts_and_sharp_s_are_spelt_out_and_accents_dropped():
    assert addresses.street_key("Große Straße") == addresses.street_key("Grosse Str.")
    assert addresses.street_key("Mühlenweg") == addresses.street_key("Muehlenweg")
    assert addresses.street_key("Rue René") == "ruerene"
    assert addresses.street_key("Strandweg") == "strandweg"  # "Str" only as a word


def test_house_numbers_with_suffixes_and_ranges_are_read():
    numbers, suffixes = addresses.house_numbers(
        ["12", "12a", "12 A", "12-b", "12/1", "12-14", "", "x"], ["", "", "", "", "", "", "", ""]
    )
    assert numbers.tolist() == [12, 12, 12, 12, 12, 12, -1, -1]
    assert suffixes.tolist() == ["", "a", "a", "b", "1", "", "", ""]
    numbers, suffixes = addresses.house_numbers(["7", "7c"], ["B", ""])
    assert suffixes.tolist() == ["b", "c"]


def test_the_register_matches_exact_suffix_then_number_then_a_range_of_the_same_side():
    register = addresses.Register(
        ["Seestr.", "Seestr.", "Mühlenweg", "Mühlenweg"],
        ["1", "2", "12", "12"],
        ["", "", "", "a"],
        ["19", "20", "", ""],
    )
    found = register.match(
        ["SEESTRASSE", "See-Straße", "Seestr", "Muehlenweg", "Mühlenweg", "Mühlenweg", "Nix"],
        ["7", "8", "21", "12 A", "12b", "12", "1"],
    )
    assert found.tolist() == [0, 1, -1, 3, 2, 2, -1]


def test_a_range_with_ends_of_different_parity_holds_every_number():
    register = addresses.Register(["Ring"], ["1"], None, ["10"])
    assert register.match(["Ring"] * 3, ["4", "5", "11"]).tolist() == [0, 0, -1]


@pytest.fixture
def seeburg(db):
    services.load_areas(city.package())


def test_the_register_is_loaded_through_the_area_page_and_points_become_lon_lat(seeburg):
    counts = services.load_areas({"adressen.csv": REGISTER.encode()})
    assert counts["addresses"] == 5
    harbour = Address.objects.get(street="Am Hafen")
    assert harbour.codes == {} and 9.0 < harbour.lon < 9.1 and 54.1 < harbour.lat < 54.2
    assert Address.objects.get(street="Seestraße", number="1").codes == {"baublock": "1101"}


def test_a_broken_register_is_rejected_whole_with_row_numbers(seeburg):
    broken = REGISTER + (
        "Seestraße;0100;1;;19;1101;;\nTeichweg;;x;;;1101;;\nWeg;;4;;;9999;;\nOhne;;5;;;;;\n"
    )
    with pytest.raises(services.AreaFilesRejected) as rejected:
        services.load_areas({"adressen.csv": broken.encode()})
    assert rejected.value.problems == [
        "adressen.csv, Zeile 8, Spalte „hausnummer“: „x“ ist keine Hausnummer.",
        "adressen.csv, Zeile 9, Spalte „baublock“: das Gebiet „9999“ gibt es auf dieser "
        "Ebene nicht; bitte zuerst den Gebietsstand laden.",
        "adressen.csv, Zeile 10: die Adresse hat weder einen Gebietscode noch Koordinaten (x, y).",
        "adressen.csv, Zeile 7: die Adresse „Seestraße 1“ steht doppelt im Adressregister.",
    ]
    assert not Address.objects.exists()


SCHEMA = {
    "fields": [
        {"name": "Nr", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "Strasse", "type": "string", "role": "auxiliary"},
        {"name": "Hausnummer", "type": "string", "role": "auxiliary"},
    ],
    "primaryKey": ["Nr"],
    "areaAssignment": {
        "street": "Strasse",
        "number": "Hausnummer",
        "levels": {"Baublock": "baublock", "Ortsbezirk": "ortsbezirk"},
    },
}

RESIDENTS = """Nr;Strasse;Hausnummer
1;Seestr.;3
2;SEESTRASSE;8
3;See-Straße;7
4;Muehlenweg;12 A
5;Mühlenweg;12b
6;Am Hafen;3a
7;Nirgendwo;1
8;Seestraße;
"""


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
def test_the_intake_assigns_records_by_address_and_deletes_the_address_fields():
    services.load_areas(city.package())
    services.load_areas({"adressen.csv": REGISTER.encode()})
    source = factories.DataSourceFactory(slug="melde-adressen")
    catalog.set_schema(source, SCHEMA)
    run = factories.upload(source, RESIDENTS.encode())
    run.refresh_from_db()
    if run.status == ImportRun.Status.AWAITING_REVIEW:  # plausibility asks on a tiny file
        versions.activate(run.pk)
        run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)
    found = {f["rule"]: f for f in reports.findings_of(run.pk)}
    # Nirgendwo 1 (line 8) is unknown to the register, Seestraße without number (line 9) too
    assert found["address_unmatched"]["rows"] == [8, 9]
    assert "area_unassigned" not in found
    assert found["coordinates_deleted"]["params"]["fields"] == "Strasse, Hausnummer"
    version = store.current_version(source.pk)
    assert "strasse" not in str(version.columns).lower()
    assert "hausnummer" not in str(version.columns).lower()
    with connections["sealed"].cursor() as cursor:
        cursor.execute(
            f"SELECT {version.columns['Nr']}, {version.columns['Baublock']}, "
            f"{version.columns['Ortsbezirk']} FROM {version.table_name}"
        )
        got = {nr: (block, district) for nr, block, district in cursor.fetchall()}
    assert got == {
        "1": ("1101", "OB-1"),
        "2": ("1102", "OB-1"),
        "3": ("1101", "OB-1"),
        "4": ("2102", "OB-2"),
        "5": ("2101", "OB-2"),
        "6": ("1202", "OB-1"),  # the register's point, in block 1202
        "7": (None, None),
        "8": (None, None),
    }
