"""Known answers for the primary rules and their protection levels, as τ-Argus computes them
(τ-Argus manual, "sensitivity rules" and the p% example with six respondents)."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from statistics_office.disclosure import (
    Dimension,
    PrimaryRules,
    audit,
    complete_table,
    primary_levels,
    secondary_suppression,
    singletons,
)
from statistics_office.disclosure.primary import dominance_levels, p_percent_levels

# symbol x regio, income: the six respondents of the τ-Argus p% example
RESPONDENTS = [
    ("A", "Dam", 49.93),
    ("C", "Dam", 48.44),
    ("A", "Dam", 43.20),
    ("C", "City", 31.38),
    ("A", "City", 49.46),
    ("C", "City", 42.02),
]


def _six_respondents():
    frame = pd.DataFrame(RESPONDENTS, columns=["symbol", "regio", "x"])
    cells = []
    dims = [Dimension.flat("symbol", ["A", "C"]), Dimension.flat("regio", ["City", "Dam"])]
    for symbol in ("A", "C", "_T"):
        for regio in ("City", "Dam", "_T"):
            part = frame[
                ((frame.symbol == symbol) | (symbol == "_T"))
                & ((frame.regio == regio) | (regio == "_T"))
            ]["x"].sort_values(ascending=False)
            tops = list(part) + [0.0, 0.0, 0.0]
            cells.append(
                {
                    "symbol": symbol,
                    "regio": regio,
                    "value": part.sum(),
                    "n": len(part),
                    "top1": tops[0],
                    "top2": tops[1],
                    "top3": tops[2],
                }
            )
    full = complete_table(pd.DataFrame(cells), dims)
    # complete_table recomputes margins' tops from the children; the example's margins come
    # from the respondents themselves
    return full.drop(columns=["top1", "top2", "top3"]).merge(
        pd.DataFrame(cells)[["symbol", "regio", "top1", "top2", "top3"]], on=["symbol", "regio"]
    ), dims


def test_p_percent_levels_of_the_six_respondents_example():
    cells, _dims = _six_respondents()
    rules = PrimaryRules(
        min_frequency=1, magnitude=True, dominance_n=None, dominance_k=None, p_percent=10
    )  # the example applies the p% rule alone
    reason, level = primary_levels(cells, rules)
    got = {
        (s, r): round(float(lv), 2)
        for s, r, lv, why in zip(cells.symbol, cells.regio, level, reason, strict=True)
        if why is not None
    }
    expected = {("A", "Dam"): 4.99, ("A", "City"): 4.95, ("C", "Dam"): 4.84, ("C", "City"): 4.20}
    assert {k: v for k, v in got.items() if k in expected} == expected


def test_no_respondent_can_compute_another_cell_exactly():
    cells, dims = _six_respondents()
    rules = PrimaryRules(
        min_frequency=1, magnitude=True, dominance_n=None, dominance_k=None, p_percent=10
    )  # the example applies the p% rule alone
    reason, level = primary_levels(cells, rules)
    prim = reason.notna()
    single = singletons(cells) & prim.to_numpy()

    def levels(_cells):
        return level, level

    secondary = secondary_suppression(cells, dims, prim, protection_level=levels, singletons=single)
    suppressed = prim.to_numpy() | secondary.to_numpy()
    result = audit(cells, dims, suppressed, prim, protection_level=levels, singletons=single)
    assert result.passed
    # An independent check: every respondent alone in its cell knows that cell; with that
    # knowledge and every published value, no other suppressed cell is pinned down.
    values = cells["value"].to_numpy()
    for s in np.flatnonzero(single):
        for target in np.flatnonzero(suppressed):
            if target == s or cells.symbol[target] == "_T" and cells.regio[target] == "_T":
                continue
            lo, hi = _attacker_interval(cells, suppressed, known=s, target=target)
            assert hi - lo > 1e-6, (cells.iloc[s].tolist(), cells.iloc[target].tolist())
    assert values[suppressed].size >= 4


def _attacker_interval(cells, suppressed, *, known, target):
    """min/max of the target over inner cells, margins equal to what is published."""
    inner = cells[(cells.symbol != "_T") & (cells.regio != "_T")].reset_index()
    k = len(inner)
    a_eq, b_eq = [], []
    for i, row in cells.iterrows():
        if suppressed[i] and i != known:
            continue
        vec = (
            ((inner.symbol == row.symbol) | (row.symbol == "_T"))
            & ((inner.regio == row.regio) | (row.regio == "_T"))
        ).astype(float)
        a_eq.append(vec.to_numpy())
        b_eq.append(row.value)
    row = cells.iloc[target]
    c = (
        (
            ((inner.symbol == row.symbol) | (row.symbol == "_T"))
            & ((inner.regio == row.regio) | (row.regio == "_T"))
        )
        .astype(float)
        .to_numpy()
    )
    lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=[(0, None)] * k, method="highs")
    hi = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=[(0, None)] * k, method="highs")
    return lo.fun, -hi.fun


def test_dominance_level_of_one_contributor_with_95_of_100():
    cells = pd.DataFrame({"value": [100.0], "n": [3], "top1": [95.0]})
    assert dominance_levels(cells, 1, 85)[0] == pytest.approx(100 / 85 * 95 - 100)  # 11.76
    assert round(float(dominance_levels(cells, 1, 85)[0]), 2) == 11.76


def test_dominance_rule_for_three_contributors():
    cells = pd.DataFrame(
        {
            "value": [100.0, 100.0],
            "n": [5, 5],
            "top1": [40.0, 30.0],
            "top2": [30.0, 20.0],
            "top3": [20.0, 10.0],
        }
    )
    rules = PrimaryRules(magnitude=True, dominance_n=3, dominance_k=80)
    reason, level = primary_levels(cells, rules)
    assert list(reason) == ["dominance", None]
    assert level[0] == pytest.approx(100 / 80 * 90 - 100)


def test_p_percent_with_a_coalition_of_two():
    cells = pd.DataFrame(
        {"value": [100.0], "n": [4], "top1": [50.0], "top2": [25.0], "top3": [20.0]}
    )
    assert p_percent_levels(cells, 20, coalition=1)[0] == pytest.approx(10 - 25)  # safe
    assert p_percent_levels(cells, 20, coalition=2)[0] == pytest.approx(10 - 5)  # unsafe


def test_a_balance_may_be_negative_and_the_audit_knows_it():
    dims = [Dimension.flat("r", ["a", "b", "c"])]
    cells = complete_table(
        pd.DataFrame({"r": ["a", "b", "c"], "value": [-40.0, 25.0, 60.0], "n": [1, 8, 9]}), dims
    )
    prim = pd.Series(cells["r"].eq("a").to_numpy(), index=cells.index)
    suppressed = prim | cells["r"].eq("b")
    # Assuming every cell >= 0, a = 45 - b - c leaves a narrow range; with a free sign the
    # attacker cannot bound it at all.
    free = audit(
        cells,
        dims,
        suppressed,
        prim,
        protection_pct=10,
        lower_bounds=np.full(len(cells), -np.inf),
    )
    row = free.intervals[free.intervals["r"] == "a"].iloc[0]
    assert row["lower"] == -np.inf


def test_a_margin_whose_contributors_all_sit_in_one_inner_cell_is_flagged():
    from statistics_office.disclosure import group_disclosure

    dims = [Dimension.flat("bezirk", ["a", "b"]), Dimension.flat("art", ["x", "y"])]
    cells = complete_table(
        pd.DataFrame(
            {
                "bezirk": ["a", "a", "b", "b"],
                "art": ["x", "y", "x", "y"],
                "value": [500.0, 0.0, 200.0, 300.0],
                "n": [7, 0, 4, 5],
            }
        ),
        dims,
    )
    flagged = dict(
        zip(zip(cells.bezirk, cells.art, strict=True), group_disclosure(cells, dims), strict=True)
    )
    # every case of Bezirk a has kind x: its margin tells each one's kind
    assert flagged[("a", "_T")]
    assert not flagged[("b", "_T")]
    assert not flagged[("_T", "_T")]
