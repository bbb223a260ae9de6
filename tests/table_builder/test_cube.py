"""The builder's cube gives the cells of a group-by over the records: random queries asked
both ways have identical protected cells (and identical refusals)."""

import random

import pytest

from statistics_office.builder import cube, rules, run
from statistics_office.microdata.store import current_version

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])

KEYS = ["stadtteil", "geschlecht", "alter5", "alter_planung"]


def random_spec(rng):
    dropped = rng.choice(["alter5", "alter_planung"])
    dims = rng.sample([k for k in KEYS if k != dropped], rng.randint(1, 3))
    spec = {"rows": dims[:-1] or dims, "columns": dims[-1:] if len(dims) > 1 else []}
    free = [k for k in ("stadtteil", "geschlecht") if k not in dims]
    if free and rng.random() < 0.5:
        item = rng.choice(free)
        codes = ["01", "02", "03", "04"] if item == "stadtteil" else ["m", "w", "d"]
        spec["filters"] = [{"item": item, "values": rng.sample(codes, rng.randint(1, 3))}]
    return spec


def answer(version, catalogue, spec, *, use_cube):
    resolved = rules.resolve(
        spec,
        items=catalogue.items,
        max_dimensions=catalogue.max_dimensions,
        excluded_combinations=catalogue.excluded_combinations,
    )
    try:
        return run.protected_table(
            version, resolved, catalogue, run.office_parameters(catalogue), use_cube=use_cube
        )
    except rules.Refused as refusal:
        return ("refused", refusal.code, str(refusal))


def test_cube_and_records_give_identical_cells_on_random_queries(source, catalogue):
    version = current_version(source.pk)
    rng = random.Random(21)
    answered = 0
    for _ in range(40):
        spec = random_spec(rng)
        direct = answer(version, catalogue, spec, use_cube=False)
        grouped = answer(version, catalogue, spec, use_cube=True)
        assert grouped == direct, spec
        answered += direct[0] != "refused"
    assert answered >= 10  # most queries are answered, not just refused alike


def test_the_cube_merges_records_and_is_built_once(source, catalogue, residents):
    version = current_version(source.pk)
    first = cube.for_version(version, catalogue.items)
    assert first is cube.for_version(version, catalogue.items)
    counts = first.fetch(
        f'SELECT SUM("{cube.Cube.COUNT}") AS n, COUNT(*) AS rows FROM "{version.table_name}"', []
    )
    assert int(counts["n"][0]) == len(residents)
    assert int(counts["rows"][0]) < len(residents)


def test_a_birth_date_on_the_day_of_a_birthday_falls_in_the_band_of_the_records(source, catalogue):
    """Single years of age: the day exactly a years before the reference date is age a."""
    import datetime as dt

    spec = {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y"}
    sql = cube._single_years("b", [spec], dt.date(2025, 12, 31), "sqlite")
    assert "WHEN b > '2020-12-31' THEN '2021-12-31'" in sql  # age 4
