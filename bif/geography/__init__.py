"""The city's small-area geography: Stadtteile and statistical districts, from data files.

A base service: table hierarchies and labels (statistics_office/tables), the demo generator
and maps read it here, never from the demo package. The files in data/ are the demo city's
(Flensburg, CC0; see data/README.md).
"""

import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
STADTTEILE_FILE = DATA_DIR / "flensburg_stadtteile.geojson"
STADTBEZIRKE_FILE = DATA_DIR / "flensburg_stadtbezirke.geojson"


def _features(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["features"]


@cache
def stadtteile():
    """(code, name) of every Stadtteil, by code: ("01", "Altstadt"), …"""
    areas = []
    for feature in _features(STADTTEILE_FILE):
        code, _, name = feature["properties"]["AREA_NAME"].partition(" ")
        areas.append((code, name))
    return tuple(sorted(areas))


@cache
def stadtbezirke():
    """(code, name, Stadtteil code) of every statistical district, by code: ("011", …, "01")."""
    areas = []
    for feature in _features(STADTBEZIRKE_FILE):
        properties = feature["properties"]
        code, _, name = properties["AREA_NAME"].partition(" ")
        areas.append((code, name, properties["PARENT_ARE"][-2:]))
    return tuple(sorted(areas))


def stadtbezirk_parents():
    """{district code: Stadtteil code}."""
    return {code: parent for code, _, parent in stadtbezirke()}


def area_labels():
    """{code: name} of every Stadtteil and statistical district."""
    return {**dict(stadtteile()), **{code: name for code, name, _ in stadtbezirke()}}
