"""Cell key method: known answers with a hand-made perturbation table."""

import numpy as np
import pandas as pd
import pytest

from statistics_office.disclosure import (
    Dimension,
    PerturbationTable,
    cell_keys,
    count_table,
    perturb,
    perturb_table,
    perturbation_table,
    record_keys,
)

# Hand-made table, D = 1.  Intervals in ascending j (the cellKey/ptable convention):
#   i = 0: j 0 [0, 1)
#   i = 1: j 0 [0, .5)   j 2 [.5, 1)             (1 is never published: js = 1)
#   i = 2: j 2 [0, .5)   j 3 [.5, 1)             (2 -> 1 forbidden as well)
#   i = 3 (and more): j-i = -1 [0, .25)  0 [.25, .75)  +1 [.75, 1)
HAND = pd.DataFrame(
    [(0, 0, 1.0), (1, 0, 0.5), (1, 2, 0.5), (2, 2, 0.5), (2, 3, 0.5)]
    + [(3, 2, 0.25), (3, 3, 0.5), (3, 4, 0.25)],
    columns=["i", "j", "p"],
)


def test_hand_made_ptable_known_answers():
    pt = PerturbationTable.from_frame(HAND)
    assert pt.D == 1 and pt.js == 1 and pt.i_max == 3
    values = np.array([0, 1, 1, 2, 2, 3, 5, 7, 7, 40])
    keys = np.array([0.9, 0.2, 0.7, 0.49, 0.5, 0.1, 0.8, 0.3, 0.75, 0.2499])
    # by hand: 0 stays 0; 1 -> 0 | 2; 2 -> 2 | 3; 3 key .1 -> 2; 5 key .8 -> 6;
    # 7 key .3 -> 7; 7 key .75 -> 8 (lower bound is inclusive); 40 key .2499 -> 39
    assert perturb(values, keys, pt).tolist() == [0, 0, 2, 2, 3, 2, 6, 7, 8, 39]


def test_cell_keys_are_fractional_sums_of_record_keys():
    # keys chosen as exact binary fractions so the sums are exact
    keys = np.array([0.25, 0.5, 0.75, 0.125, 0.625])
    groups = ["a", "a", "a", "b", "b"]
    assert cell_keys(keys, groups).to_dict() == {"a": 0.5, "b": 0.75}


def test_count_table_keys_for_margins_and_perturbed_table():
    """Records (district, sex, key); the total's key comes from all records.

        01 m: .25 + .5        = .75  -> count 2, class 2, key .75 -> 3
        01 w: .75             = .75  -> count 1, class 1, key .75 -> 2
        02 m: .125 + .5 + .25 = .875 -> count 3, key .875 -> +1 -> 4
        02 w: (empty)                -> 0
        01 _T: .25 + .5 + .75 = 1.5 -> .5, count 3 -> 3
        02 _T: = 02 m -> 4
        _T m: 1.625 -> .625, count 5 -> 5;  _T w: = 01 w -> 2
        _T _T: sum 2.375 -> .375, count 6 -> 6
    The perturbed table is not additive: 01 m + 01 w = 3 + 2 = 5, but 01 _T = 3.
    """
    records = pd.DataFrame(
        {"st": ["01", "01", "01", "02", "02", "02"], "sex": ["m", "m", "w", "m", "m", "m"]}
    )
    keys = np.array([0.25, 0.5, 0.75, 0.125, 0.5, 0.25])
    dims = [Dimension.flat("st", ["01", "02"]), Dimension.flat("sex", ["m", "w"])]
    cells = count_table(records, dims, keys)
    cells["perturbed"] = perturb_table(cells, PerturbationTable.from_frame(HAND))
    got = cells.set_index(["st", "sex"])
    assert got.loc[("01", "m"), "cell_key"] == 0.75
    assert got.loc[("_T", "_T"), "cell_key"] == 0.375
    assert got["perturbed"].to_dict() == {
        ("_T", "_T"): 6,
        ("_T", "m"): 5,
        ("_T", "w"): 2,
        ("01", "_T"): 3,
        ("01", "m"): 3,
        ("01", "w"): 2,
        ("02", "_T"): 4,
        ("02", "m"): 4,
        ("02", "w"): 0,
    }
    p = got["perturbed"]
    assert p[("01", "m")] + p[("01", "w")] != p[("01", "_T")]  # not additive


def test_record_keys_stable_secret_dependent_uniform():
    ids = pd.Series([f"person-{i}" for i in range(20_000)])
    k1 = record_keys(ids, b"office-secret")
    k2 = record_keys(ids.iloc[::-1], b"office-secret")[::-1]
    assert np.array_equal(k1, k2)  # same record, same key, whatever the import order
    k3 = record_keys(ids, b"other-secret")
    assert not np.allclose(k1, k3)
    assert ((k1 >= 0) & (k1 < 1)).all()
    hist, _ = np.histogram(k1, bins=10, range=(0, 1))
    assert hist.min() > 1800 and hist.max() < 2200
    with pytest.raises(ValueError):
        record_keys(ids, b"")


PINNED_KEYS = [1831303254, 2647332960, 3328751715]


def test_record_keys_are_pinned():
    """Keys are stored per loaded version and must not change between releases: a changed
    hash (e.g. a pandas upgrade) would give new noise to the same records."""
    keys = record_keys(pd.Series(["000000001", "000000002", "BV1234567"]), b"pin")
    assert [round(k * 2**32) for k in keys] == PINNED_KEYS


@pytest.mark.parametrize("js", [0, 2])
def test_constructed_ptable_is_unbiased_with_target_variance(js):
    pt = perturbation_table(D=2, V=1.05, js=js)
    rows = pt.rows.assign(d=lambda r: r["j"] - r["i"])
    assert (rows["d"].abs() <= 2).all() and (rows["j"] >= 0).all()
    for i, g in rows.groupby("i"):
        assert g["p"].sum() == pytest.approx(1.0)
        assert (g["p"] * g["d"]).sum() == pytest.approx(0.0, abs=1e-8)  # unbiased
        if i > 0:
            assert not g["j"].between(1, js).any()  # 1..js never published
    last = rows[rows["i"] == pt.i_max]
    assert (last["p"] * last["d"] ** 2).sum() == pytest.approx(1.05, abs=1e-8)
    # zero stays zero
    assert perturb(np.array([0, 0]), np.array([0.1, 0.99]), pt).tolist() == [0, 0]
    # round trip through CSV columns i, j, p
    again = PerturbationTable.from_frame(pt.rows[["i", "j", "p"]])
    assert np.allclose(again.rows["p_int_ub"], pt.rows["p_int_ub"])


def test_ptable_rejects_bad_input():
    with pytest.raises(ValueError):
        PerturbationTable.from_frame(pd.DataFrame({"i": [0, 1], "j": [0, 0], "p": [1.0, 0.5]}))
    pt = PerturbationTable.from_frame(HAND)
    with pytest.raises(ValueError):
        perturb(np.array([1]), np.array([1.0]), pt)
    with pytest.raises(ValueError):
        perturb(np.array([1.5]), np.array([0.1]), pt)
