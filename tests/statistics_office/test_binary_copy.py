"""The binary COPY stream of a version's chunk says what the Arrow table holds, field by field."""

import datetime as dt
import struct

import pyarrow as pa

from statistics_office.microdata import pgbinary


def decode(data: bytes, kinds: list[str]) -> list[tuple]:
    """A reader of PostgreSQL's binary COPY format, as the server reads it."""
    assert data[:11] == b"PGCOPY\n\xff\r\n\x00"
    position, rows = 19, []
    while True:
        (count,) = struct.unpack_from(">h", data, position)
        position += 2
        if count == -1:
            assert position == len(data)
            return rows
        assert count == len(kinds)
        row = []
        for kind in kinds:
            (length,) = struct.unpack_from(">i", data, position)
            position += 4
            if length == -1:
                row.append(None)
                continue
            raw = data[position : position + length]
            position += length
            if kind == "text":
                row.append(raw.decode("utf-8"))
            elif kind == "date":
                row.append(dt.date(2000, 1, 1) + dt.timedelta(days=struct.unpack(">i", raw)[0]))
            elif kind == "bigint":
                row.append(struct.unpack(">q", raw)[0])
            elif kind == "double":
                row.append(struct.unpack(">d", raw)[0])
            else:
                row.append(raw == b"\x01")
        rows.append(tuple(row))


def test_every_type_and_null_arrives_as_it_was():
    table = pa.table(
        {
            "name": pa.array(["Müller", None, "", 'a;b\n"c"'], pa.string()),
            "born": pa.array(
                [dt.date(1950, 2, 28), dt.date(1999, 12, 31), None, dt.date(1678, 1, 1)]
            ),
            "count": pa.array([1, None, -(2**62), 0], pa.int64()),
            "share": pa.array([0.5, 1e-300, None, -0.0], pa.float64()),
            "flag": pa.array([True, False, None, True], pa.bool_()),
        }
    )
    rows = decode(pgbinary.encode(table).read(), ["text", "date", "bigint", "double", "bool"])
    assert rows == list(zip(*(table.column(i).to_pylist() for i in range(5)), strict=True))


def test_a_sliced_chunk_and_reads_in_small_pieces():
    table = pa.table({"id": pa.array([f"{i:05d}" for i in range(1000)], pa.large_string())})
    part = table.slice(250, 500)
    stream = pgbinary.encode(part)
    data = b"".join(iter(lambda: stream.read(7), b""))
    assert [row[0] for row in decode(data, ["text"])] == part.column(0).to_pylist()


def test_an_empty_chunk_is_header_and_trailer_only():
    table = pa.table({"id": pa.array([], pa.string())})
    assert decode(pgbinary.encode(table).read(), ["text"]) == []
