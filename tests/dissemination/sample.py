"""A small protected table with every kind of status and note, for the format tests."""

import datetime as dt
import itertools

from dissemination.formats import Dataset, Dimension, Symbol

YEARS = ["2022", "2023", "2024"]
STADTTEILE = {"01": "Altstadt", "02": "Neustadt-Süd"}
SEXES = {"m": "männlich", "w": "weiblich"}
SECRET = ("2023", "02", "w")
ZERO = ("2022", "01", "m")
PROVISIONAL = ("2024", "01", "w")  # an origin sign that keeps its value (issue 16)


def cells():
    out = []
    for n, (year, area, sex) in enumerate(itertools.product(YEARS, STADTTEILE, SEXES)):
        key = (year, area, sex)
        cell = {"Jahr": year, "Stadtteil": area, "Geschlecht": sex, "value": 1000.5 + n * 7}
        cell["flag"] = ""
        if key == SECRET:
            cell.update(value=None, flag="secret")
        elif key == ZERO:
            cell.update(value=0, flag="zero")
        elif key == PROVISIONAL:
            cell["flag"] = "p"
        out.append(cell)
    return out


def dataset(**overrides):
    fields = {
        "slug": "einwohner-zeitreihe",
        "title": "Einwohner nach Jahr, Stadtteil und Geschlecht",
        "dimensions": [
            Dimension("Jahr", list(YEARS), {y: y for y in YEARS}, role="time"),
            Dimension(
                "Stadtteil",
                list(STADTTEILE),
                dict(STADTTEILE),
                note=["Gebietsstand 2024"],
                value_notes={"02": ["ab 2022 neue Abgrenzung"]},
                role="geo",
            ),
            Dimension("Geschlecht", list(SEXES), dict(SEXES)),
        ],
        "cells": cells(),
        "symbols": {
            "secret": Symbol(".", "Zahlenwert unbekannt oder geheim zu halten"),
            "zero": Symbol("–", "nichts vorhanden (genau null)", hides_value=False),
            "p": Symbol("p", "vorläufige Zahl", hides_value=False),
        },
        "version": 3,
        "updated": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
        "description": "Bevölkerung mit Hauptwohnsitz",
        "measure_label": "Einwohner",
        "unit": "Personen",
        "decimals": 1,
        "reference_period": "31.12.2022 bis 31.12.2024",
        "source": "Stadt Musterstadt, Statistikstelle",
        "contact": "statistik@musterstadt.de",
        "legal_basis": "§ 3 Statistiksatzung",
        "licence": "dl-de/by-2-0",
        "notes": ["Ergebnisse des Melderegisters"],
        "cell_notes": [({"Jahr": "2024", "Stadtteil": "01"}, "Nachmeldungen eingerechnet")],
        "legend": [". = geheim", "– = nichts vorhanden"],
        "url": "http://testserver/api/v1/tables/einwohner-zeitreihe/",
    }
    fields.update(overrides)
    return Dataset(**fields)
