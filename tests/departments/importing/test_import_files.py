"""The bad-input suite: every awkward export a department may upload, end to end through
read_table → propose_mapping → validate, with the German sentence the analyst will read."""

import datetime as dt

import pandas as pd
import pytest

from departments.importing.findings import RULES, ReadError
from departments.importing.messages import describe
from departments.importing.readers import read_table
from departments.importing.schema import propose_mapping
from departments.importing.validation import validate
from tests.factories import FILES
from tests.factories import RESIDENT_FILES_SCHEMA as RESIDENT_SCHEMA

# file -> (rule, first row the analyst should be pointed to or None, read_table kwargs)
BAD_FILES = {
    "empty.csv": ("empty_file", None, {}),
    "only_blank_lines.csv": ("empty_file", None, {}),
    "bom_only.csv": ("empty_file", None, {}),
    "header_only.csv": ("header_only", 1, {}),
    "header_only_with_note.csv": ("header_only", 1, {}),
    "one_mb_single_line.csv": ("header_only", 1, {}),
    "one_mb_no_delimiter.csv": ("single_column", None, {}),
    "single_column.csv": ("single_column", None, {}),
    "binary_renamed.csv": ("binary_file", None, {}),
    "elf_renamed.csv": ("binary_file", None, {}),
    "invalid_encoding.csv": ("encoding_unknown", 1, {}),
    "ragged_too_many.csv": ("ragged_row", 4, {}),
    "ragged_too_few.csv": ("ragged_row", 5, {}),
    "unclosed_quote.csv": ("ragged_row", 3, {}),
    "duplicate_columns.csv": ("column_duplicate", None, {}),
    "unnamed_column_with_data.csv": ("column_unnamed", 1, {}),
    "missing_required_column.csv": ("column_missing", None, {}),
    "impossible_date.csv": ("date_invalid", 4, {}),
    "placeholder_date.csv": ("date_invalid", 2, {}),
    "date_wrong_format.csv": ("type_date", 5, {}),
    "integer_text.csv": ("type_integer", 3, {}),
    "integer_fraction.csv": ("type_integer", 3, {}),
    "huge_integer.csv": ("too_large", 6, {}),
    "number_text.csv": ("type_number", 4, {}),
    "number_dot_in_comma_file.csv": ("type_number", 4, {}),
    "stadtteil_not_in_list.csv": ("enum", 5, {}),
    "stadtteil_without_zero.csv": ("enum", 2, {}),
    "sex_not_in_list.csv": ("enum", 3, {}),
    "required_missing.csv": ("required", 4, {}),
    "duplicate_id.csv": ("unique", 2, {}),
    "pattern_violation.csv": ("pattern", 3, {}),
    "below_minimum.csv": ("minimum", 2, {}),
    "above_maximum.csv": ("maximum", 2, {}),
    "born_before_minimum.csv": ("minimum", 2, {}),
    "formula_hyperlink.csv": ("formula", 4, {}),
    "formula_at.csv": ("formula", 3, {}),
    "boolean_text.csv": ("type_boolean", 2, {}),
    "too_large.csv": ("file_too_large", None, {"max_bytes": 100}),
    "legacy.xls": ("xls_legacy", None, {}),
    "encrypted.xlsx": ("encrypted", None, {}),
    "text_named.xlsx": ("xlsx_invalid", None, {}),
    "corrupt_zip.xlsx": ("xlsx_invalid", None, {}),
    "word_renamed.xlsx": ("xlsx_invalid", None, {}),
    "zip_bomb.xlsx": ("zip_bomb", None, {}),
    "xlsx_header_only.xlsx": ("header_only", 1, {}),
    "xlsx_impossible_date.xlsx": ("date_invalid", 4, {}),
    "xlsx_missing_sheet.xlsx": ("sheet_missing", None, {"sheet": "Tabelle1"}),
}


def run(name, saved=None, **kwargs):
    read = read_table(FILES / name, filename=name, **kwargs)
    mapping = propose_mapping(list(read.frame.columns), RESIDENT_SCHEMA, saved)
    return read, validate(read, RESIDENT_SCHEMA, mapping)


def test_suite_has_at_least_thirty_bad_files():
    assert len(BAD_FILES) >= 30
    assert all((FILES / name).exists() for name in BAD_FILES)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_refused_with_a_german_explanation(name):
    rule, row, kwargs = BAD_FILES[name]
    try:
        _, result = run(name, **kwargs)
    except ReadError as problem:
        found = problem.finding
    else:
        matching = [f for f in result.errors if f.rule == rule]
        assert matching, [(f.rule, f.column) for f in result.findings]
        found = matching[0]
    assert found.rule == rule
    assert found.severity == "error"
    text = describe(found)
    assert text.endswith(".") and "Unbekanntes Problem" not in text
    if found.column:
        assert f"„{found.column}“" in text
    if row is not None:
        assert found.rows[0] == row
        assert f"Zeile {row}" in text or f"Zeilen {row}" in text


def test_impossible_date_message_reads_like_the_analyst_expects():
    _, result = run("impossible_date.csv")
    (found,) = [f for f in result.errors if f.rule == "date_invalid"]
    assert describe(found) == (
        "Spalte „Geburtsdatum“: 1 Wert ist kein gültiges Datum (Zeile 4; z. B. „31.02.2023“). "
        "Erwartet wird TT.MM.JJJJ."
    )


GOOD_FILES = [
    "good_semicolon_utf8.csv",
    "good_utf8_bom.csv",
    "good_cp1252_umlauts.csv",
    "good_comma.csv",
    "good_tab.tsv",
    "good_pipe.csv",
    "good_utf16.csv",
    "good_decimal_comma.csv",
    "good_iso_dates.csv",
    "good_title_footer.csv",
    "good_multi_sheet.xlsx",
]


@pytest.mark.parametrize("name", GOOD_FILES)
def test_good_file_imports_with_correct_values(name):
    read, result = run(name)
    assert result.errors == [], [describe(f) for f in result.errors]
    typed = result.typed
    assert list(typed["person_id"])[:3] == ["000123", "000124", "010125"]
    assert typed["staatsangehoerigkeit"][1].startswith("österreichisch")
    assert typed["staatsangehoerigkeit"][4] == "französisch"
    assert typed["geburtsdatum"][2] == pd.Timestamp(dt.date(2000, 2, 29))
    assert typed["miete"][0] == pytest.approx(1234.5)
    assert typed["miete"][4] == pytest.approx(2000.75)
    assert typed["haushalt_personen"].dtype == "Int64"
    assert list(typed["haushalt_personen"]) == [2, 1, 4, 3, 1]
    assert list(typed["deutsch"]) == [True, False, False, True, True]
    assert list(typed["stadtteil"]) == ["01", "02", "13", "07", "09"]
    assert len(result.row_numbers) == 5


def test_title_lines_and_footnotes_are_skipped_and_counted():
    read, result = run("good_title_footer.csv")
    assert read.header_line == 4
    assert read.title_lines == 2
    assert read.dropped_footer_lines == 2
    assert list(result.row_numbers) == [5, 6, 7, 8, 9]


def test_detected_layout_of_awkward_files():
    assert read_table(FILES / "good_cp1252_umlauts.csv", filename="x.csv").encoding == "cp1252"
    assert read_table(FILES / "good_utf8_bom.csv", filename="x.csv").encoding == "utf-8-sig"
    comma = read_table(FILES / "good_comma.csv", filename="x.csv")
    assert (comma.delimiter, comma.decimal) == (",", ".")
    semicolon = read_table(FILES / "good_semicolon_utf8.csv", filename="x.csv")
    assert (semicolon.delimiter, semicolon.decimal) == (";", ",")


def test_xlsx_reads_first_non_empty_sheet_and_excel_rows():
    read = read_table(FILES / "good_multi_sheet.xlsx", filename="x.xlsx")
    assert read.sheet == "Einwohner"
    assert read.sheet_names == ["Leer", "Einwohner", "Andere"]
    assert read.header_line == 3
    assert list(read.row_numbers) == [4, 5, 6, 7, 8]
    assert read.frame["Geburtsdatum"][0] == "01.02.1980"
    assert read.frame["Personen im Haushalt"][0] == "2"


def test_xlsx_other_sheet_can_be_chosen():
    read = read_table(FILES / "good_multi_sheet.xlsx", filename="x.xlsx", sheet="Andere")
    assert list(read.frame.columns) == ["a", "b"]


def test_renamed_columns_map_through_saved_mapping():
    saved = {
        "Geb.-Datum": "geburtsdatum",
        "Stadtteil-Nr.": "stadtteil",
        "Nationalität": "staatsangehoerigkeit",
        "HH-Größe": "haushalt_personen",
        "Kaltmiete EUR": "miete",
    }
    read, result = run("good_renamed_columns.csv", saved=saved)
    assert result.errors == []
    assert result.typed["person_id"][0] == "000123"  # via the alias "PersNr"
    assert result.typed["miete"][0] == pytest.approx(1234.5)


def test_renamed_columns_without_saved_mapping_are_reported():
    _, result = run("good_renamed_columns.csv")
    missing = {f.params["field"] for f in result.errors if f.rule == "column_missing"}
    assert missing == {"geburtsdatum", "stadtteil"}
    extra = {f.column for f in result.warnings if f.rule == "column_extra"}
    assert "Geb.-Datum" in extra


def test_every_rule_has_a_message():
    from departments.importing.messages import MESSAGES

    assert set(RULES) <= set(MESSAGES)
