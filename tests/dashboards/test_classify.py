"""Choropleth classes: each method's breaks on small, known series."""

import pytest

from dashboards import classify

VALUES = [1, 2, 3, 10, 11, 12, 30, 31, 32]


def test_equal_intervals_split_the_range_evenly():
    assert classify.breaks(VALUES, "equal", 3) == pytest.approx([11.333, 21.667, 32], abs=1e-3)


def test_quantiles_put_as_many_units_in_each_class():
    bounds = classify.breaks(VALUES, "quantile", 3)
    assert bounds == [3, 12, 32]
    classes = [classify.class_of(v, bounds) for v in VALUES]
    assert [classes.count(k) for k in range(3)] == [3, 3, 3]


def test_natural_breaks_find_the_clusters():
    assert classify.breaks([1, 2, 30, 3, 31, 10, 11, 12, 32], "jenks", 3) == [3, 12, 32]


def test_manual_breaks_are_the_builders_own_and_end_at_the_maximum():
    assert classify.breaks(VALUES, "manual", manual=[5, 20]) == [5, 20, 32]


def test_fewer_distinct_values_give_fewer_classes():
    assert classify.breaks([4, 4, 4], "quantile", 5) == [4]
    assert classify.breaks([], "jenks", 5) == []


def test_class_labels_run_from_the_lowest_value():
    assert classify.labels([3, 12, 32], 1) == ["1 – 3", "3 – 12", "12 – 32"]
