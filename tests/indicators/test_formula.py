"""The pure core: indicators from protected cells; a sign is carried, never a made-up number."""

import pytest

from indicators import formula


def cell(value, flag="", **extra):
    return {"value": value, "flag": flag, **extra}


SECRET = cell(None, "secret")
BLOCKED = cell(None, "origin", origin_status="x")


def test_ratio_share_and_per_thousand_scale_the_quotient():
    assert formula.compute("ratio", cell(25), cell(100), decimals=2).value == 0.25
    assert formula.compute("share", cell(25), cell(100)).value == 25.0
    assert formula.compute("per_1000", cell(144), cell(2950), decimals=1).value == 48.8


def test_a_suppressed_numerator_suppresses_the_ratio():
    result = formula.compute("per_1000", SECRET, cell(2950))
    assert result.value is None and result.flag == "secret"


def test_a_suppressed_denominator_suppresses_the_ratio():
    result = formula.compute("share", cell(12), SECRET).as_cell()
    assert result == {"value": None, "flag": "secret"}


def test_the_strongest_sign_wins_when_both_carry_one():
    result = formula.compute("ratio", SECRET, BLOCKED).as_cell()
    assert result["flag"] == "origin" and result["origin_status"] == "x"
    slash = cell(None, "origin", origin_status="/")
    assert formula.compute("ratio", slash, SECRET).flag == "secret"


def test_a_rate_of_nobody_is_blocked_not_zero():
    result = formula.compute("share", cell(0, "zero"), cell(0, "zero")).as_cell()
    assert result["flag"] == "origin" and result["origin_status"] == "x"


def test_a_true_zero_numerator_gives_a_true_zero_rate():
    result = formula.compute("share", cell(None, "zero"), cell(80))
    assert result.flag == "zero" and result.value == 0.0


def test_a_missing_cell_is_not_available():
    result = formula.compute("ratio", None, cell(10)).as_cell()
    assert result["origin_status"] == "..."


def test_difference_and_change():
    assert formula.compute("difference", cell(120), cell(80)).value == 40.0
    assert formula.compute("change", cell(98), cell(100)).value == -2.0
    assert formula.compute("change_pct", cell(110), cell(100)).value == 10.0


def test_value_passes_a_number_and_keeps_a_secret():
    assert formula.compute("value", cell(7), decimals=0).value == 7
    assert formula.compute("value", SECRET).flag == "secret"


def test_unknown_kind_is_refused():
    with pytest.raises(formula.FormulaError):
        formula.compute("mean_of_ratios", cell(1), cell(2))


def test_ranks_share_ties_and_skip_areas_with_a_sign():
    results = {
        "01": cell(5.0),
        "02": cell(9.0),
        "03": cell(9.0),
        "04": SECRET,
        "05": cell(0.0, "zero"),
    }
    assert formula.ranks(results) == {"02": 1, "03": 1, "01": 3, "05": 4}


def test_difference_to_the_city_needs_two_numbers():
    assert formula.difference(cell(12.5), cell(10.0)) == 2.5
    assert formula.difference(SECRET, cell(10.0)) is None


def test_formula_text_names_numerator_and_denominator():
    text = formula.formula_text("per_1000", "Leistungsfälle SGB II", "Einwohner 15–64")
    assert text == "Leistungsfälle SGB II / Einwohner 15–64 × 1.000"
