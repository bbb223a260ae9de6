"""Published tables an indicator reads: SGB II cases per Stadtteil and residents per
Stadtteil and age group, for two Stichtage; one Stadtteil's cases are suppressed."""

import datetime as dt

import pytest

from indicators import services

NEW, OLD = dt.date(2025, 12, 31), dt.date(2024, 12, 31)
ST = {"01": "Altstadt", "02": "Neustadt", "03": "Nordstadt", "_T": "Insgesamt"}
AGE = {"00-14": "0–14", "15-64": "15–64", "65+": "65 und älter", "_T": "Insgesamt"}


def stadtteil_dim():
    return {"name": "Stadtteil", "labels": ST, "order": ["_T", "01", "02", "03"]}


def cases_cells(values):
    cells = []
    for code, value in values.items():
        if value is None:
            cells.append({"Stadtteil": code, "value": None, "flag": "secret"})
        else:
            cells.append({"Stadtteil": code, "value": value, "flag": ""})
    return cells


def residents_cells(working_age):
    cells = []
    for code, people in working_age.items():
        for band, share in (("00-14", 0.15), ("15-64", 1.0), ("65+", 0.25)):
            cells.append(
                {
                    "Stadtteil": code,
                    "Altersgruppe": band,
                    "value": round(people * share),
                    "flag": "",
                }
            )
        total = sum(round(people * s) for s in (0.15, 1.0, 0.25))
        cells.append({"Stadtteil": code, "Altersgruppe": "_T", "value": total, "flag": ""})
    return cells


@pytest.fixture
def tables(publish):
    """(cases definition, residents definition), each published for 2024 and 2025."""
    age = {"name": "Altersgruppe", "labels": AGE, "order": ["_T", "00-14", "15-64", "65+"]}
    publish(
        "sgb2-stadtteil",
        cases_cells({"_T": 540, "01": 200, "02": 300, "03": 40}),
        [stadtteil_dim()],
        reference_date=OLD,
        title="Leistungsfälle nach Stadtteil",
    )
    cases = publish(
        "sgb2-stadtteil",
        cases_cells({"_T": 600, "01": 210, "02": 388, "03": None}),
        [stadtteil_dim()],
        reference_date=NEW,
        title="Leistungsfälle nach Stadtteil",
    )
    working = {"_T": 10000, "01": 3000, "02": 4000, "03": 3000}
    publish("einwohner-alter", residents_cells(working), [stadtteil_dim(), age], reference_date=OLD)
    residents = publish(
        "einwohner-alter", residents_cells(working), [stadtteil_dim(), age], reference_date=NEW
    )
    return cases.definition, residents.definition


@pytest.fixture
def sgb2_rate(tables, statistician):
    cases, residents = tables
    return services.save_indicator(
        user=statistician,
        name="SGB-II-Dichte",
        slug="sgb2-dichte",
        definition="Leistungsfälle SGB II je 1.000 Einwohner von 15 bis 64 Jahren.",
        unit="je 1.000",
        kind="per_1000",
        numerator=cases,
        numerator_label="Leistungsfälle SGB II",
        denominator=residents,
        denominator_label="Einwohner 15–64",
        denominator_filter={"Altersgruppe": "15-64"},
        legal_basis="§ 51b SGB II",
        contact="Statistikstelle",
        status="published",
    )
