"""Cheap looks at Arrow text columns through their buffers: the first and last byte of each
cell, without a kernel pass over every character.

Most cells of a file need no trimming and start like no formula; a look at two bytes per
cell tells which do, so the full (Unicode-aware) kernels run only where they can matter.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

# Bytes a cell may start or end with when trimming could change it: ASCII whitespace and
# any byte of a multi-byte UTF-8 character (non-breaking and other Unicode spaces).
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20]] = True
_ASCII_SPACE[0x80:] = True


def _chunks(text) -> list[pa.Array]:
    return list(text.chunks) if isinstance(text, pa.ChunkedArray) else [text]


def edges(text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First byte, last byte and byte length of every cell (0, 0, 0 for blank or null cells)."""
    firsts, lasts, lengths = [], [], []
    for chunk in _chunks(text):
        n = len(chunk)
        if not pa.types.is_string(chunk.type) and not pa.types.is_large_string(chunk.type):
            raise TypeError(f"text expected, got {chunk.type}")
        buffers = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        if n == 0 or buffers[1] is None:
            zeros = np.zeros(n, dtype=np.int64)
            firsts.append(zeros.astype(np.uint8))
            lasts.append(zeros.astype(np.uint8))
            lengths.append(zeros)
            continue
        offsets = np.frombuffer(buffers[1], dtype=width)[chunk.offset : chunk.offset + n + 1]
        offsets = offsets.astype(np.int64)
        length = np.diff(offsets)
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else None
        if data is None or data.size == 0:
            firsts.append(np.zeros(n, dtype=np.uint8))
            lasts.append(np.zeros(n, dtype=np.uint8))
        else:
            filled = length > 0
            last_index = data.size - 1
            first = data[np.minimum(offsets[:-1], last_index)]
            last = data[np.clip(offsets[1:] - 1, 0, last_index)]
            firsts.append(np.where(filled, first, 0).astype(np.uint8))
            lasts.append(np.where(filled, last, 0).astype(np.uint8))
        if chunk.null_count:
            valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            length = np.where(valid, length, 0)
            firsts[-1] = np.where(valid, firsts[-1], 0).astype(np.uint8)
            lasts[-1] = np.where(valid, lasts[-1], 0).astype(np.uint8)
        lengths.append(length)
    if not firsts:
        empty = np.zeros(0, dtype=np.uint8)
        return empty, empty, np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(lasts), np.concatenate(lengths)


def may_need_trim(text) -> np.ndarray:
    """True for cells that are empty or may start or end with whitespace."""
    first, last, length = edges(text)
    present = np.asarray(_valid(text), dtype=bool)
    return present & ((length == 0) | _ASCII_SPACE[first] | _ASCII_SPACE[last])


def starts_with_any(text, characters: bytes) -> np.ndarray:
    """True for (non-null) cells whose first byte is one of the given ASCII characters."""
    first, _, length = edges(text)
    return (length > 0) & np.isin(first, np.frombuffer(characters, dtype=np.uint8))


def _valid(text) -> np.ndarray:
    if text.null_count == 0:
        return np.ones(len(text), dtype=bool)
    return np.asarray(text.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def as_integers(text) -> np.ndarray | None:
    """The integers that digit strings of one length spell ("000123" -> 123), or None when
    a cell is null or is not such a string.

    For identifiers like Personen-ID the integers stand for the texts one to one (all have
    the same length, so leading zeros cannot collide), and hashing integers is several times
    cheaper than hashing strings."""
    if text.null_count or len(text) == 0:
        return None
    first, _, length = edges(text)
    width = int(length[0])
    if not 0 < width <= 18 or (length != width).any():
        return None
    if ((first < ord("0")) | (first > ord("9"))).any():
        return None  # a sign would make "+1" and "01" the same number
    try:
        numbers = text.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.int64)
