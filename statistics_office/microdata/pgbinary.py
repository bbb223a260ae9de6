"""Arrow tables as PostgreSQL's binary COPY format, built with numpy (no Python loop per row).

The text form made PostgreSQL parse every date and number back from characters, and Arrow's
CSV writer quoted every text cell: the binary form hands over dates as day numbers and
numbers as their eight bytes, and costs fewer bytes to write and to read.
Format: https://www.postgresql.org/docs/current/sql-copy.html (Binary Format).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
# PostgreSQL counts days from 2000-01-01, Arrow's date32 from 1970-01-01.
POSTGRES_EPOCH_DAYS = 10957


def _fixed(array: pa.Array) -> tuple[np.ndarray, int]:
    """Big-endian bytes (rows x width) of a fixed-width column; nulls hold zeros."""
    kind = array.type
    if pa.types.is_date32(kind):
        days = array.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
        values = (days.astype(np.int64) - POSTGRES_EPOCH_DAYS).astype(">i4")
    elif pa.types.is_int64(kind):
        values = array.fill_null(0).to_numpy(zero_copy_only=False).astype(">i8")
    elif pa.types.is_float64(kind):
        values = array.fill_null(0.0).to_numpy(zero_copy_only=False).astype(">f8")
    elif pa.types.is_boolean(kind):
        values = array.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8)
    else:
        raise TypeError(f"no binary COPY form for {kind}")
    width = values.dtype.itemsize
    return np.ascontiguousarray(values).view(np.uint8).reshape(len(array), width), width


NULL_FIELD = b"\xff\xff\xff\xff"  # length -1
_NOTHING = pa.scalar(b"", pa.large_binary())  # what the fields are joined with


def _fields(array: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Each cell as its field in a tuple: its length (four bytes, -1 for null) and its bytes
    (null for null: the join below writes nothing for it)."""
    n = len(array)
    valid = (
        np.ones(n, dtype=bool)
        if array.null_count == 0
        else np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    )
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        payload = array.cast(pa.large_binary())
        lengths = pc.binary_length(payload).fill_null(0).to_numpy(zero_copy_only=False)
    else:
        rows, width = _fixed(array)
        payload = _binary(rows, array.is_valid() if array.null_count else None)
        lengths = np.full(n, width)
    return _binary(_be(np.where(valid, lengths, -1), ">i4")), payload


def _binary(rows: np.ndarray, valid=None) -> pa.Array:
    """Binary cells from the rows of a bytes matrix (null where `valid` is False)."""
    rows = np.ascontiguousarray(rows)
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(rows.shape[1]), len(rows), [None, pa.py_buffer(rows)]
    )
    cells = fixed.cast(pa.large_binary())
    if valid is not None:
        cells = pc.if_else(valid, cells, pa.scalar(None, pa.large_binary()))
    return cells


def _be(values: np.ndarray, dtype: str) -> np.ndarray:
    return np.ascontiguousarray(values.astype(dtype)).view(np.uint8).reshape(len(values), -1)


def encode(table: pa.Table) -> Stream:
    """The table's rows as one binary COPY stream (header, tuples, trailer), to be read.

    Every tuple is one binary cell joined from its fields by Arrow (without Python's lock),
    so the tuples lie one after another in the joined column's data buffer."""
    if table.num_rows == 0:
        return Stream([HEADER, TRAILER])
    count = pa.scalar(int(table.num_columns).to_bytes(2, "big"), pa.large_binary())
    parts = [count]
    for column in table.columns:
        parts += _fields(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    options = pc.JoinOptions(null_handling="replace", null_replacement="")
    tuples = pc.binary_join_element_wise(*parts, _NOTHING, options=options)
    offsets = np.frombuffer(tuples.buffers()[1], dtype=np.int64)
    first, last = int(offsets[tuples.offset]), int(offsets[tuples.offset + len(tuples)])
    body = memoryview(tuples.buffers()[2])[first:last]
    return Stream([HEADER, body, TRAILER], keep=tuples)


class Stream:
    """A file to read the parts from one after another, without joining them first."""

    def __init__(self, parts, keep=None):
        self._parts = [memoryview(part) for part in parts]
        self._keep = keep  # the Arrow array whose buffer a part is
        self.size = sum(len(part) for part in self._parts)

    def read(self, size: int = -1) -> bytes:
        out = []
        wanted = self.size if size is None or size < 0 else size
        while wanted > 0 and self._parts:
            part = self._parts[0]
            piece, rest = part[:wanted], part[wanted:]
            out.append(bytes(piece))
            wanted -= len(piece)
            if len(rest):
                self._parts[0] = rest
            else:
                self._parts.pop(0)
        return b"".join(out)
