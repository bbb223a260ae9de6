"""The demo city's Stadtteile and districts, read from its own area package (data/areas)."""

import csv
from functools import cache
from pathlib import Path

AREAS_DIR = Path(__file__).resolve().parent / "data" / "areas"
CLASSIFICATIONS_FILE = Path(__file__).resolve().parent / "data" / "klassifikationen.csv"


@cache
def _units():
    with open(AREAS_DIR / "gebiete.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def stadtteile():
    """(code, name) of every Stadtteil, by code: ("01", "Altstadt"), …"""
    return tuple(sorted((u["code"], u["name"]) for u in _units() if u["ebene"] == "stadtteil"))


def stadtbezirke():
    """(code, name, Stadtteil code) of every statistical district, by code."""
    return tuple(
        sorted(
            (u["code"], u["name"], u["uebergeordnet"])
            for u in _units()
            if u["ebene"] == "stadtbezirk"
        )
    )
