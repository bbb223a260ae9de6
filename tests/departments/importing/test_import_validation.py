"""Type and constraint rules on small in-memory tables."""

import numpy as np
import pandas as pd
import pytest

from departments.importing.layout import STRING_DTYPE, ReadResult
from departments.importing.messages import describe
from departments.importing.schema import propose_mapping
from departments.importing.validation import validate


def read_of(columns: dict, decimal=",") -> ReadResult:
    frame = pd.DataFrame({k: pd.Series(v, dtype=STRING_DTYPE) for k, v in columns.items()})
    return ReadResult(
        frame=frame,
        encoding="utf-8",
        delimiter=";",
        decimal=decimal,
        header_line=1,
        row_numbers=np.arange(2, len(frame) + 2),
    )


def check(schema_fields, columns, decimal=",", **schema_extra):
    schema = {"fields": schema_fields, **schema_extra}
    read = read_of(columns, decimal)
    return validate(read, schema, propose_mapping(list(columns), schema))


def rules(result):
    return {(f.rule, f.severity) for f in result.findings}


def test_german_integers_with_thousands_separators():
    result = check([{"name": "n", "type": "integer"}], {"n": ["1.234", "12", "-7", "1.000.000"]})
    assert result.ok
    assert list(result.typed["n"]) == [1234, 12, -7, 1_000_000]


def test_integer_grouping_must_be_in_threes():
    result = check([{"name": "n", "type": "integer"}], {"n": ["1.23", "5"]})
    assert ("type_integer", "error") in rules(result)


def test_decimal_comma_and_dot_files():
    comma = check([{"name": "x", "type": "number"}], {"x": ["1.234,5", "0,25", "-3"]})
    dot = check([{"name": "x", "type": "number"}], {"x": ["1,234.5", "0.25", "-3"]}, decimal=".")
    assert comma.ok and dot.ok
    assert list(comma.typed["x"]) == list(dot.typed["x"]) == [1234.5, 0.25, -3.0]


def test_number_too_large_for_64_bit_integer_is_an_error():
    result = check([{"name": "n", "type": "integer"}], {"n": ["9" * 20, "1"]})
    (found,) = [f for f in result.findings if f.rule == "too_large"]
    assert found.rows == (2,)
    assert result.typed["n"].isna().tolist() == [True, False]


def test_dates_german_and_iso_and_impossible():
    result = check(
        [{"name": "d", "type": "date"}],
        {"d": ["31.12.2023", "2023-12-31", "1.2.2024", "31.02.2023", "2023-13-01", "morgen"]},
    )
    typed = result.typed["d"]
    assert typed.dtype == "datetime64[ns]"
    assert typed[0] == typed[1] == pd.Timestamp("2023-12-31")
    assert typed[2] == pd.Timestamp("2024-02-01")
    found = {f.rule: f for f in result.findings}
    assert found["date_invalid"].count == 2
    assert found["date_invalid"].rows == (5, 6)
    assert found["type_date"].values == ("morgen",)


def test_booleans_in_german_and_english():
    values = ["ja", "Nein", "TRUE", "false", "1", "0", "x", None]
    result = check([{"name": "b", "type": "boolean"}], {"b": values})
    assert result.ok
    assert result.typed["b"].tolist() == [True, False, True, False, True, False, True, pd.NA]


def test_strings_keep_leading_zeros_and_umlauts():
    result = check([{"name": "s", "type": "string"}], {"s": ["007", " Müller ", "ß"]})
    assert result.typed["s"].tolist() == ["007", "Müller", "ß"]


def test_required_unique_and_primary_key():
    fields = [
        {"name": "a", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "b", "type": "integer"},
    ]
    result = check(fields, {"a": ["1", "1", " ", "2"], "b": ["1", "1", "2", "3"]})
    found = {f.rule: f for f in result.findings}
    assert found["required"].rows == (4,)
    assert found["unique"].rows == (2, 3)
    pk = check(
        [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}],
        {"a": ["1", "1", "2"], "b": ["5", "5", "5"]},
        primaryKey=["a", "b"],
    )
    (key,) = [f for f in pk.findings if f.rule == "primary_key"]
    assert key.count == 2 and key.values[0] == "1 / 5"


def test_enum_pattern_and_bounds():
    fields = [
        {"name": "st", "type": "string", "constraints": {"enum": ["01", "02"], "pattern": r"\d\d"}},
        {"name": "n", "type": "number", "constraints": {"minimum": 0, "maximum": 10}},
    ]
    result = check(fields, {"st": ["01", "1", "03"], "n": ["-1", "5", "10,5"]})
    found = {f.rule: f for f in result.findings}
    assert found["enum"].values == ("1", "03")
    assert found["pattern"].values == ("1",)
    assert found["minimum"].rows == (2,)
    assert found["maximum"].rows == (4,)
    assert "Höchstwert 10" in describe(found["maximum"])


def test_formula_cells_are_errors_but_negative_numbers_are_fine():
    result = check(
        [{"name": "s", "type": "string"}, {"name": "n", "type": "number"}],
        {
            "s": ['=HYPERLINK("x")', "+cmd", "-Abc", "@SUM(A1)", "-", "Bad Homburg"],
            "n": ["-5", "+3", "=1+2", "1", "2", "3"],
        },
    )
    formula = [f for f in result.findings if f.rule == "formula"]
    assert {f.column: f.count for f in formula} == {"s": 4, "n": 1}
    assert not [f for f in result.findings if f.rule == "type_number"]


def test_extra_columns_are_warnings_not_errors():
    result = check([{"name": "a", "type": "string"}], {"a": ["x"], "Bemerkung": ["y"]})
    assert result.ok
    assert ("column_extra", "warning") in rules(result)


def test_validation_handles_a_hundred_thousand_rows_without_row_loops():
    n = 100_000
    result = check(
        [{"name": "d", "type": "date"}, {"name": "n", "type": "integer"}],
        {"d": ["01.01.2000"] * n, "n": [str(i) for i in range(n)]},
    )
    assert result.ok
    assert result.typed["n"].sum() == pytest.approx(n * (n - 1) / 2)
