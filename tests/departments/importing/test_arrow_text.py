"""The buffer-level shortcuts over Arrow text give what the full kernels give."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from departments.importing import arrowtext, chunks
from departments.importing.layout import STRING_DTYPE

CELLS = ["abc", " a", "b ", "\u00a0x", "x\u3000", "", None, "=1", "+a", "-", "@x", "ä", "12", "\t"]


@pytest.mark.parametrize("offset", [0, 1, 3])
@pytest.mark.parametrize("large", [True, False])
def test_trim_and_formula_shortcuts_agree_with_kernels(offset, large):
    kind = pa.large_string() if large else pa.string()
    text = pa.chunked_array([pa.array(CELLS * 3, kind).slice(offset), pa.array(CELLS, kind)])
    trimmed = pc.utf8_trim_whitespace(text)
    changed = np.asarray(
        pc.fill_null(pc.or_(pc.not_equal(trimmed, text), pc.equal(text, "")), False), dtype=bool
    )
    may = arrowtext.may_need_trim(text)
    assert not (changed & ~may).any()  # never misses a cell that trimming would change
    first = pc.utf8_slice_codeunits(text, 0, 1)
    expected = np.asarray(
        pc.fill_null(pc.is_in(first, value_set=pa.array(list("=+-@"), kind)), False), dtype=bool
    )
    assert (arrowtext.starts_with_any(text, b"=+-@") == expected).all()


def test_digit_identifiers_become_integers_only_when_one_to_one():
    assert arrowtext.as_integers(pa.array(["007", "010", "100"])).tolist() == [7, 10, 100]
    assert arrowtext.as_integers(pa.array(["07", "7"])) is None  # lengths differ
    assert arrowtext.as_integers(pa.array(["+1", "01"])) is None  # a sign
    assert arrowtext.as_integers(pa.array(["0a", "01"])) is None
    assert arrowtext.as_integers(pa.array(["01", None])) is None


@pytest.mark.parametrize(
    "values",
    [
        ["001", "002", "001", None, "003", "002", "001"],
        ["a", "b", "a", None, "c", "b", "a"],
        ["1", "22", "1", "22"],
    ],
)
def test_duplicate_keys_over_chunks_report_later_repeats(values):
    parts = [pd.Series(values[:3], dtype=STRING_DTYPE), pd.Series(values[3:], dtype=STRING_DTYPE)]
    schema = {"fields": [{"name": "id", "constraints": {"unique": True}}]}
    rows = np.arange(10, 10 + len(values))
    [finding] = chunks.duplicate_keys(schema, {"id": parts}, rows)
    series = pd.Series(values)
    expected = np.flatnonzero((series.duplicated() & series.notna()).to_numpy())
    assert finding.count == len(expected)
    assert list(finding.rows) == [int(rows[i]) for i in expected[:5]]
    assert list(finding.values) == [values[i] for i in expected[:5]]
