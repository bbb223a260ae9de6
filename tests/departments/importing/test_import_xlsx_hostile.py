"""Hostile workbooks: formulas, external links, macros and DTDs get their own findings, naming
sheet and cell; limits on rows, columns, cells, cell size and shared strings are checked in
a stream (beside the parser only for sheets the zip directory declares small, before it
otherwise); the parser runs in a child process with capped memory."""

import os
import zipfile

import pytest

from departments.importing import readers
from departments.importing.findings import ReadError
from departments.importing.messages import describe
from departments.importing.xlsx_reader import check_zip
from departments.importing.xlsx_scan import XlsxLimits
from tests.departments.importing.hostile_xlsx import (
    expansion_rows,
    formula,
    header,
    inline,
    number,
    residents,
    row,
    write_workbook,
)


def read(path, **limits):
    return readers.read_table(path, filename="x.xlsx", xlsx_limits=XlsxLimits(**limits))


def refused(path, **limits):
    with pytest.raises(ReadError) as problem:
        read(path, **limits)
    return problem.value.finding


def test_a_formula_cell_is_an_error_naming_sheet_and_cell(tmp_path):
    cells = [inline("A3", "000002"), formula("B3", "SUM(B2:B2)", 30)]
    path = write_workbook(tmp_path / "f.xlsx", [header(), *residents(1), row(3, cells)])
    (finding,) = read(path).findings
    assert finding.severity == "error" and finding.rule == "xlsx_formula"
    text = describe(finding)
    assert "Tabellenblatt „Daten“" in text and "B3" in text and "Formel" in text


def test_an_external_link_is_named_as_such(tmp_path):
    cells = [inline("A2", "000001"), formula("B2", "[1]Tabelle1!A1", 30)]
    extra = {"xl/externalLinks/externalLink1.xml": "<externalLink/>"}
    path = write_workbook(tmp_path / "l.xlsx", [header(), row(2, cells)], extra=extra)
    (finding,) = read(path).findings
    assert finding.rule == "xlsx_external_link"
    assert "B2" in describe(finding) and "andere Datei" in describe(finding)


def test_macros_are_an_error(tmp_path):
    extra = {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 VBA"}
    path = write_workbook(tmp_path / "m.xlsm", [header(), *residents(2)], extra=extra)
    (finding,) = read(path).findings
    assert finding.rule == "xlsx_macro" and "Makros" in describe(finding)


def test_a_plain_workbook_has_no_findings(tmp_path):
    path = write_workbook(tmp_path / "ok.xlsx", [header(), *residents(3)])
    result = read(path)
    assert result.findings == [] and list(result.frame["Personen-ID"]) == [
        "000000",
        "000001",
        "000002",
    ]


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ],
)
def test_a_dtd_is_refused_with_its_own_message(tmp_path, prolog):
    rows = [header(), row(2, [inline("A2", "&xxe;"), number("B2", 1)])]
    finding = refused(write_workbook(tmp_path / "x.xlsx", rows, prolog=prolog))
    assert finding.rule == "xlsx_doctype"
    text = describe(finding)
    assert "xl/worksheets/sheet1.xml" in text and "XXE" in text and "unerwartet" not in text


@pytest.mark.parametrize(
    ("rows", "limits", "limit"),
    [
        (lambda: [header(), *residents(20)], {"max_rows": 10}, "rows"),
        (lambda: [header(), row(2, [number("ZZZ2", 1)])], {"max_columns": 1000}, "columns"),
        (lambda: [header(), *residents(20)], {"max_cells": 30}, "cells"),
        (
            lambda: [header(), row(2, [inline("A2", "x" * 200)])],
            {"max_cell_chars": 100},
            "cell_chars",
        ),
    ],
)
def test_each_limit_is_named_in_the_message(tmp_path, rows, limits, limit):
    finding = refused(write_workbook(tmp_path / "big.xlsx", rows()), **limits)
    assert finding.rule == "xlsx_limit" and finding.params["limit"] == limit
    text = describe(finding)
    assert "überschreitet eine Grenze" in text and "Tabellenblatt „Daten“" in text
    assert f"{next(iter(limits.values())):,}".replace(",", ".") in text


def test_shared_strings_are_limited(tmp_path):
    strings = "".join(f"<si><t>t{i}</t></si>" for i in range(50))
    extra = {"xl/sharedStrings.xml": f'<sst xmlns="x" count="50">{strings}</sst>'}
    path = write_workbook(tmp_path / "s.xlsx", [header(), *residents(2)], extra=extra)
    finding = refused(path, max_shared_strings=10)
    assert finding.params["limit"] == "shared_strings"
    assert "verschiedene Texte" in describe(finding)


def test_an_expanding_sheet_under_the_ratio_limit_is_refused_by_its_cells(tmp_path):
    """The probe's workbook in small: the zip check lets it pass, the cell limit stops it."""
    path = write_workbook(tmp_path / "e.xlsx", expansion_rows(24 << 20))
    check_zip(path)  # ratio and size declared in the zip directory look harmless
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert 60 < sheet.file_size / sheet.compress_size < 200
    finding = refused(path, max_cells=500_000)
    assert finding.params["limit"] == "cells"


def test_the_reading_process_has_capped_memory(tmp_path):
    def rows():
        yield header()
        for i in range(250_000):
            r = i + 2
            yield row(r, [inline(f"A{r}", f"id{i:07d}"), inline(f"B{r}", f"text{i}")])

    path = write_workbook(tmp_path / "mem.xlsx", rows())
    finding = refused(path, memory_mb=400)
    assert finding.rule == "xlsx_memory"
    assert "400 MB Arbeitsspeicher" in describe(finding)
    assert len(read(path).frame) == 250_000  # with the default cap it reads


def test_the_reading_childrens_peak_memory_is_reported_for_the_last_workbook(tmp_path):
    """The children are grandchildren of the worker, out of its own resource accounting:
    the helper reports their peak, so a benchmark can hold the reader to a memory goal."""
    from departments.importing import xlsx_process

    small = write_workbook(tmp_path / "klein.xlsx", [header(), *residents(3)])
    read(small)
    small_peak = xlsx_process.LAST_READ["peak_rss_mb"]

    def rows():
        yield header()
        for i in range(150_000):
            r = i + 2
            yield row(r, [inline(f"A{r}", f"id{i:07d}"), inline(f"B{r}", f"text{i}")])

    read(write_workbook(tmp_path / "gross.xlsx", rows()))
    assert 10 < small_peak < xlsx_process.LAST_READ["peak_rss_mb"] - 20


def test_a_cap_below_what_the_reader_needs_at_all_is_the_memory_limit_too(tmp_path):
    """Whatever the parser says when an allocation fails under the cap, the analyst is told
    that the memory limit was reached, never that the file is corrupt."""
    path = write_workbook(tmp_path / "ok.xlsx", [header(), *residents(3)])
    finding = refused(path, memory_mb=200)
    assert finding.rule == "xlsx_memory" and "200 MB" in describe(finding)


def test_each_workbook_is_read_in_a_child_of_one_prepared_helper(tmp_path):
    """The helper with the reader's imports is started once; every file gets a new child of
    it (a hostile file cannot leave anything behind for the next), and the helper survives
    a child that hit the cap."""
    from departments.importing import xlsx_process

    path = write_workbook(tmp_path / "ok.xlsx", [header(), *residents(3)])
    read(path)
    helper = xlsx_process._HELPER.process
    refused(path, memory_mb=200)
    assert len(read(path).frame) == 3
    assert xlsx_process._HELPER.process is helper and helper.poll() is None
    helper.kill()
    helper.wait()
    assert len(read(path).frame) == 3  # a helper that died is started again
    assert xlsx_process._HELPER.process is not helper


def _read_in_pool_process(path, answers):
    from departments.importing import xlsx_process

    answers.put(len(xlsx_process.read_workbook(path).frame))


def test_a_celery_pool_process_reads_workbooks_with_its_own_helper(tmp_path):
    """Celery's pool processes are daemonic (billiard), where the standard library's
    multiprocessing refuses to start children; the helper is a plain subprocess."""
    import billiard

    path = write_workbook(tmp_path / "ok.xlsx", [header(), *residents(3)])
    answers = billiard.Queue()
    process = billiard.Process(target=_read_in_pool_process, args=(path, answers), daemon=True)
    process.start()
    assert answers.get(timeout=120) == 3
    process.join(timeout=30)
    assert process.exitcode == 0


def _scan_says(path, monkeypatch, beside_max):
    from departments.importing import xlsx_process

    monkeypatch.setattr(xlsx_process, "BESIDE_MAX_BYTES", beside_max)
    verdict, early = os.pipe()
    xlsx_process._scan(path, None, XlsxLimits(), early=early)
    with os.fdopen(verdict, "rb") as pipe:
        return pipe.read()


def test_calamine_reads_beside_the_scan_only_sheets_declared_small(tmp_path, monkeypatch):
    """A sheet that could expand to more than a small export is parsed only after the scan
    found it within the limits: the reader's memory is not spent on a file to be refused."""
    path = write_workbook(tmp_path / "ok.xlsx", [header(), *residents(3)])
    assert _scan_says(path, monkeypatch, 1 << 20) == b"+"
    assert _scan_says(path, monkeypatch, 10) == b"-"


def test_a_small_workbook_the_scan_refuses_is_refused_by_the_scan(tmp_path):
    """Read side by side, the scan's finding still wins over whatever calamine made of it."""
    path = write_workbook(tmp_path / "rows.xlsx", [header(), *residents(30)])
    finding = refused(path, max_rows=10)
    assert finding.rule == "xlsx_limit" and finding.params["limit"] == "rows"
