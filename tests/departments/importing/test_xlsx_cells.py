"""Workbook cells converted a column at a time give exactly the text of the one-cell rule."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from departments.importing.xlsx_cells import cell_text, column_text

EDGES = [
    None,
    "",
    "text",
    " 1 675 ",
    0.0,
    -0.0,
    3.0,
    -23.0,
    622.49,
    0.1,
    0.30000000000000004,
    1e-05,
    0.0001,
    123456789.123,
    1e15,
    1e20,
    -1.5e-7,
    float("nan"),
    float("inf"),
    True,
    False,
    7,
    2**70,
    dt.date(2024, 1, 1),
    dt.datetime(2024, 1, 2),
    dt.datetime(2024, 1, 2, 3, 4, 5, 678),
    dt.time(12, 30),
    dt.timedelta(hours=3),
]


def one_by_one(values, decimal):
    return [cell_text(v, decimal) for v in values]


def test_a_mixed_column_reads_as_its_cells_one_by_one():
    for decimal in (".", ","):
        assert column_text(EDGES, decimal).to_pylist() == one_by_one(EDGES, decimal)


def test_a_column_of_one_type_reads_as_its_cells_one_by_one():
    floats = [622.49, 3.0, None, 0.30000000000000004, 1e20, 1234.5]
    dates = [dt.date(2024, 1, 1), None, dt.date(1999, 12, 31)]
    stamps = [dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 2, 23, 59, 59)]
    for column in (floats, dates, stamps, ["a", "", None], [1, 2, 3], [True, None]):
        assert column_text(column, ",").to_pylist() == one_by_one(column, ",")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=50))
def test_any_floats_read_as_the_one_cell_rule_says(values):
    for decimal in (".", ","):
        assert column_text(values, decimal).to_pylist() == one_by_one(values, decimal)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.integers(-(10**6), 10**6).map(float),
            st.decimals(-10000, 10000, places=2, allow_nan=False).map(float),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_a_column_of_amounts_and_empty_cells_reads_as_its_cells_one_by_one(values):
    """The common column of an export (whole numbers, cents, gaps) goes straight to Arrow."""
    for decimal in (".", ","):
        assert column_text(values, decimal).to_pylist() == one_by_one(values, decimal)
