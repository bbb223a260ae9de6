"""A unit split with shares: Seeburg divided Quartier Q12 into Q13 (40 %) and Q14 (60 %) on
1 January 2025. The 2023 counts of Q12 go to Q13 and Q14 by share, rounded so that the
total stays, marked as estimated (s), and protected after the re-aggregation."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bif.geography import services
from bif.geography.models import AreaChange, AreaLevel, AreaSystem
from departments import services as catalog
from departments.models import ImportRun
from statistics_office.microdata import reports
from statistics_office.tables import codes, exports, splits
from statistics_office.tables import services as tables
from statistics_office.tables.models import TableComputation
from tests import factories

from . import invented_city as city
from .test_boundary_change import SCHEMA, residents

HEAD = "ebene;wirksam_ab;alt;neu;anteil\n"
CHANGES = HEAD + "quartier;2025-01-01;Q12;Q13;0,4\nquartier;2025-01-01;Q12;Q14;0,6\n"


def split_package(changes=CHANGES):
    """Today's Seeburg: Q12 (north of OB-1) is now Q13 (west) and Q14 (east)."""
    units = []
    for level, code, name, parent, ring in city.units():
        if code == "Q12":
            units.append(
                (
                    "quartier",
                    "Q13",
                    "Quartier Q13",
                    "OB-1",
                    city.square(city.X0, city.Y0 + city.SIDE, city.SIDE, city.SIDE),
                )
            )
            units.append(
                (
                    "quartier",
                    "Q14",
                    "Quartier Q14",
                    "OB-1",
                    city.square(city.X0 + city.SIDE, city.Y0 + city.SIDE, city.SIDE, city.SIDE),
                )
            )
            continue
        if parent == "Q12":
            parent = "Q13" if code.endswith("1") else "Q14"
        units.append((level, code, name, parent, ring))
    files = city.package(units_=units, changes=changes)
    text = files["gebiete.csv"].decode()
    for code in ("Q13", "Q14"):
        text = text.replace(
            f"quartier;{code};Quartier {code};OB-1;2020-01-01",
            f"quartier;{code};Quartier {code};OB-1;2025-01-01",
        )
    files["gebiete.csv"] = text.encode()
    return files


def test_largest_remainder_keeps_the_total_and_stays_within_one_of_the_exact_share():
    parts = splits.largest_remainder([7, 4, 0, 1], [0.4, 0.6])
    assert parts.tolist() == [[3, 4], [2, 2], [0, 0], [0, 1]]


@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=20),
    st.lists(st.floats(0.01, 1), min_size=2, max_size=5),
)
def test_split_parts_always_add_up_to_the_old_count(totals, weights):
    shares = np.array(weights) / sum(weights)
    parts = splits.largest_remainder(totals, shares)
    assert parts.sum(axis=1).tolist() == totals
    assert (np.abs(parts - np.array(totals)[:, None] * shares) < 1 + 1e-9).all()


def test_split_counts_divides_each_cell_and_adds_up_cells_that_meet():
    bottom = pd.DataFrame({"d0_0": ["Q11", "Q12", "Q12"], "d1_0": ["w", "w", "m"], "n": [5, 7, 4]})
    out = splits.split_counts(bottom, "d0_0", {"Q12": {"Q11": 0.4, "Q14": 0.6}})
    got = {(r.d0_0, r.d1_0): r.n for r in out.itertuples()}
    assert got == {("Q11", "w"): 5 + 3, ("Q14", "w"): 4, ("Q11", "m"): 2, ("Q14", "m"): 2}
    assert out["n"].sum() == bottom["n"].sum()


@pytest.mark.django_db
def test_changes_chain_a_whole_move_and_a_later_split():
    system = AreaSystem.objects.create(name="Test")
    level = AreaLevel.objects.create(system=system, slug="viertel", name="Viertel")
    AreaChange.objects.create(
        level=level, effective=dt.date(2024, 1, 1), old_code="A", new_code="B"
    )
    for new, share in (("C", 0.25), ("D", 0.75)):
        AreaChange.objects.create(
            level=level, effective=dt.date(2025, 1, 1), old_code="B", new_code=new, share=share
        )
    assert codes.code_changes("viertel", dt.date(2023, 12, 31)) == {}
    assert codes.code_splits("viertel", dt.date(2023, 12, 31)) == {
        "A": {"C": 0.25, "D": 0.75},
        "B": {"C": 0.25, "D": 0.75},
    }
    assert codes.code_changes("viertel", dt.date(2024, 6, 30)) == {}
    assert codes.code_splits("viertel", dt.date(2024, 6, 30)) == {"B": {"C": 0.25, "D": 0.75}}
    assert codes.area_changes("viertel", dt.date(2025, 6, 30)) == {}


@pytest.mark.django_db
def test_shares_of_a_split_unit_must_add_up_to_one():
    bad = HEAD + "quartier;2025-01-01;Q12;Q13;0,4\nquartier;2025-01-01;Q12;Q14;0,5\n"
    with pytest.raises(services.AreaFilesRejected) as rejected:
        services.load_areas(split_package(bad))
    assert rejected.value.problems == [
        "aenderungen.csv, Zeilen 2, 3: die Anteile von „Q12“ ergeben zusammen 0,900 statt 1; "
        "ein geteiltes Gebiet muss ganz verteilt werden."
    ]


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
def test_a_split_unit_is_re_aggregated_by_share_estimated_and_protected_afterwards():
    services.load_areas(split_package())
    source = factories.DataSourceFactory(slug="melde", reference_date_field="Stichtag")
    catalog.set_schema(source, SCHEMA)
    first, second = factories.statistician(username="s1"), factories.statistician(username="s2")
    for user in (first, second):
        factories.grant(user, source, "view_microdata", "define_tables", "publish_tables")
    before = {"Q11": 20, "Q12": 4, "Q21": 30, "Q22": 25}
    after = {"Q11": 21, "Q13": 9, "Q14": 6, "Q21": 31, "Q22": 24}
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
        slug="quartiere-teilung",
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

    cells = {(c["Stichtag"], c["Quartier"]): c for c in published.cells}
    assert ("2023-12-31", "Q12") not in cells
    # Q12's 4 residents: 1,6 and 2,4 → 2 and 2 (the total stays 79), both below 3: secret.
    for code in ("Q13", "Q14"):
        assert cells[("2023-12-31", code)]["flag"] == "secret"
        assert cells[("2023-12-31", code)]["value"] is None
        assert cells[("2023-12-31", code)]["estimated"] is True
    assert cells[("2023-12-31", "_T")]["value"] == 79
    assert not cells[("2023-12-31", "Q21")].get("estimated")
    assert not cells[("2025-12-31", "Q13")].get("estimated")
    assert cells[("2025-12-31", "Q13")]["value"] == 9
    assert "geschätzt (s)" in published.area_note
    footer = exports.footer_lines(published)
    assert any(line.startswith("s = geschätzt") for line in footer)


def test_an_estimated_value_carries_the_sign_s_on_pages_and_in_files():
    cell = {"value": 1234, "flag": "", "estimated": True}
    assert exports.format_value(cell, 0) == "1.234\u00a0s"
    assert exports.format_value(cell, 0, german=False) == "1234\u00a0s"
    assert exports.format_value({**cell, "flag": "secret", "value": None}, 0) == "."
