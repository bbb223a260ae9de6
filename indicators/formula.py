"""Indicators from protected published figures: ratio, share, per 1,000, difference, change.

Pure functions on published cells ({"value", "flag", "origin_status"}), no Django. A result
is itself a cell in the same vocabulary, so it is shown and exported with the tables' signs.
A figure that is secret or blocked in a table never becomes a number here: a ratio with a
suppressed numerator or denominator is suppressed and carries the strongest sign.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("value", "ratio", "share", "per_1000", "difference", "change", "change_pct")
# Kinds that divide by the denominator, and their scale.
SCALES = {"ratio": 1, "share": 100, "per_1000": 1000}
NEEDS_DENOMINATOR = ("ratio", "share", "per_1000", "difference")
# Signs that stop a computation, strongest first (Destatis: x blocked, . secret,
# / not reliable enough, ... not yet available). "secret" is the table's own suppression.
STRENGTH = ("x", "secret", ".", "/", "...")
BLOCKED = "x"
NOT_AVAILABLE = "..."


class FormulaError(ValueError):
    """An indicator definition that cannot be computed (German message for people)."""


@dataclass(frozen=True)
class Result:
    value: float | None
    flag: str = ""  # "" | "zero" | "secret" | "origin" (with sign)
    sign: str = ""  # the origin sign of a flag "origin": "x", ".", "/", "..."

    def as_cell(self):
        cell = {"value": self.value, "flag": self.flag}
        if self.flag == "origin":
            cell["origin_status"] = self.sign
        return cell


def _stop(cell):
    """The sign that keeps a cell from being computed with, or '' if it is a number."""
    if cell is None:
        return NOT_AVAILABLE
    flag = cell.get("flag") or ""
    if flag == "secret":
        return "secret"
    if flag == "origin":
        return cell.get("origin_status") or "."
    if flag != "zero" and cell.get("value") is None:
        return NOT_AVAILABLE
    return ""


def _number(cell):
    return 0.0 if cell.get("flag") == "zero" else float(cell["value"])


def _strongest(*signs):
    present = [s for s in signs if s]
    return min(present, key=STRENGTH.index) if present else ""


def _stopped(sign):
    if sign == "secret":
        return Result(None, "secret")
    return Result(None, "origin", sign)


def _of(value, decimals):
    value = round(value, decimals)
    if value == 0:
        return Result(0.0, "zero")
    return Result(value)


def compute(kind, numerator, denominator=None, *, decimals=1):
    """One indicator value from the cells it is defined on (`denominator`: the previous
    Stichtag's numerator for a change)."""
    if kind not in KINDS:
        raise FormulaError(f"Unbekannte Berechnungsart „{kind}“.")
    if kind == "value":
        sign = _stop(numerator)
        return _stopped(sign) if sign else _of(_number(numerator), decimals)
    sign = _strongest(_stop(numerator), _stop(denominator))
    if sign:
        return _stopped(sign)
    top, bottom = _number(numerator), _number(denominator)
    if kind in ("difference", "change"):
        return _of(top - bottom, decimals)
    if bottom == 0:  # a rate of nobody says nothing: blocked, not zero
        return Result(None, "origin", BLOCKED)
    if kind == "change_pct":
        return _of((top - bottom) / bottom * 100, decimals)
    return _of(top / bottom * SCALES[kind], decimals)


def plain(result_cell):
    """The number of a result cell, or None if it carries a sign (never a made-up 0)."""
    if not result_cell or result_cell.get("flag") in ("secret", "origin"):
        return None
    return 0.0 if result_cell.get("flag") == "zero" else result_cell.get("value")


def ranks(results, *, descending=True):
    """{code: rank} over the areas with a number (1 = highest); equal values share a rank,
    areas with a sign get none."""
    numbers = {code: plain(cell) for code, cell in results.items()}
    numbers = {code: v for code, v in numbers.items() if v is not None}
    ordered = sorted(set(numbers.values()), reverse=descending)
    position, rank_of = 1, {}
    for value in ordered:
        rank_of[value] = position
        position += sum(1 for v in numbers.values() if v == value)
    return {code: rank_of[v] for code, v in numbers.items()}


def difference(result_cell, reference_cell, *, decimals=1):
    """A district's value minus the city's, or None if either carries a sign."""
    a, b = plain(result_cell), plain(reference_cell)
    if a is None or b is None:
        return None
    return round(a - b, decimals)


def formula_text(kind, numerator_label, denominator_label=""):
    """The formula as a reader sees it, in German (the catalogue's language)."""
    texts = {
        "value": "{n}",
        "ratio": "{n} / {d}",
        "share": "{n} / {d} × 100",
        "per_1000": "{n} / {d} × 1.000",
        "difference": "{n} − {d}",
        "change": "{n} (Stichtag) − {n} (voriger Stichtag)",
        "change_pct": "({n} (Stichtag) − {n} (voriger Stichtag)) / {n} (voriger Stichtag) × 100",
    }
    return texts[kind].format(n=numerator_label, d=denominator_label)
