"""The one shape every writer reads: dimensions in order, cells by code, signs, notes."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Symbol:
    """A cell status: the sign shown instead of (or beside) a value and what it means."""

    sign: str
    text: str
    hides_value: bool = True


@dataclass
class Dimension:
    id: str  # the name as the cells key it ("Stadtteil")
    codes: list
    labels: dict
    note: list = field(default_factory=list)
    value_notes: dict = field(default_factory=dict)  # code -> [text]
    role: str = ""  # "time", "geo" or ""

    def label(self, code):
        return self.labels.get(code, code)


@dataclass
class Dataset:
    slug: str
    title: str
    dimensions: list
    cells: list  # [{dimension id: code, "value": number | None, "flag": str}]
    symbols: dict  # flag -> Symbol; flags without an entry show themselves
    version: int = 1
    updated: datetime | None = None
    description: str = ""
    measure_label: str = ""
    unit: str = ""
    decimals: int = 0
    reference_period: str = ""
    source: str = ""
    contact: str = ""
    legal_basis: str = ""
    official: bool = True
    licence: str = ""
    notes: list = field(default_factory=list)  # table level
    cell_notes: list = field(default_factory=list)  # [({dimension id: code}, text)]
    legend: list = field(default_factory=list)
    url: str = ""
    agency: str = "BIF"

    def key(self, cell):
        return tuple(cell.get(d.id) for d in self.dimensions)

    def index(self):
        return {self.key(c): c for c in self.cells}

    def symbol(self, cell):
        """The cell's Symbol, or None for a plain value."""
        flag = (cell or {}).get("flag") or ""
        if not flag:
            return None
        return self.symbols.get(flag) or Symbol(sign=flag, text=flag, hides_value=False)

    def shown_value(self, cell):
        """The number to publish, None where a sign stands instead."""
        if cell is None:
            return None
        symbol = self.symbol(cell)
        if symbol is not None and symbol.hides_value:
            return None
        return cell.get("value")

    def combinations(self):
        """Every key in row-major order (the last dimension varies fastest)."""
        keys = [()]
        for dim in self.dimensions:
            keys = [(*k, code) for k in keys for code in dim.codes]
        return keys

    def notes_for_cell(self, key):
        wanted = dict(zip([d.id for d in self.dimensions], key, strict=True))
        return [
            text
            for where, text in self.cell_notes
            if all(wanted.get(dim) == code for dim, code in where.items())
        ]
