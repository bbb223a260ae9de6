"""German statistical notation, header-less files and the layouts of official statistics, on
small tables straight through the pure core (no Django)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from departments.importing import genesis, notation, transform
from departments.importing.layout import STRING_DTYPE, ReadResult, looks_like_data
from departments.importing.readers import read_table
from departments.importing.schema import (
    propose_mapping,
    stored_field_types,
    validate_schema_descriptor,
)
from departments.importing.validation import validate


def text(*values):
    return pa.chunked_array([pa.array(list(values), pa.large_string())])


def measure(values, **kwargs):
    kwargs.setdefault("kind", "integer")
    kwargs.setdefault("decimal", ",")
    result = notation.read_measure(text(*values), **kwargs)
    status = result.status.to_pylist() if result.status is not None else None
    return result.values.to_pylist(), status, result.bad.tolist()


def test_signs_become_statuses_and_a_dash_is_a_true_zero():
    cells = ["12", "-", "–", ".", "x", "/", "…", "..."]
    values, status, bad = measure(cells, signs=notation.STATUS_CODES)
    assert values == [12, 0, 0, None, None, None, None, None]
    assert status == [None, "-", "-", ".", "x", "/", "...", "..."]
    assert not any(bad)


def test_a_sign_the_schema_does_not_accept_is_an_error():
    _values, _status, bad = measure(["12", "x"], signs=("-", "."))
    assert bad == [False, True]


def test_space_and_dot_thousands_padded_cells_and_spaced_negatives():
    values, _status, bad = measure(["1 675", "1.374", "-  23", "12\u202f345", "- 1 204"])
    assert values == [1675, 1374, -23, 12345, -1204]
    assert not any(bad)


def test_percent_strings_are_numbers():
    values, _status, bad = measure(["35,5%", "45%", "43,00%", "9,7 %"], kind="number", percent=True)
    assert values == [35.5, 45.0, 43.0, 9.7]
    assert not any(bad)


def test_a_bare_zero_is_less_than_half_the_unit_only_where_the_schema_says_so():
    _values, status, _bad = measure(["0", "3"], signs=("-", "0"))
    assert status == ["0", None]
    _values, status, _bad = measure(["0", "3"], signs=("-",))
    assert status == [None, None]


def test_the_decimal_sign_is_decided_per_column():
    assert notation.column_decimal(["1.374", "2.191", "999"]) == ","
    assert notation.column_decimal(["35,5%", "45,2%"]) == ","
    assert notation.column_decimal(["118.65", "56.73"]) == "."
    assert notation.column_decimal(["12", "13"]) is None


def test_a_first_row_with_the_types_of_the_rows_below_is_a_record():
    rows = [["02 Neustadt", "", "2.191", "45,2%"], ["03 Nordstadt", "", "5.782", "46,2%"]]
    assert looks_like_data(["01 Altstadt", "", "1.374", "35,5%"], rows)
    assert not looks_like_data(["Stadtteil", "", "Anzahl", "Anteil"], rows)
    years = [["altstadt", "3486", "3470"], ["neustadt", "4880", "4901"]]
    assert not looks_like_data(["stadtteil", "2019", "2020"], years)


def test_a_file_without_header_loses_no_row(tmp_path):
    path = tmp_path / "ohne_kopf.csv"
    path.write_text('01 Altstadt,,1.374,"35,5%"\r\n02 Neustadt,,2.191,"45,2%"\r\n')
    read = read_table(path, filename=path.name)
    assert not read.has_header
    assert list(read.frame.columns) == ["spalte_1", "spalte_2", "spalte_3", "spalte_4"]
    assert read.frame["spalte_3"].tolist() == ["1.374", "2.191"]
    assert read.row_numbers.tolist() == [1, 2]


def test_stacked_headers_give_unique_names_and_merged_cells_span_right():
    header = [["", "Bevölkerung", "", "", "Fläche"], ["", "insgesamt", "männlich", "männlich", ""]]
    assert genesis.combine_headers(header, 5) == [
        "",
        "Bevölkerung insgesamt",
        "Bevölkerung männlich",
        "Bevölkerung männlich (2)",
        "Fläche",
    ]


def test_genesis_table_levels_come_from_the_indentation_of_the_names():
    rows = [
        ["GENESIS-Tabelle: 12411-01-01-4", "", ""],
        ["", "", "Insgesamt"],
        ["", "", "Anzahl"],
        ["DG", "Deutschland", "100"],
        ["01", "  Schleswig-Holstein", "60"],
        ["01001", "    Flensburg", "10"],
        ["01099", "    Altkreis", "-"],
        ["__________", "", ""],
        ["Stand: 20.06.2024 / 10:31:12", "", ""],
    ]
    table = genesis.read_genesis_table(rows)
    assert table.names == ["code", "name", "Insgesamt", "ebene"]
    assert [row[3] for row in table.rows] == ["1", "2", "3"]
    assert table.details["units_without_data"] == ["01099"]
    assert table.details["stand"] == "2024-06-20"
    assert table.details["units"] == {"Insgesamt": "Anzahl"}


def test_ffcsv_value_column_names_carry_code_label_and_unit():
    assert genesis.ffcsv_value_column("     FLC006__Gebietsflaeche__qkm") == {
        "code": "FLC006",
        "label": "Gebietsflaeche",
        "unit": "qkm",
        "quality": False,
    }
    assert genesis.ffcsv_value_column("BEVSTD__Bevoelkerungsstand__Anzahl__q")["quality"]


def test_wide_year_columns_become_rows():
    frame = pd.DataFrame(
        {"Stadtteil": ["Altstadt"], "Anzahl_2018": ["554"], "Anzahl_2019": ["532"]},
        dtype=STRING_DTYPE,
    )
    long, rows = transform.wide_to_long(frame, np.array([2]), {"key": "jahr"})
    assert long.to_dict("list") == {
        "Stadtteil": ["Altstadt", "Altstadt"],
        "jahr": ["2018", "2019"],
        "Anzahl": ["554", "532"],
    }
    assert rows.tolist() == [2, 2]


def test_names_written_otherwise_are_matched_to_the_code_list():
    values = pd.Series(["westliche_hoehe", "Mürwik", "muerwik", "Nirgendwo"], dtype=STRING_DTYPE)
    matched = transform.match_code_list(values, ["Westliche Höhe", "Mürwik"])
    assert matched.tolist() == ["Westliche Höhe", "Mürwik", "Mürwik", "Nirgendwo"]


def _read(frame):
    return ReadResult(
        frame=frame.astype(STRING_DTYPE),
        encoding="utf-8",
        delimiter=";",
        decimal=",",
        header_line=1,
        row_numbers=np.arange(2, 2 + len(frame)),
    )


def test_statuses_are_kept_next_to_values_and_stored_with_the_version():
    schema = {
        "fields": [
            {"name": "stadtteil", "type": "string"},
            {"name": "personen", "type": "integer", "statusSigns": ["-", "."]},
            {"name": "notiz", "type": "string", "role": "auxiliary"},
        ],
        "missingValues": ["", "k. A."],
    }
    assert validate_schema_descriptor(schema) == []
    frame = pd.DataFrame(
        {
            "stadtteil": ["A", "B", "C"],
            "personen": [" 1 675 ", ".", "-"],
            "notiz": ["k. A.", "x", "y"],
        }
    )
    read = _read(frame)
    result = validate(read, schema, propose_mapping(list(read.frame.columns), schema))
    assert result.ok, result.findings
    assert result.typed["personen"].tolist() == [1675, pd.NA, 0]
    assert result.typed["personen__status"].tolist() == [pd.NA, ".", "-"]
    assert result.typed["notiz"].isna().tolist() == [True, False, False]
    assert stored_field_types(schema) == {
        "stadtteil": "string",
        "personen": "integer",
        "personen__status": "string",
    }


@pytest.mark.parametrize(
    "field,problem",
    [
        ({"name": "a", "type": "integer", "statusSigns": ["?"]}, "statusSigns"),
        ({"name": "a", "role": "chef"}, "Rolle"),
        ({"name": "a", "type": "number", "decimalChar": ",,"}, "decimalChar"),
        ({"name": "a", "personal": "name", "personalDecision": "maybe"}, "personalDecision"),
    ],
)
def test_schema_keys_of_german_notation_and_roles_are_checked(field, problem):
    problems = validate_schema_descriptor({"fields": [field]})
    assert any(problem in p for p in problems), problems
