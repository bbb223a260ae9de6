"""CSV exports: detect encoding, delimiter, decimal sign and where the table starts and ends,
then parse with Arrow, every column as text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from .findings import ReadError, error
from .layout import (
    SAMPLE_ROWS,
    ReadResult,
    check_header,
    detect_decimal,
    finalise_frame,
    find_header,
    generated_names,
    is_footnote,
    looks_like_data,
    mode_width,
)

DELIMITERS = (";", ",", "\t", "|")
SAMPLE_BYTES = 2 * 1024 * 1024
TAIL_BYTES = 256 * 1024
# Arrow needs a whole line inside one block; 16 MB leaves room for very wide exports.
BLOCK_SIZE = 16 * 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CsvLayout:
    """Where the table sits in a CSV file and how it is written."""

    encoding: str
    delimiter: str
    decimal: str
    names: list[str]
    header_line: int
    title_lines: int
    dropped_footer_lines: int
    data_start: int  # byte offset of the header line
    data_end: int  # byte offset after the last record
    has_header: bool = True


def load_source(path: Path) -> tuple[pa.Buffer, str | None]:
    """The file's bytes (memory-mapped); UTF-16 exports are recoded to UTF-8 up front."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        text = Path(path).read_bytes().decode("utf-16", errors="strict")
        return pa.py_buffer(text.encode("utf-8")), "utf-16"
    return pa.memory_map(str(path), "r").read_buffer(), None


def detect_layout(
    data: pa.Buffer, *, forced_encoding: str | None = None, header: bool | None = None
) -> CsvLayout:
    """Where the table is; ``header=False`` (declared in the schema) reads the first line as
    a record, ``None`` decides by content: a first line with the types of the lines below it
    is a record, never a header."""
    size = data.size
    sample = data[: min(size, SAMPLE_BYTES)].to_pybytes()
    offset = 0
    if sample.startswith(UTF8_BOM):
        offset = len(UTF8_BOM)
    if not sample[offset:].strip():
        raise ReadError(error("empty_file"))
    if b"\x00" in sample:
        raise ReadError(error("binary_file", params={"reason": "nul"}))
    truncated = size > len(sample)
    if truncated:
        cut = sample.rfind(b"\n")
        if cut < 0:
            raise ReadError(
                error("line_too_long", rows=[1], params={"limit_mb": SAMPLE_BYTES >> 20})
            )
        sample = sample[: cut + 1]
    if forced_encoding == "utf-16":
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig" if offset else detect_encoding(sample[offset:])
    codec = "utf-8" if encoding in ("utf-16", "utf-8-sig") else encoding

    raw_lines = sample.split(b"\n")
    if not truncated and raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    elif truncated:
        raw_lines.pop()  # the part after the last newline
    starts = [offset]
    for line in raw_lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    if offset:
        raw_lines[0] = raw_lines[0][offset:]
    head_lines = [
        line.decode(codec, errors="replace").rstrip("\r") for line in raw_lines[:SAMPLE_ROWS]
    ]
    for number, text in enumerate(head_lines, start=1):
        if _CONTROL.search(text):
            raise ReadError(error("binary_file", rows=[number], params={"reason": "control"}))

    delimiter, width = detect_delimiter(head_lines)
    split = [_split(line, delimiter) for line in head_lines]
    header_index = find_header(split, width=width)
    if header is None:
        header = not looks_like_data(split[header_index], split[header_index + 1 :])
    if header:
        names = [name.strip().lstrip("\ufeff").strip() for name in split[header_index]]
        check_header(names)
    else:
        names = generated_names(width)
    title_lines = sum(1 for line in head_lines[:header_index] if line.strip())
    data_start = starts[header_index]

    data_end, dropped = _find_footer(data, codec, delimiter, width, data_start, raw_lines, starts)
    header_end = starts[header_index] + (len(raw_lines[header_index]) + 1 if header else 0)
    if data_end <= header_end or (
        data_end - header_end < 4096 and not data[header_end:data_end].to_pybytes().strip()
    ):
        raise ReadError(error("header_only", rows=[header_index + 1]))

    values = [v for row in split[header_index + int(header) :] for v in row]
    return CsvLayout(
        encoding=encoding,
        delimiter=delimiter,
        decimal=detect_decimal(values, delimiter),
        names=names,
        header_line=header_index + int(header),
        title_lines=title_lines,
        dropped_footer_lines=dropped,
        data_start=data_start,
        data_end=data_end,
        has_header=header,
    )


def detect_encoding(sample: bytes) -> str:
    """UTF-8 if the bytes decode as UTF-8, else Windows-1252; anything else is refused."""
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as problem:
        utf8_problem = problem
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(sample[:65536]).best()
    position = utf8_problem.start
    raise ReadError(
        error(
            "encoding_unknown",
            rows=[sample.count(b"\n", 0, position) + 1],
            values=[sample[position : position + 4].hex(" ")],
            params={"guess": best.encoding if best else ""},
        )
    )


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def detect_delimiter(lines: list[str]) -> tuple[str, int]:
    best = None
    for priority, delimiter in enumerate(DELIMITERS):
        counts = [len(_split(line, delimiter)) for line in lines if line.strip()]
        width, freq = mode_width(counts)
        if width < 2:
            continue
        score = (freq, width, -priority)
        if best is None or score > best[0]:
            best = (score, delimiter, width)
    if best is None:
        raise ReadError(error("single_column", params={"delimiters": "; , Tab |"}))
    return best[1], best[2]


def _find_footer(data, codec, delimiter, width, data_start, head_raw, head_starts):
    """Byte offset where footnotes under the table begin, and how many note lines were dropped."""
    size = data.size
    tail_start = max(data_start, size - TAIL_BYTES)
    tail = data[tail_start:size].to_pybytes()
    lines = tail.split(b"\n")
    position = size
    end = size
    dropped = 0
    # Walk back line by line; the first line of the tail may be partial, so never judge it.
    for index in range(len(lines) - 1, 0 if tail_start > data_start else -1, -1):
        line = lines[index]
        line_start = position - len(line)
        text = line.decode(codec, errors="replace").rstrip("\r")
        if text.strip():
            if line_start <= data_start or not is_footnote(_split(text, delimiter), width, text):
                break
            dropped += 1
            end = line_start
        elif dropped == 0:
            end = line_start
        position = line_start - 1
    return end, dropped


def _arrow_options(layout: CsvLayout, quoted: bool, handler, encoding: str | None = None):
    names = [f"c{i}" for i in range(len(layout.names))]
    codec = encoding or ("utf8" if layout.encoding.startswith("utf") else layout.encoding)
    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=int(layout.has_header),
        block_size=BLOCK_SIZE,
        encoding=codec,
        use_threads=True,
    )
    parse = pacsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char='"',
        double_quote=True,
        newlines_in_values=quoted,
        invalid_row_handler=handler,
    )
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    return read, parse, convert


def read_csv(path: Path, *, header: bool | None = None) -> ReadResult:
    data, forced = load_source(path)
    layout = detect_layout(data, forced_encoding=forced, header=header)
    body = data[layout.data_start : layout.data_end]
    small = body.size < 64 << 20
    quoted = bool((np.frombuffer(body, dtype=np.uint8) == 34).any()) if small else True
    bad_rows: list = []

    def on_invalid(row):
        bad_rows.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(pa.BufferReader(body), *_arrow_options(layout, quoted, on_invalid))
    except pa.ArrowInvalid as problem:
        table, layout = _retry_or_raise(problem, body, layout, quoted, on_invalid)
    if bad_rows:
        _raise_ragged(bad_rows, body, layout)
    row_numbers = _row_numbers(body, layout, table)
    return _result(table, layout, row_numbers)


def _retry_or_raise(problem, body, layout, quoted, handler):
    text = str(problem)
    if "UTF8" in text and layout.encoding == "utf-8":
        # The sample was UTF-8 but a later line is not: a Windows-1252 file with late umlauts.
        try:
            options = _arrow_options(layout, quoted, handler, encoding="cp1252")
            table = pacsv.read_csv(pa.BufferReader(body), *options)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            raise ReadError(error("encoding_unknown", params={"guess": ""}))
        return table, _replace(layout, encoding="cp1252")
    if "straddling" in text or "block size" in text:
        raise ReadError(error("line_too_long", params={"limit_mb": BLOCK_SIZE >> 20}))
    raise ReadError(error("csv_invalid", params={"detail": text[:200]}))


def _replace(layout: CsvLayout, **changes) -> CsvLayout:
    values = {name: getattr(layout, name) for name in layout.__dataclass_fields__}
    values.update(changes)
    return CsvLayout(**values)


def _raise_ragged(bad_rows, body: pa.Buffer, layout: CsvLayout):
    raw = body.to_pybytes()
    codec = "utf-8" if layout.encoding.startswith("utf") else layout.encoding
    rows, values, cursor = [], [], 0
    for bad in bad_rows[:5]:
        needle = bad.text.encode(codec, errors="replace")
        found = raw.find(needle, cursor)
        if found < 0:
            continue
        rows.append(layout.header_line + raw.count(b"\n", 0, found))
        values.append(bad.text)
        cursor = found + len(needle)
    raise ReadError(
        error(
            "ragged_row",
            count=len(bad_rows),
            rows=rows,
            values=values,
            params={"expected": bad_rows[0].expected_columns, "actual": bad_rows[0].actual_columns},
        )
    )


def _row_numbers(body: pa.Buffer, layout: CsvLayout, table: pa.Table) -> np.ndarray:
    """Physical line of each record: line breaks counted in the bytes, blank lines skipped."""
    raw = np.frombuffer(body, dtype=np.uint8)
    breaks = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [raw.size]))
    keep = starts < raw.size
    starts, ends = starts[keep], ends[keep]
    # Only a line of at most one byte (nothing, or a lone CR) can be blank: look at those.
    short = np.flatnonzero(ends - starts <= 1)
    blank_lines = short[(ends[short] == starts[short]) | (raw[starts[short]] == 13)]
    first = layout.header_line + (0 if layout.has_header else 1)
    if blank_lines.size == 0:
        lines = np.arange(first, first + starts.size, dtype=np.int64)
    else:
        lines = np.delete(np.arange(first, first + starts.size, dtype=np.int64), blank_lines)
    if layout.has_header:
        lines = lines[1:]  # skip the header itself
    if lines.size == table.num_rows:
        return lines
    # Quoted values with line breaks: a record spans several lines.
    import pyarrow.compute as pc

    spans = np.ones(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts = pc.fill_null(pc.count_substring(column, "\n"), 0)
        spans += np.asarray(counts.to_numpy(zero_copy_only=False), dtype=np.int64)
    return layout.header_line + 1 + np.concatenate(([0], np.cumsum(spans)[:-1]))


def iter_csv_chunks(
    path, *, filename: str, chunk_rows: int = 200_000, max_bytes: int | None = None
) -> tuple[CsvLayout, Iterator[ReadResult]]:
    """Layout plus an iterator of ReadResults of about ``chunk_rows`` records, for huge files.

    Row numbers assume one line per record (blank lines and quoted line breaks shift them).
    """
    path = Path(path)
    if max_bytes is not None and path.stat().st_size > max_bytes:
        raise ReadError(
            error("file_too_large", params=_size_params(path.stat().st_size, max_bytes))
        )
    data, forced = load_source(path)
    layout = detect_layout(data, forced_encoding=forced)
    body = data[layout.data_start : layout.data_end]

    def chunks() -> Iterator[ReadResult]:
        bad_rows: list = []

        def on_invalid(row):
            bad_rows.append(row)
            return "skip"

        try:
            reader = pacsv.open_csv(
                pa.BufferReader(body), *_arrow_options(layout, True, on_invalid)
            )
        except pa.ArrowInvalid as problem:
            raise _chunk_problem(problem)
        first = layout.header_line + 1
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in _batches(reader):
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= chunk_rows:
                yield _chunk(pending, layout, first)
                first += pending_rows
                pending, pending_rows = [], 0
            if bad_rows:
                _raise_ragged(bad_rows, body, layout)
        if pending:
            yield _chunk(pending, layout, first)

    return layout, chunks()


def _batches(reader):
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as problem:
            raise _chunk_problem(problem)


def _chunk_problem(problem: pa.ArrowInvalid) -> ReadError:
    """Arrow's text can quote the file, so only its kind becomes the finding."""
    text = str(problem)
    if "straddling" in text or "block size" in text:
        return ReadError(error("line_too_long", params={"limit_mb": BLOCK_SIZE >> 20}))
    return ReadError(error("csv_invalid", params={"detail": ""}))


def _chunk(batches, layout: CsvLayout, first: int) -> ReadResult:
    table = pa.Table.from_batches(batches)
    numbers = np.arange(first, first + table.num_rows, dtype=np.int64)
    return _result(table, layout, numbers)


def _result(table: pa.Table, layout: CsvLayout, row_numbers: np.ndarray) -> ReadResult:
    frame, row_numbers = finalise_frame(
        table, layout.names, row_numbers, header_line=layout.header_line
    )
    return ReadResult(
        frame=frame,
        encoding=layout.encoding,
        delimiter=layout.delimiter,
        decimal=layout.decimal,
        header_line=layout.header_line,
        row_numbers=row_numbers,
        dropped_footer_lines=layout.dropped_footer_lines,
        title_lines=layout.title_lines,
        has_header=layout.has_header,
    )


def _size_params(size: int, limit: int) -> dict:
    return {"size_mb": round(size / 2**20, 1), "limit_mb": round(limit / 2**20, 1)}
