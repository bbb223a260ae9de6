"""The table model and primary protection (no database needed)."""

import numpy as np
import pandas as pd
import pytest

from statistics_office.disclosure import (
    Dimension,
    PrimaryRules,
    additive_constraints,
    complete_table,
    constraint_matrix,
    primary_suppression,
)


def _dims():
    bezirk = Dimension(
        "bezirk", {"011": "01", "012": "01", "021": "02", "022": "02", "01": "_T", "02": "_T"}
    )
    sex = Dimension.flat("sex", ["m", "w"])
    return [bezirk, sex]


def test_dimension_levels_and_validation():
    bezirk, sex = _dims()
    assert bezirk.codes == ["_T", "01", "02", "011", "012", "021", "022"]
    assert bezirk.leaves == ["011", "012", "021", "022"]
    assert bezirk.ancestors("012") == ["012", "01", "_T"]
    assert sex.children == {"_T": ["m", "w"]}
    with pytest.raises(ValueError):
        Dimension("bad", {"a": "b"})  # b does not lead to the total
    with pytest.raises(ValueError):
        Dimension("bad", {"a": "b", "b": "a"})


def test_complete_table_fills_zeros_and_margins():
    dims = _dims()
    bottom = pd.DataFrame(
        {"bezirk": ["011", "011", "012", "021"], "sex": ["m", "w", "m", "w"], "n": [10, 1, 8, 9]}
    )
    cells = complete_table(bottom, dims)
    assert len(cells) == 7 * 3
    get = cells.set_index(["bezirk", "sex"])["value"]
    assert get["022", "m"] == 0 and get["022", "_T"] == 0  # filled-in zero cells
    assert get["01", "m"] == 18 and get["01", "_T"] == 19
    assert get["_T", "_T"] == 28 and get["_T", "w"] == 10
    # every relation holds
    A = constraint_matrix(cells, dims)
    assert np.allclose(A @ cells["value"].to_numpy(dtype=float), 0)
    # one relation per parent code and combination of the other dimension's codes:
    # bezirk: parents 01, 02, _T times 3 sex codes; sex: parent _T times 7 bezirk codes
    assert len(additive_constraints(cells, dims)) == 3 * 3 + 7


def test_complete_table_top_contributions_of_margins():
    dims = [Dimension.flat("a", ["x", "y"])]
    bottom = pd.DataFrame(
        {"a": ["x", "y"], "value": [100.0, 50.0], "n": [3, 2], "top1": [60, 45], "top2": [30, 5]}
    )
    cells = complete_table(bottom, dims).set_index("a")
    # the margin's two largest contributions are the two largest among all children's
    assert cells.loc["_T", "top1"] == 60 and cells.loc["_T", "top2"] == 45
    assert cells.loc["_T", "value"] == 150 and cells.loc["_T", "n"] == 5


def test_complete_table_rejects_unknown_codes():
    with pytest.raises(ValueError):
        complete_table(pd.DataFrame({"sex": ["x"], "n": [1]}), [Dimension.flat("sex", ["m"])])


def test_primary_frequency_rule_zeros_stay_visible():
    cells = pd.DataFrame({"n": [0, 1, 2, 3, 10], "value": [0, 1, 2, 3, 10]})
    reasons = primary_suppression(cells, PrimaryRules())
    assert reasons.tolist() == [None, "frequency", "frequency", None, None]
    reasons5 = primary_suppression(cells, PrimaryRules(min_frequency=4))
    assert reasons5.tolist() == [None, "frequency", "frequency", "frequency", None]


def test_primary_magnitude_rules_known_answer():
    """Worked by hand (rules as in the τ-Argus manual, section on sensitivity rules).

    A: top1 90 of 100 > 85 %                     -> dominance (1, 85)
    B: 100 - 50 - 46 = 4 < 10 % of 50 = 5         -> p% (p = 10); (1,85): 50 <= 85 no
    C: n = 2 < 3                                  -> frequency (takes precedence)
    D: 100 - 30 - 20 = 50 >= 3; 30 <= 85          -> none
    E: empty cell                                  -> none (zeros stay visible)
    F: 100 - 50 - 45 = 5, not < 5                  -> none (boundary of the p% rule)
    G: top1 85 of 100 is not > 85 %; 100-85-10 = 5 < 8.5 -> p%
    """
    cells = pd.DataFrame(
        {
            "value": [100.0, 100, 100, 100, 0, 100, 100],
            "n": [5, 5, 2, 10, 0, 5, 4],
            "top1": [90.0, 50, 60, 30, 0, 50, 85],
            "top2": [5.0, 46, 40, 20, 0, 45, 10],
        },
        index=list("ABCDEFG"),
    )
    rules = PrimaryRules(dominance_n=1, dominance_k=85.0, p_percent=10.0, magnitude=True)
    reasons = primary_suppression(cells, rules)
    assert reasons.to_dict() == {
        "A": "dominance",
        "B": "p_percent",
        "C": "frequency",
        "D": None,
        "E": None,
        "F": None,
        "G": "p_percent",
    }
    # (2, 90) rule: top1 + top2 > 90 %
    two = primary_suppression(
        cells, PrimaryRules(dominance_n=2, dominance_k=90.0, p_percent=None, magnitude=True)
    )
    assert two.to_dict() == {
        "A": "dominance",
        "B": "dominance",
        "C": "frequency",
        "D": None,
        "E": None,
        "F": "dominance",
        "G": "dominance",
    }
    # a count table ignores the magnitude rules
    assert primary_suppression(cells, PrimaryRules()).notna().sum() == 1
