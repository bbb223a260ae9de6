"""The office's own perturbation table: the ptable package's format, exact integer lookup,
the stated variance reached in every class, and what the legend says of perturbed values."""

import io

import numpy as np
import pandas as pd
import pytest

from statistics_office.disclosure.cellkey import (
    KEY_MODULUS,
    PerturbationTable,
    as_ptable_frame,
    integer_keys,
    perturb,
    perturbation_table,
)

# What ptable::pt_export writes for a small table (D = 1, js = 0): i, j, p, v, p_int_lb, p_int_ub
PTABLE_CSV = """i;j;p;v;p_int_lb;p_int_ub
0;0;1;0;0;1
1;0;0.25;-1;0;0.25
1;1;0.5;0;0.25;0.75
1;2;0.25;1;0.75;1
2;1;0.25;-1;0;0.25
2;2;0.5;0;0.25;0.75
2;3;0.25;1;0.75;1
"""


def test_a_table_in_the_ptable_format_loads_and_perturbs():
    table = PerturbationTable.from_csv(io.StringIO(PTABLE_CSV))
    assert (table.D, table.i_max) == (1, 2)
    assert pytest.approx(0.5) == table.V
    # key 0.2 falls in [0, 0.25) of class 2: 5 - 1
    assert perturb(np.array([5]), np.array([0.2]), table).tolist() == [4]
    assert table.meets_variance(tol=1e-9)  # V = 0.5 in classes 1 and 2 (0 stays 0)
    stats = table.row_statistics()
    assert stats.loc[stats["i"] == 1, "variance"].item() == pytest.approx(0.5)


def test_columns_that_contradict_the_probabilities_are_refused():
    broken = PTABLE_CSV.replace("1;1;0.5;0;0.25;0.75", "1;1;0.5;0;0.3;0.75")
    with pytest.raises(ValueError, match="p_int_lb"):
        PerturbationTable.from_csv(io.StringIO(broken))


def test_round_trip_through_the_ptable_layout():
    table = perturbation_table()
    frame = as_ptable_frame(table)
    assert list(frame.columns) == ["i", "j", "p", "v", "p_int_lb", "p_int_ub"]
    again = PerturbationTable.from_frame(frame)
    assert np.allclose(again.rows["p"], table.rows["p"])


def test_the_default_table_reaches_its_variance_in_every_class():
    table = perturbation_table()
    stats = table.row_statistics()
    positive = stats[stats["i"] > 0]
    assert np.allclose(positive["mean"], 0.0, atol=1e-9)
    assert np.allclose(positive["variance"], table.V, atol=1e-6)
    assert table.meets_variance()
    # values 1 .. js are never published
    published = set(table.rows.loc[table.rows["i"] > 0, "j"])
    assert not published & set(range(1, table.js + 1))


def test_small_classes_that_cannot_reach_the_variance_say_so():
    table = perturbation_table(D=2, V=1.05, js=2)
    stats = table.row_statistics().set_index("i")
    assert stats.loc[1, "variance"] == pytest.approx(2.0)  # a 1 moves to 0 or 3: no less
    assert not table.meets_variance()


def test_p_stay_fixes_the_probability_of_no_noise():
    table = perturbation_table(D=3, V=2.0, js=2, p_stay=0.5)
    rows = table.rows[(table.rows["i"] == table.i_max) & (table.rows["j"] == table.i_max)]
    assert rows["p"].item() == pytest.approx(0.5)


def test_the_lookup_is_exact_at_interval_bounds():
    table = PerturbationTable.from_frame(
        pd.DataFrame({"i": [0, 1, 1, 1], "j": [0, 0, 1, 2], "p": [1.0, 0.3, 0.4, 0.3]})
    )
    # a cell key just below and exactly at the bound 0.3 (as integers modulo 2**32)
    bound = round(0.3 * KEY_MODULUS)
    below, at = np.array([bound - 1]), np.array([bound])
    assert perturb(np.array([1]), below, table).tolist() == [0]
    assert perturb(np.array([1]), at, table).tolist() == [1]
    # sums of many float keys stay exact as integers
    keys = np.random.default_rng(3).integers(0, KEY_MODULUS, 4_000_000)
    as_float = keys / KEY_MODULUS
    assert (integer_keys(as_float) == keys).all()
