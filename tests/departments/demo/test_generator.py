"""The synthetic demo city: calibrated on the published figures, German file conventions,
schemas that describe the files, determinism, and persons stable across years."""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from departments.demo.generator import (
    DEMO_SOURCES,
    STADTTEILE,
    generate_source,
    load_stadtbezirke,
    write_demo_city,
    write_source_csv,
)

DATA = Path(__file__).resolve().parents[3] / "departments" / "demo" / "data"
SMALL = 5_000
YEARS = (2021, 2022, 2023, 2024, 2025)


def _published_2021() -> pd.Series:
    frame = pd.read_csv(DATA / "einwohner_stadtteile_2011_2021.csv")
    frame["code"] = frame["id"].map(lambda i: f"{i:02d}")
    return frame.set_index("code")["gesamt"]


def _ages(frame: pd.DataFrame, year: int) -> pd.Series:
    born = pd.to_datetime(frame["Geburtsdatum"], format="%d.%m.%Y")
    return year - born.dt.year


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")


def test_default_size_totals_98800_within_one_percent():
    residents = generate_source("einwohner", year=2021)
    assert abs(len(residents) - 98_800) <= 988


def test_each_stadtteil_within_five_percent_of_published_2021_figure():
    residents = generate_source("einwohner", year=2021)
    published = _published_2021()
    expected = published / published.sum() * 98_800
    counts = residents["Stadtteil"].value_counts()
    assert set(counts.index) == {code for code, _ in STADTTEILE}
    for code, _ in STADTTEILE:
        assert abs(counts[code] - expected[code]) <= 0.05 * expected[code], code


def test_age_bands_per_stadtteil_follow_published_2021_shares():
    residents = generate_source("einwohner", year=2021)
    ages = _ages(residents, 2021)
    published = pd.read_csv(DATA / "einwohner_stadtteile_2021_altersgruppen.csv")
    published["code"] = published["id"].map(lambda i: f"{i:02d}")
    band_columns = ["unter_18", "18_bis_unter_30", "30_bis_unter_45", "45_bis_unter_65"]
    band_columns += ["65_bis_unter_80", "80_und_älter"]
    for _, row in published.iterrows():
        mine = ages[residents["Stadtteil"] == row["code"]]
        bands = row[band_columns].sum()  # the table's own "gesamt" has a typo for Sandberg
        assert abs((mine < 18).mean() - row["unter_18"] / bands) < 0.02, row["code"]
        assert abs((mine >= 80).mean() - row["80_und_älter"] / bands) < 0.02, row["code"]
        young = ((mine >= 18) & (mine < 30)).mean()
        assert abs(young - row["18_bis_unter_30"] / bands) < 0.02, row["code"]


def test_sandberg_campus_has_the_highest_share_of_students_aged_19_to_24():
    residents = generate_source("einwohner", year=2021)
    ages = _ages(residents, 2021)
    share = ((ages >= 19) & (ages < 25)).groupby(residents["Stadtteil"]).mean()
    assert share.idxmax() == "08"
    # 18-29 (the published band): the university/inner-city Stadtteile lead, as published
    # (Altstadt 34.6 %, Neustadt 32.9 %, Sandberg 33.2 %).
    young = ((ages >= 18) & (ages < 30)).groupby(residents["Stadtteil"]).mean()
    assert set(young.nlargest(3).index) == {"01", "02", "08"}
    assert young["08"] > 1.5 * ((ages >= 18) & (ages < 30)).mean()


def test_more_women_than_men_at_old_ages():
    residents = generate_source("einwohner", year=2021)
    ages = _ages(residents, 2021)
    old = residents.loc[ages >= 80, "Geschlecht"].value_counts()
    assert old["w"] > 1.4 * old["m"]
    assert 0 < (residents["Geschlecht"] == "d").sum() < 0.005 * len(residents)


def test_households_have_sizes_1_to_5_plus_and_more_singles_in_inner_city():
    residents = generate_source("einwohner", year=2021, residents=20_000)
    sizes = residents.groupby("Haushalts-ID").size()
    assert sizes.min() == 1 and sizes.max() >= 5
    assert 0.4 < (sizes == 1).mean() < 0.6
    st_of_hh = residents.groupby("Haushalts-ID")["Stadtteil"].agg(["first", "nunique"])
    assert (st_of_hh["nunique"] == 1).all()  # a household lives in one Stadtteil
    single = (sizes == 1).groupby(st_of_hh["first"]).mean()
    assert single[["01", "02", "08"]].min() > single[["12", "13"]].max()


def test_statistical_district_lies_in_its_stadtteil():
    bezirke = load_stadtbezirke()
    assert len(bezirke) == 41 and bezirke["stadtteil"].nunique() == 13
    parent = dict(zip(bezirke["code"], bezirke["stadtteil"], strict=True))
    residents = generate_source("einwohner", year=2023, residents=SMALL)
    assert (residents["Statistischer Bezirk"].map(parent) == residents["Stadtteil"]).all()


def test_years_after_2021_grow_slightly():
    sizes = [len(generate_source("einwohner", year=y, residents=SMALL)) for y in YEARS]
    assert all(b > a for a, b in zip(sizes, sizes[1:], strict=False))
    assert sizes[-1] < 1.05 * sizes[0]


def test_person_ids_overlap_strongly_between_consecutive_years():
    ids = [set(generate_source("einwohner", year=y, residents=SMALL)["Personen-ID"]) for y in YEARS]
    for before, after in zip(ids, ids[1:], strict=False):
        stayed = len(before & after) / len(before)
        assert 0.85 < stayed < 0.99
    # A person who stays keeps their birth date and sex.
    a = generate_source("einwohner", year=2021, residents=SMALL).set_index("Personen-ID")
    b = generate_source("einwohner", year=2022, residents=SMALL).set_index("Personen-ID")
    common = a.index.intersection(b.index)
    cols = ["Geburtsdatum", "Geschlecht"]
    assert (a.loc[common, cols] == b.loc[common, cols]).all().all()


def test_childcare_per_stadtteil_never_exceeds_residents_aged_0_to_6():
    for year, size in [(2021, 98_800), (2023, SMALL), (2025, SMALL)]:
        residents = generate_source("einwohner", year=year, residents=size)
        children = (_ages(residents, year) <= 6).groupby(residents["Stadtteil"]).sum()
        kita = generate_source("kita", year=year, residents=size)
        contracts = kita["Wohnort Stadtteil"].value_counts()
        for code, n in contracts.items():
            assert n <= children[code], (year, code)
        rate_u3 = (_ages(kita, year) < 3).sum() / (_ages(residents, year) < 3).sum()
        assert 0.25 < rate_u3 < 0.45


def test_benefit_cases_concentrate_in_neustadt_and_nordstadt():
    cases = generate_source("sgb2", year=2021)
    residents = generate_source("einwohner", year=2021)
    rate = cases["Stadtteil"].value_counts() / residents["Stadtteil"].value_counts()
    assert rate["02"] == rate.max() and rate["03"] > rate.median() and rate["13"] < rate.median()
    amounts = cases["Zahlbetrag (EUR)"].str.replace(",", ".").astype(float)
    assert amounts.between(20, 6_000).all()


def test_building_permits_a_few_hundred_a_year_most_in_new_development_areas():
    permits = generate_source("bauantraege", year=2022)
    assert 200 < len(permits) < 700
    new_homes = permits.loc[permits["Vorhaben"] == "Neubau Einfamilienhaus", "Stadtteil"]
    assert new_homes.value_counts().index[0] in {"13", "06"}
    approved = permits[permits["Genehmigungsdatum"] != ""]
    fmt = "%d.%m.%Y"
    received = pd.to_datetime(approved["Eingangsdatum"], format=fmt)
    decided = pd.to_datetime(approved["Genehmigungsdatum"], format=fmt)
    assert (decided >= received).all() and (decided <= pd.Timestamp("2022-12-31")).all()


def test_vehicles_about_half_per_adult_and_electric_share_rising():
    shares = []
    for year in (2021, 2023, 2025):
        residents = generate_source("einwohner", year=year, residents=20_000)
        vehicles = generate_source("kfz", year=year, residents=20_000)
        adults = (_ages(residents, year) >= 18).sum()
        assert 0.4 < len(vehicles) / adults < 0.6
        shares.append((vehicles["Antriebsart"] == "Elektro").mean())
    assert shares[0] < shares[1] < shares[2]


def test_files_use_semicolon_german_dates_decimal_comma_and_keep_leading_zeros(tmp_path):
    path = tmp_path / "sgb2.csv"
    rows = write_source_csv("sgb2", path, year=2024, residents=SMALL)
    raw = path.read_bytes().decode("utf-8")
    header, first = raw.splitlines()[:2]
    assert header.split(";")[0] == "Fallnummer" and ";" in first and "," not in header
    assert len(raw.splitlines()) == rows + 1
    assert re.search(r";\d{2}\.\d{2}\.\d{4};", first)
    assert re.search(r";\d+,\d{2};", first)  # amounts with decimal comma, no dot
    assert not re.search(r"\d\.\d{2};", first.replace("31.12.2024", ""))
    people = tmp_path / "einwohner.csv"
    write_source_csv("einwohner", people, year=2024, residents=SMALL)
    frame = _read(people)
    assert frame["Personen-ID"].str.fullmatch(r"\d{9}").all()
    assert frame["Personen-ID"].str.startswith("0").any()
    assert set(frame["Stadtteil"]) == {code for code, _ in STADTTEILE}  # "01", not "1"
    assert (frame["Stichtag"] == "31.12.2024").all()


def test_schema_fields_match_file_header_exactly(tmp_path):
    for source in DEMO_SOURCES:
        path = tmp_path / f"{source.slug}.csv"
        write_source_csv(source.slug, path, year=2022, residents=SMALL)
        header = path.read_text(encoding="utf-8").splitlines()[0].split(";")
        assert header == [f["name"] for f in source.table_schema["fields"]], source.slug
        assert source.table_schema["primaryKey"][0] in header
        assert source.kind in {"microdata", "aggregate"}
        assert source.update_cycle in {"monthly", "quarterly", "yearly"}
    assert {s.slug for s in DEMO_SOURCES} >= {"einwohner", "kita", "sgb2", "bauantraege", "kfz"}


def test_values_satisfy_their_schema_constraints(tmp_path):
    for source in DEMO_SOURCES:
        path = tmp_path / f"{source.slug}.csv"
        write_source_csv(source.slug, path, year=2023, residents=SMALL)
        frame = _read(path)
        for f in source.table_schema["fields"]:
            col, c = frame[f["name"]], f.get("constraints", {})
            present = col[col != ""]
            where = (source.slug, f["name"])
            if c.get("required"):
                assert (col != "").all(), where
            if c.get("unique"):
                assert col.is_unique, where
            if "pattern" in c:
                assert present.str.fullmatch(c["pattern"]).all(), where
            if "enum" in c:
                assert present.isin(c["enum"]).all(), where
            if f["type"] == "date":
                pd.to_datetime(present, format="%d.%m.%Y")  # raises if malformed
            if f["type"] in ("integer", "number"):
                values = present.str.replace(",", ".").astype(float)
                if f["type"] == "integer":
                    assert present.str.fullmatch(r"-?\d+").all(), where
                if "minimum" in c:
                    assert (values >= c["minimum"]).all(), where
            if f["type"] == "boolean":
                assert present.isin(["ja", "nein"]).all(), where
        assert frame[source.table_schema["primaryKey"]].drop_duplicates().shape[0] == len(frame)


def test_same_seed_gives_the_same_file_and_another_seed_another(tmp_path):
    paths = [tmp_path / name for name in ("a.csv", "b.csv", "c.csv")]
    for path, seed in zip(paths, (7, 7, 8), strict=True):
        write_source_csv("kfz", path, year=2023, residents=SMALL, seed=seed)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_aggregate_matches_the_microdata_it_summarises():
    cases = generate_source("sgb2", year=2023, residents=SMALL)
    published = generate_source("sgb2_ba", year=2023, residents=SMALL).set_index("Stadtteil")
    sgb2 = cases[cases["Leistungsart"].str.contains("SGB II")]
    counts = sgb2["Stadtteil"].value_counts().reindex(published.index, fill_value=0)
    assert (published["Bedarfsgemeinschaften"].astype(int) == counts).all()


def test_write_demo_city_writes_every_source_for_every_year(tmp_path):
    written = write_demo_city(tmp_path, residents=SMALL, years=(2021, 2022))
    assert len(written) == 2 * len(DEMO_SOURCES)
    for slug, year, path in written:
        assert path.exists() and str(year) in path.name and slug in path.name
    assert np.all([p.stat().st_size > 0 for _, _, p in written])
