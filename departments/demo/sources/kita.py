"""Demo source 2: Kindertagesbetreuung contracts (one row per child in care)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calibration import N_ST, ST_CODES
from ..population import (
    SEX_CODES,
    population,
    stable_uniform,
    year_start,
)
from .common import (
    age_in,
    field,
    fmt_date,
    fmt_id,
    fmt_int,
    fmt_money,
    pseudonym,
    schema,
    sex_field,
    stadtteil_field,
    stichtag_column,
    stichtag_field,
)

# 2 Kindertagesbetreuung --------------------------------------------------------------------------
KITA_RATE = np.array([0.04, 0.38, 0.62, 0.88, 0.93, 0.94, 0.45])  # by age 0..6 at the Stichtag
KITA_SCHEMA = schema(
    [
        field(
            "Vertragsnummer",
            "string",
            "Betreuungsvertrag",
            required=True,
            unique=True,
            pattern="^BV[0-9]{7}$",
        ),
        field(
            "Kind-Nr",
            "string",
            "Kind-Nummer (KitaPlus)",
            required=True,
            unique=True,
            pattern="^[0-9]{8}$",
        ),
        field("Geburtsdatum", "date", "Geburtsdatum des Kindes", required=True),
        sex_field(),
        stadtteil_field("Wohnort Stadtteil", "Stadtteil des Wohnorts"),
        field(
            "Einrichtungs-ID",
            "string",
            "Einrichtung / Tagespflegestelle",
            required=True,
            pattern="^(KT|TP)[0-9]{4}$",
        ),
        stadtteil_field("Einrichtung Stadtteil", "Stadtteil der Einrichtung"),
        field(
            "Betreuungsart",
            "string",
            "Betreuungsart",
            required=True,
            enum=["Krippe", "Elementar", "Kindertagespflege"],
        ),
        field(
            "Betreuungsumfang (Std./Woche)",
            "integer",
            "Wöchentliche Betreuungszeit",
            required=True,
            minimum=5,
            maximum=50,
        ),
        field("Vertragsbeginn", "date", "Vertragsbeginn", required=True),
        field(
            "Elternbeitrag (EUR)",
            "number",
            "Monatlicher Elternbeitrag in EUR",
            required=True,
            minimum=0,
        ),
        stichtag_field(),
    ],
    "Vertragsnummer",
)


def kita_records(year, residents, seed):
    pop = population(year, residents, seed)
    age = age_in(pop, year)
    young = np.flatnonzero(age <= 6)
    u = stable_uniform(pop["pid"][young], seed, 11)
    attend = young[u < KITA_RATE[age[young]]]
    attend = attend[np.argsort(pseudonym(pop["pid"][attend], 7919, 17, 10_000_000))]
    return {"pop": pop, "idx": attend, "age": age[attend], "n": len(attend), "seed": seed}


def kita_format(rec, sl, year):
    pop, idx, age, seed = rec["pop"], rec["idx"][sl], rec["age"][sl], rec["seed"]
    pid = pop["pid"][idx]
    st = pop["st"][idx].astype(np.int64)
    # Some children go to a Kita in another Stadtteil (near the parents' workplace).
    other = stable_uniform(pid, seed, 12) < 0.15
    fac_st = np.where(other, (st + 1 + (stable_uniform(pid, seed, 13) * 12).astype(int)) % N_ST, st)
    n_fac = np.maximum(2, np.bincount(pop["st"], minlength=N_ST) // 1800)
    fac_no = 1 + (stable_uniform(pid, seed, 14) * n_fac[fac_st]).astype(int)
    tagespflege = (age < 3) & (stable_uniform(pid, seed, 15) < 0.22)
    art = np.where(age >= 3, "Elementar", np.where(tagespflege, "Kindertagespflege", "Krippe"))
    fac = np.char.add(np.where(tagespflege, "TP", "KT"), ST_CODES[fac_st])
    fac = np.char.add(fac, np.char.zfill(fac_no.astype("U2"), 2))
    hours = np.array([20, 25, 30, 35, 40, 45])[
        np.searchsorted([0.08, 0.2, 0.45, 0.7, 0.93], stable_uniform(pid, seed, 16))
    ]
    hours = np.where(age < 3, np.minimum(hours, 40), hours)
    start_months = np.where(age < 3, 10, 12) + (stable_uniform(pid, seed, 17) * 24).astype(int)
    birth = pop["birth"][idx].astype(np.int64)
    span = year_start(year + 1) - 1 - birth
    late = (0.4 + 0.6 * stable_uniform(pid, seed, 20)) * span
    start = birth + np.minimum(start_months * 30, late).astype(np.int64)
    # Schleswig-Holstein caps parents' fees per weekly hour (Krippe 7,21 EUR, Elementar 5,66 EUR);
    # ~15% pay a reduced fee (Sozialstaffel) or nothing.
    rate = np.where(age < 3, 721, 566)
    fee = hours * rate
    reduced = stable_uniform(pid, seed, 18) < 0.15
    fee = np.where(reduced, (fee * stable_uniform(pid, seed, 19) * 0.5).astype(np.int64), fee)
    return pd.DataFrame(
        {
            "Vertragsnummer": fmt_id(pseudonym(pid, 7919, 17, 10_000_000), 7, "BV"),
            "Kind-Nr": fmt_id(pseudonym(pid, 2_147_483, 99_991, 100_000_000), 8),
            "Geburtsdatum": fmt_date(pop["birth"][idx]),
            "Geschlecht": SEX_CODES[pop["sex"][idx]],
            "Wohnort Stadtteil": ST_CODES[st],
            "Einrichtungs-ID": fac,
            "Einrichtung Stadtteil": ST_CODES[fac_st],
            "Betreuungsart": art,
            "Betreuungsumfang (Std./Woche)": fmt_int(hours),
            "Vertragsbeginn": fmt_date(start),
            "Elternbeitrag (EUR)": fmt_money(fee),
            "Stichtag": stichtag_column(year, len(idx)),
        }
    )
