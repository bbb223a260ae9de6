"""Broken area files get clear German findings; a sound package passes (pure, no database)."""

import pytest

from bif.geography import files, validation
from bif.geography.messages import sentence

from . import invented_city as city
from .invented_city import SIDE, X0, Y0, square


def findings(package):
    parsed = files.read_area_files(package)
    found = parsed.findings or validation.validate(parsed)
    return [(f.rule, f.unit) for f in found], [sentence(f) for f in found]


def replace(code, **changes):
    out = []
    for level, c, name, parent, ring in city.units():
        if c == code:
            level = changes.get("level", level)
            parent = changes.get("parent", parent)
            ring = changes.get("ring", ring)
        out.append((level, c, name, parent, ring))
    return out


def test_a_sound_package_has_no_findings():
    assert findings(city.package()) == ([], [])


def test_utm_coordinates_become_lon_lat():
    parsed = files.read_area_files(city.package())
    block = next(u for u in parsed.units if u.code == "1101")
    lon, lat = block.geometry.centroid.coords[0]
    # 500 km east in zone 32N is the central meridian 9° E; 6,000 km north is about 54.1° N.
    assert 9.0 < lon < 9.02 and 54.1 < lat < 54.2


def test_a_gap_between_children_is_a_finding():
    shrunk = square(X0, Y0, SIDE * 0.9, SIDE)  # block 1101 leaves 10 % of its Quartier empty
    rules, texts = findings(city.package(units_=replace("1101", ring=shrunk)))
    assert ("gap", "Q11") in rules
    assert any("decken „Q11“ nicht ganz ab (Lücke: 5,0 % der Fläche)" in t for t in texts)


def test_overlapping_children_are_a_finding():
    grown = square(X0, Y0, SIDE * 1.2, SIDE)  # block 1101 reaches into 1102
    rules, texts = findings(city.package(units_=replace("1101", ring=grown)))
    assert ("overlap", "1101") in rules
    assert any("„1101“ und „1102“ überlappen sich" in t for t in texts)


def test_a_unit_without_parent_is_an_orphan():
    rules, texts = findings(city.package(units_=replace("1202", parent="")))
    assert ("orphan", "1202") in rules
    assert any(
        "Zeile" in t and "„1202“ (Ebene „baublock“) hat kein übergeordnetes Gebiet" in t
        for t in texts
    )


def test_an_unknown_parent_is_named():
    rules, texts = findings(city.package(units_=replace("1202", parent="Q99")))
    assert ("unknown_parent", "1202") in rules
    assert any("„Q99“" in t for t in texts)


def test_a_code_twice_on_one_level_is_a_finding_with_both_rows():
    extra = "baublock;1101;Block doppelt;Q11;2020-01-01;;\n"
    rules, texts = findings(city.package(extra_rows=extra))
    assert ("duplicate_code", "1101") in rules
    text = next(t for t in texts if "doppelt" in t)
    assert "gebiete.csv, Zeile 18" in text and "zuerst in Zeile 4" in text


def test_an_invalid_geometry_is_a_finding():
    bowtie = [[[X0, Y0], [X0 + SIDE, Y0 + SIDE], [X0 + SIDE, Y0], [X0, Y0 + SIDE], [X0, Y0]]]
    rules, texts = findings(city.package(units_=replace("1101", ring=bowtie)))
    assert ("invalid_geometry", "1101") in rules
    assert any("Geometrie von „1101“ ist ungültig (Self-intersection" in t for t in texts)


def test_an_unknown_coordinate_system_is_refused():
    rules, texts = findings(city.package(crs="EPSG:31467"))
    assert rules[0][0] == "unknown_crs"
    assert "ETRS89/UTM 32N (EPSG:25832)" in texts[0]


@pytest.mark.parametrize("missing", ["ebenen.csv", "gebiete.csv"])
def test_a_missing_file_is_named(missing):
    package = city.package()
    del package[missing]
    _rules, texts = findings(package)
    assert texts == [f"Die Datei „{missing}“ fehlt im Gebietsstand."]


def test_within_the_tolerance_a_sliver_is_no_finding():
    sliver = square(X0, Y0, SIDE * 0.9999, SIDE)  # 0.005 % of the Quartier
    assert findings(city.package(units_=replace("1101", ring=sliver))) == ([], [])
