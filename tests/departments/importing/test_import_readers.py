"""Reader details that need generated files: big lines, late umlauts, chunked reading."""

import pytest

from departments.importing.findings import ReadError
from departments.importing.readers import iter_csv_chunks, read_table


def test_line_longer_than_the_sample_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"a;" * (1_500_000))
    with pytest.raises(ReadError) as problem:
        read_table(path, filename="long.csv")
    assert problem.value.finding.rule == "line_too_long"


def test_windows_1252_umlaut_after_the_utf8_sample_still_reads(tmp_path):
    path = tmp_path / "late.csv"
    body = "id;name\n" + "".join(f"{i:06d};Meier\n" for i in range(250_000))
    path.write_bytes(body.encode() + "999999;Müller\n".encode("cp1252"))
    read = read_table(path, filename="late.csv")
    assert read.encoding == "cp1252"
    assert read.frame["name"].iloc[-1] == "Müller"
    assert read.row_numbers[-1] == 250_002


def test_quoted_line_breaks_keep_row_numbers_right(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('id;bemerkung\n1;"zwei\nZeilen"\n\n2;kurz\n', encoding="utf-8")
    read = read_table(path, filename="quoted.csv")
    assert read.frame["bemerkung"].tolist() == ["zwei\nZeilen", "kurz"]
    assert list(read.row_numbers) == [2, 4]


def test_blank_lines_between_records_do_not_shift_row_numbers(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("id;x\n1;a\n\n;\n2;b\n", encoding="utf-8")
    read = read_table(path, filename="blank.csv")
    assert list(read.row_numbers) == [2, 5]


def test_trailing_delimiter_column_is_dropped(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("id;x;\n1;a;\n2;b;\n", encoding="utf-8")
    assert list(read_table(path, filename="t.csv").frame.columns) == ["id", "x"]


def test_huge_files_can_be_read_in_chunks(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(
        "Stand 31.12.2023\nid;wert\n" + "".join(f"{i};{i},5\n" for i in range(25_000)),
        encoding="utf-8",
    )
    layout, chunks = iter_csv_chunks(path, filename="big.csv", chunk_rows=10_000)
    assert (layout.delimiter, layout.decimal, layout.header_line) == (";", ",", 2)
    parts = list(chunks)
    assert sum(len(p.frame) for p in parts) == 25_000
    assert parts[0].row_numbers[0] == 3
    assert parts[-1].row_numbers[-1] == 25_002


def test_file_larger_than_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ReadError) as problem:
        iter_csv_chunks(path, filename="x.csv", max_bytes=3)
    assert problem.value.finding.rule == "file_too_large"
