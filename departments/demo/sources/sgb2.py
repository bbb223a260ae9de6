"""Demo source 3: Sozialleistungen (SGB II / SGB XII cases per household) and the
Bundesagentur's aggregate per Stadtteil (3b)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calibration import N_ST, ST_CODES
from ..population import (
    NATIONALITIES,
    population,
    random_day_in_year,
    stable_uniform,
)
from .common import (
    age_in,
    bezirk_codes,
    bezirk_field,
    field,
    fmt_date,
    fmt_id,
    fmt_int,
    fmt_money,
    pseudonym,
    schema,
    stadtteil_field,
    stichtag_column,
    stichtag_field,
)

# 3 Sozialleistungen (SGB II / SGB XII) ------------------------------------------------------------
#: Share of working-age households receiving SGB II, per Stadtteil (STADTTEILE order).
SGB2_RATE = np.array([0.15, 0.28, 0.19, 0.06, 0.11, 0.16, 0.14, 0.09, 0.12, 0.09, 0.07, 0.10, 0.04])
#: Regelbedarfsstufen 1/2 and average child rate per year (EUR per month).
REGELBEDARF = {2021: (446, 401, 320), 2022: (449, 404, 322), 2023: (502, 451, 360)}
REGELBEDARF.update({2024: (563, 506, 405), 2025: (563, 506, 405)})
LEISTUNGSARTEN = [
    "Bürgergeld (SGB II)",
    "Arbeitslosengeld II (SGB II)",
    "Grundsicherung im Alter (SGB XII)",
]
SGB2_SCHEMA = schema(
    [
        field(
            "Fallnummer",
            "string",
            "Fallnummer (Bedarfsgemeinschaft / Akte)",
            required=True,
            unique=True,
            pattern="^(BG|GS)[0-9]{8}$",
        ),
        field("Leistungsart", "string", "Leistungsart", required=True, enum=LEISTUNGSARTEN),
        field(
            "Personen im Haushalt",
            "integer",
            "Personen in der Bedarfsgemeinschaft",
            required=True,
            minimum=1,
        ),
        field(
            "Kinder unter 18", "integer", "davon Kinder unter 18 Jahren", required=True, minimum=0
        ),
        field(
            "Alter Antragsteller",
            "integer",
            "Alter der antragstellenden Person",
            required=True,
            minimum=15,
            maximum=110,
        ),
        stadtteil_field(),
        bezirk_field(),
        field("Leistungsbeginn", "date", "Beginn des laufenden Leistungsbezugs", required=True),
        field(
            "Regelbedarf (EUR)",
            "number",
            "Regelbedarfe der Bedarfsgemeinschaft, EUR/Monat",
            required=True,
            minimum=0,
        ),
        field(
            "Kosten der Unterkunft (EUR)",
            "number",
            "Anerkannte KdU inkl. Heizung, EUR/Monat",
            required=True,
            minimum=0,
        ),
        field(
            "Zahlbetrag (EUR)", "number", "Monatlicher Zahlbetrag in EUR", required=True, minimum=0
        ),
        stichtag_field(),
    ],
    "Fallnummer",
)


def _households(pop, year):
    age = age_in(pop, year)
    hh_ids, inv = np.unique(pop["hh"], return_inverse=True)
    size = np.bincount(inv)
    kids = np.bincount(inv, age < 18)
    adults = size - kids
    max_age = np.zeros(len(hh_ids), dtype=np.int64)
    np.maximum.at(max_age, inv, age)
    first = np.zeros(len(hh_ids), dtype=np.int64)
    first[inv[::-1]] = np.arange(len(inv))[::-1]  # first member of each household
    ukr = np.bincount(inv, pop["nat"] == NATIONALITIES.tolist().index("UKR")) > 0
    foreign = np.bincount(inv, pop["nat"] > 0) > 0
    return {
        "hh": hh_ids, "size": size, "kids": kids.astype(np.int64), "adults": adults,
        "max_age": max_age, "st": pop["st"][first], "bz": pop["bz"][first], "ukr": ukr,
        "foreign": foreign,
    }  # fmt: skip


def sgb2_records(year, residents, seed):
    pop = population(year, residents, seed)
    h = _households(pop, year)
    st = h["st"].astype(np.int64)
    working = h["max_age"] < 67
    p = SGB2_RATE[st] * np.where(working, 1.0, 0.0)
    p = p * np.select(
        [(h["adults"] == 1) & (h["kids"] > 0), h["size"] == 1, h["kids"] == 0], [3.0, 1.2, 0.5], 1.0
    )
    p = p * np.where((h["size"] == 1) & (h["max_age"] < 26), 0.35, 1.0)  # students: BAföG
    p = p * np.where(h["foreign"], 1.8, 1.0)
    if year >= 2022:  # refugees from Ukraine receive SGB II since June 2022
        p = np.where(h["ukr"] & working, np.maximum(p, 0.55), p)
    p_old = np.where(working, 0.0, 0.035 * SGB2_RATE[st] / SGB2_RATE.mean())
    u = stable_uniform(h["hh"], seed, 21)
    kind = np.where(u < p, 0, np.where(u < p + p_old, 2, -1))
    sel = np.flatnonzero(kind >= 0)
    sel = sel[np.argsort(pseudonym(h["hh"][sel], 97, 5, 100_000_000))]
    return {"h": h, "idx": sel, "kind": kind[sel], "n": len(sel), "seed": seed}


def sgb2_format(rec, sl, year):
    h, idx, kind, seed = rec["h"], rec["idx"][sl], rec["kind"][sl], rec["seed"]
    hid = h["hh"][idx]
    rb1, rb2, rbk = REGELBEDARF.get(year, REGELBEDARF[min(max(year, 2021), 2025)])
    adults, kids = h["adults"][idx], h["kids"][idx]
    regel = (rb1 + np.maximum(adults - 1, 0) * rb2 + kids * rbk) * 100
    u = stable_uniform(hid, seed, 22)
    kdu = ((390 + 95 * (h["size"][idx] - 1)) * (0.75 + 0.35 * u) + 65 + 15 * h["size"][idx]) * 100
    kdu = (kdu * (1 + 0.03 * (year - 2021))).astype(np.int64)
    income = np.where(
        (kind == 2) | (stable_uniform(hid, seed, 23) < 0.35),
        (100 + 550 * stable_uniform(hid, seed, 24)) * 100,
        0,
    ).astype(np.int64)
    pay = np.maximum(regel + kdu - income, 2000)
    art = np.where(kind == 2, 2, np.where(year >= 2023, 0, 1))
    years_ago = np.floor(-3.0 * np.log(1 - stable_uniform(hid, seed, 25))).astype(np.int64)
    begin = random_day_in_year(year - np.minimum(years_ago, 15), stable_uniform(hid, seed, 26))
    age_head = h["max_age"][idx] - np.where(h["adults"][idx] > 1, 2, 0)
    prefix = np.where(kind == 2, "GS", "BG")
    return pd.DataFrame(
        {
            "Fallnummer": np.char.add(prefix, fmt_id(pseudonym(hid, 97, 5, 100_000_000), 8)),
            "Leistungsart": np.array(LEISTUNGSARTEN)[art],
            "Personen im Haushalt": fmt_int(h["size"][idx]),
            "Kinder unter 18": fmt_int(kids),
            "Alter Antragsteller": fmt_int(np.maximum(age_head, 18)),
            "Stadtteil": ST_CODES[h["st"][idx]],
            "Statistischer Bezirk": bezirk_codes()[h["bz"][idx]],
            "Leistungsbeginn": fmt_date(begin),
            "Regelbedarf (EUR)": fmt_money(regel),
            "Kosten der Unterkunft (EUR)": fmt_money(kdu),
            "Zahlbetrag (EUR)": fmt_money(pay),
            "Stichtag": stichtag_column(year, len(idx)),
        }
    )


# 3b SGB II as published by the Bundesagentur für Arbeit (aggregate per Stadtteil) ---------------
SGB2_BA_SCHEMA = schema(
    [
        stadtteil_field("Stadtteil", "Stadtteil"),
        field("Stadtteilname", "string", "Name des Stadtteils", required=True),
        field(
            "Bedarfsgemeinschaften", "integer", "Bedarfsgemeinschaften", required=True, minimum=0
        ),
        field(
            "Regelleistungsberechtigte",
            "integer",
            "Regelleistungsberechtigte (RLB)",
            required=True,
            minimum=0,
        ),
        field(
            "darunter Kinder unter 18", "integer", "RLB unter 18 Jahren", required=True, minimum=0
        ),
        stichtag_field(),
    ],
    "Stadtteil",
)


def sgb2_ba_records(year, residents, seed):
    rec = sgb2_records(year, residents, seed)
    h, idx = rec["h"], rec["idx"][rec["kind"] < 2]
    st = h["st"][idx]
    return {
        "bg": np.bincount(st, minlength=N_ST),
        "rlb": np.bincount(st, h["size"][idx], minlength=N_ST).astype(np.int64),
        "kids": np.bincount(st, h["kids"][idx], minlength=N_ST).astype(np.int64),
        "n": N_ST,
    }


def sgb2_ba_format(rec, sl, year):
    from ..calibration import STADTTEILE

    rows = np.arange(N_ST)[sl]
    return pd.DataFrame(
        {
            "Stadtteil": ST_CODES[rows],
            "Stadtteilname": np.array([n for _, n in STADTTEILE], dtype=object)[rows],
            "Bedarfsgemeinschaften": fmt_int(rec["bg"][rows]),
            "Regelleistungsberechtigte": fmt_int(rec["rlb"][rows]),
            "darunter Kinder unter 18": fmt_int(rec["kids"][rows]),
            "Stichtag": stichtag_column(year, len(rows)),
        }
    )
