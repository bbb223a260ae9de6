"""One rule for every CSV and XLSX file BIF writes: no cell can run as a formula.

Spreadsheet programs treat a cell that starts with = + - @ (or a tab or carriage return before
one) as a formula, and a formula can fetch URLs or run commands (CSV/formula injection, OWASP).
Text cells that start so get a leading apostrophe; numbers, dates and texts that are plain
numbers ("-3,5", "+49") stay as they are.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number as text, in English or German notation: "-3", "-3,5", "+1.234,5", "-1e-3", "-5 %".
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?(?:\s?%)?")


def neutralise_cell(value):
    """The value as it may go into a CSV or XLSX cell."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_text(value):
    """For text columns: None becomes an empty cell, anything else neutralised text."""
    return "" if value is None else neutralise_cell(str(value))


def neutralise_row(values):
    return [neutralise_cell(value) for value in values]
