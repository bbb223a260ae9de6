"""Demo source 1: the Einwohnermeldewesen register (one row per resident)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calibration import ST_CODES
from ..population import (
    NATIONALITIES,
    SEX_CODES,
    population,
)
from .common import (
    bezirk_codes,
    bezirk_field,
    field,
    fmt_date,
    fmt_id,
    pseudonym,
    schema,
    sex_field,
    stadtteil_field,
    stichtag_column,
    stichtag_field,
)

# 1 Einwohnermeldewesen ----------------------------------------------------------------------------
EINWOHNER_SCHEMA = schema(
    [
        field(
            "Personen-ID",
            "string",
            "Personen-ID (Ordnungsmerkmal)",
            required=True,
            unique=True,
            pattern="^[0-9]{9}$",
        ),
        field(
            "Haushalts-ID",
            "string",
            "Haushalts-ID (Haushaltegenerierung)",
            required=True,
            pattern="^[0-9]{8}$",
        ),
        field("Geburtsdatum", "date", "Geburtsdatum", required=True),
        sex_field(),
        field(
            "Staatsangehörigkeit",
            "string",
            "Staatsangehörigkeit (ISO 3166-1 alpha-3)",
            required=True,
            pattern="^[A-Z]{3}$",
        ),
        stadtteil_field(),
        bezirk_field(),
        field("Zuzugsdatum", "date", "Zuzug nach Flensburg (leer: seit Geburt gemeldet)"),
        stichtag_field(),
    ],
    "Personen-ID",
)


def einwohner_records(year, residents, seed):
    pop = population(year, residents, seed)
    shown = pseudonym(pop["pid"], 738_219_941, 104_729, 1_000_000_000)
    order = np.argsort(shown, kind="stable")
    return {"pop": pop, "order": order, "shown": shown, "n": len(order)}


def einwohner_format(rec, sl, year):
    pop, idx = rec["pop"], rec["order"][sl]
    return pd.DataFrame(
        {
            "Personen-ID": fmt_id(rec["shown"][idx], 9),
            "Haushalts-ID": fmt_id(pseudonym(pop["hh"][idx], 48_271, 3_571, 100_000_000), 8),
            "Geburtsdatum": fmt_date(pop["birth"][idx]),
            "Geschlecht": SEX_CODES[pop["sex"][idx]],
            "Staatsangehörigkeit": NATIONALITIES[pop["nat"][idx]],
            "Stadtteil": ST_CODES[pop["st"][idx]],
            "Statistischer Bezirk": bezirk_codes()[pop["bz"][idx]],
            "Zuzugsdatum": fmt_date(pop["zuzug"][idx]),
            "Stichtag": stichtag_column(year, len(idx)),
        }
    )
