"""The corpus of real-format files: each is described, its proposed schema is saved as it is,
and the import of the same file is accepted, with the values and statuses the file means.

The files are in corpus/ (README there: which are real, which are written in the real
formats). Values are read back from the sealed store, where a later publication takes them.
"""

import math
from pathlib import Path

import pandas as pd
import pytest
from django.db import connections

from departments import onboarding, uploads
from departments.models import ImportRun
from statistics_office.intake import versions
from statistics_office.microdata import reports, store

CORPUS = Path(__file__).parent / "corpus"

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]

# file -> (kind, row count, {(key field, key value[, key field, key value]): {field: value}})
# A value ("x", None) says: no number, status "x"; a plain value says: status none.
EXPECTED = {
    "flensburg_sozialatlas_tab09_migrationshintergrund.csv": (
        13,
        {
            ("stadtteil", "Altstadt"): {
                "stadtteil_nr": "01",
                "spalte_3": 1374,
                "spalte_4": 35.5,
                "spalte_7": 999,
                "spalte_9": 375,
            },
            ("stadtteil", "Mürwik"): {"spalte_3": 3705, "spalte_4": 24.2},
        },
    ),
    "sgb2_regelleistungsberechtigte_stadtteile.csv": (
        52,
        {
            ("stadtteil", "Nordstadt", "jahr", 2019): {"anzahl": 2352, "anteil_in_prozent": 23.0},
            ("stadtteil", "Tarup", "jahr", 2021): {"anzahl": 150, "anteil_in_prozent": 3.1},
            ("stadtteil", "Westliche Höhe", "jahr", 2018): {"anzahl": 729},
        },
    ),
    "destatis_11111-0001_ffcsv_excerpt.csv": (
        17,
        {
            ("dland", "Bayern"): {"gebietsflaeche": 70541.58, "dland_code": "09"},
            ("dland", "Insgesamt"): {"gebietsflaeche": 357595.99, "dland_code": None},
        },
    ),
    "genesis_12411-01-01-4_kreise_utf8.csv": (
        10,
        {
            ("code", "09162"): {
                "name": "München, Landeshauptstadt",
                "bevoelkerungsstand_insgesamt": 1512491,
                "bevoelkerungsstand_weiblich": 773570,
                "ebene": 4,
            },
            ("code", "DG"): {"ebene": 1, "bevoelkerungsstand_insgesamt": 84358845},
            ("code", "09"): {"name": "Bayern", "ebene": 2},
            ("code", "091"): {"ebene": 3},
        },
    ),
    "genesis_12411-0013_laender_cp1252_crlf.csv": (
        4,
        {
            ("name", "Baden-Württemberg"): {"stichtag_31_12_2022_maennlich": 5610048},
            ("name", "Bremen"): {
                "stichtag_31_12_2021_weiblich": 343212,
                "stichtag_31_12_2022_maennlich": (".", None),
            },
            ("name", "Thüringen"): {"stichtag_31_12_2022_weiblich": ("x", None)},
        },
    ),
    "genesis_33111-01-02-4_jahre_wide.csv": (
        12,
        {
            ("code", "01001", "jahr", 2020): {"bodenflaeche_insgesamt": 5674},
            ("code", "01002", "jahr", 2021): {"bodenflaeche_insgesamt": ("...", None)},
            ("code", "01003", "jahr", 2021): {"bodenflaeche_insgesamt": ("/", None)},
            ("code", "01004", "jahr", 2022): {"bodenflaeche_insgesamt": ("-", 0)},
        },
    ),
    "ffcsv_12411-0013_alt.csv": (
        8,
        {
            ("dland", "Bremen", "ges", "männlich"): {"bevoelkerungsstand": (".", None)},
            ("dland", "Insgesamt", "ges", "weiblich"): {
                "bevoelkerungsstand": 42835809,
                "dland_code": None,
            },
        },
    ),
    "ffcsv_52111-0001_alt_1000.csv": (
        5,
        {
            ("wz08x1", "Verarbeitendes Gewerbe"): {"umsatz": 2456789.1},
            ("wz08x1", "Energieversorgung"): {"umsatz": ("x", None)},
            ("wz08x1", "Wasserversorgung"): {"umsatz": ("-", 0)},
        },
    ),
    "ffcsv_12411-0013_neu.zip": (
        8,
        {
            ("dland", "Bremen", "ges", "männlich"): {"value": (".", None)},
            ("dland", "Bremen", "ges", "weiblich"): {"value": 343212},
        },
    ),
    "ffcsv_11111-0002_neu_en.csv": (
        4,
        {
            ("kreise_code", "01002"): {"value": 118.65},
            ("kreise_code", "01099"): {"value": ("-", 0)},
        },
    ),
    "sozialatlas_tab03_altersgruppen_ohne_kopf.csv": (
        13,
        {
            ("stadtteil", "Nordstadt"): {"spalte_3": 12507, "spalte_4": 16.6, "spalte_5": 8051},
            ("stadtteil", "Tarup"): {"stadtteil_nr": "13", "spalte_7": 1140},
        },
    ),
    "sozialatlas_tab12_semikolon_ohne_kopf.csv": (
        6,
        {("stadtteil", "Nordstadt"): {"spalte_2": 2170, "spalte_3": 49.0, "spalte_4": 41.25}},
    ),
    "stadtteilprofil_2023_leerzeichen.csv": (
        5,
        {
            ("stadtteil", "Altstadt"): {
                "bevoelkerung": 1675,
                "wanderungssaldo": -23,
                "sozialwohnungen": ("-", 0),
            },
            ("stadtteil", "Nordstadt"): {"sozialwohnungen": 1204, "bevoelkerung": 16902},
            ("stadtteil", "Sandberg"): {"unter_18_jaehrige": (".", None)},
            ("stadtteil", "Tarup"): {"wanderungssaldo": -7},
        },
    ),
    "stadtteilprofil_2022_titel_cp1252.csv": (
        4,
        {
            ("stadtteil", "Altstadt"): {"einwohner": 3512, "durchschnittsalter": 41.2},
            ("stadtteil", "Weiche"): {"arbeitslose": ("x", None)},
            ("stadtteil", "Mürwik"): {"arbeitslosenquote_in_prozent": (".", None)},
        },
    ),
    "bevoelkerung_jahre_slugs.csv": (
        28,
        {
            ("stadtteil", "Westliche Höhe", "jahr", 2021): {"wert": 8016},
            ("stadtteil", "Mürwik", "jahr", 2022): {"wert": 15330},
        },
    ),
    "einwohner_einzeldaten_ohne_kopf.csv": (
        5,
        {("spalte_1", "000001"): {"spalte_2": pd.Timestamp("1980-02-01"), "spalte_3": "w"}},
    ),
    "bevoelkerung_stadtteile_verbundene_kopfzellen.xlsx": (
        4,
        {
            ("stadtteil", "Nordstadt"): {
                "bevoelkerung_insgesamt": 12507,
                "bevoelkerung_maennlich": 6254,
            },
            ("stadtteil", "Altstadt"): {"flaeche_qkm": 0.83},
            ("stadtteil", "Tarup"): {"flaeche_qkm": (".", None)},
        },
    ),
}
MICRODATA = {"einwohner_einzeldaten_ohne_kopf.csv", "kita_einrichtungen.csv"}
# An excerpt of a GENESIS table keeps the totals of units it leaves out: the consistency
# check asks the office to look (total ≠ sum of parts), and the office accepts it.
NEEDS_REVIEW = {"genesis_12411-01-01-4_kreise_utf8.csv": {"total_not_sum"}}


def stored(source):
    """The current version of a source, as the sealed store keeps it."""
    version = store.current_version(source.pk)
    connection = connections["sealed"]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = ", ".join(q(c) for c in version.columns.values())
        cursor.execute(f"SELECT {columns} FROM {q(version.table_name)}")
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=list(version.columns))


def onboard_and_import(name, department, *, schema=None):
    path = CORPUS / name
    description = onboarding.describe_file(path)
    slug = "k-" + "".join(ch if ch.isalnum() else "-" for ch in path.stem.lower())[:50]
    source = onboarding.create_source(
        slug=slug,
        department=department,
        kind="microdata" if name in MICRODATA else "aggregate",
        schema=schema or description["schema"],
    )
    run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    return source, run, description


def assert_cell(row, field, expected, name):
    actual = row[field]
    status = row.get(f"{field}__status")
    if isinstance(expected, tuple):
        sign, value = expected
        assert status == sign, (name, field, status)
        assert (value is None and pd.isna(actual)) or actual == value, (name, field, actual)
        return
    if expected is None:
        assert actual is None or pd.isna(actual), (name, field, actual)
    elif isinstance(expected, float):
        assert math.isclose(actual, expected, rel_tol=0, abs_tol=1e-9), (name, field, actual)
    elif isinstance(expected, pd.Timestamp):
        assert pd.Timestamp(actual) == expected, (name, field, actual)
    else:
        assert actual == expected, (name, field, actual)
    if f"{field}__status" in row:
        assert status is None, (name, field, status)


def test_corpus_has_at_least_fifteen_files_of_our_own_and_the_three_real_ones():
    real = {n for n in EXPECTED if n.startswith(("flensburg_", "sgb2_", "destatis_"))}
    assert len(real) == 3
    assert len(set(EXPECTED) | {"kita_einrichtungen.csv"}) - len(real) >= 15
    assert all((CORPUS / name).exists() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_is_described_and_imported_unchanged_with_values_and_statuses(
    name, department, django_capture_on_commit_callbacks, clean_sealed_tables, demo_areas
):
    # The city's Stadtteile (known code lists) come from its loaded Gebietsstand.
    rows, cells = EXPECTED[name]
    with django_capture_on_commit_callbacks(execute=True):
        source, run, _description = onboard_and_import(name, department)
    run.refresh_from_db()
    if name in NEEDS_REVIEW:
        assert run.status == ImportRun.Status.AWAITING_REVIEW
        assert {f["rule"] for f in reports.findings_of(run.pk)} == NEEDS_REVIEW[name]
        versions.activate(run.pk)
        run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, (
        run.status,
        run.message,
        reports.findings_of(run.pk),
    )
    frame = stored(source)
    assert len(frame) == rows
    for key, fields in cells.items():
        pairs = list(zip(key[::2], key[1::2], strict=True))
        match = frame
        for field, value in pairs:
            match = match[match[field] == value]
        assert len(match) == 1, (name, key, len(match))
        row = match.iloc[0].to_dict()
        for field, expected in fields.items():
            assert_cell(row, field, expected, name)


def test_real_tables_add_up(department, django_capture_on_commit_callbacks, clean_sealed_tables):
    with django_capture_on_commit_callbacks(execute=True):
        migration, _run, _ = onboard_and_import(
            "flensburg_sozialatlas_tab09_migrationshintergrund.csv", department
        )
        area, _run, _ = onboard_and_import("destatis_11111-0001_ffcsv_excerpt.csv", department)
    persons = stored(migration)
    assert (persons["spalte_7"] + persons["spalte_9"] == persons["spalte_3"]).all()
    laender = stored(area)
    total = laender.loc[laender["dland"] == "Insgesamt", "gebietsflaeche"].item()
    assert round(laender.loc[laender["dland"] != "Insgesamt", "gebietsflaeche"].sum(), 2) == total


def test_auxiliary_and_empty_columns_are_not_stored(
    department, django_capture_on_commit_callbacks, clean_sealed_tables
):
    with django_capture_on_commit_callbacks(execute=True):
        source, _run, _ = onboard_and_import("destatis_11111-0001_ffcsv_excerpt.csv", department)
        migration, _run, _ = onboard_and_import(
            "flensburg_sozialatlas_tab09_migrationshintergrund.csv", department
        )
    assert "statistik_code" not in store.current_version(source.pk).columns
    assert "spalte_2" not in store.current_version(migration.pk).columns


def test_genesis_units_that_did_not_exist_are_named_not_lost(
    department, django_capture_on_commit_callbacks, clean_sealed_tables
):
    with django_capture_on_commit_callbacks(execute=True):
        _source, run, description = onboard_and_import(
            "genesis_12411-01-01-4_kreise_utf8.csv", department
        )
    run.refresh_from_db()
    assert run.detected["units_without_data"] == ["01099"]
    assert description["layout"]["stand"] == "2024-06-20"
    assert description["layout"]["table_code"] == "12411-01-01-4"


def test_personal_columns_need_a_decision_before_the_schema_is_saved(
    department, django_capture_on_commit_callbacks, clean_sealed_tables
):
    description = onboarding.describe_file(CORPUS / "kita_einrichtungen.csv")
    flagged = {flag["field"]: flag["personal"] for flag in description["flags"]}
    assert flagged == {"strasse": "address", "telefon": "phone", "ansprechpartnerin": "name"}
    with pytest.raises(onboarding.SchemaRejected) as rejected:
        onboarding.create_source(
            slug="kitas", department=department, kind="microdata", schema=description["schema"]
        )
    assert "„telefon“" in rejected.value.problems[0]

    schema = description["schema"]
    for descriptor in schema["fields"]:
        if descriptor.get("personal"):
            descriptor["personalDecision"] = "drop"
    with django_capture_on_commit_callbacks(execute=True):
        source, run, _ = onboard_and_import("kita_einrichtungen.csv", department, schema=schema)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, reports.findings_of(run.pk)
    frame = stored(source)
    assert not {"strasse", "telefon", "ansprechpartnerin"} & set(frame.columns)
    assert frame.set_index("einrichtung").loc["Kita Seestern", "plaetze"] == 100
