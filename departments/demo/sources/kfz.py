"""Demo source 5: Kfz-Zulassung (vehicles and their holders)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calibration import N_ST, ST_CODES, bezirk_tables
from ..population import (
    SEX_CODES,
    URBAN,
    birth_year,
    population,
    random_day_in_year,
    stable_uniform,
    year_start,
)
from .common import (
    age_in,
    bezirk_codes,
    bezirk_field,
    field,
    fmt_date,
    fmt_id,
    fmt_int,
    pseudonym,
    schema,
    sex_field,
    stadtteil_field,
    stichtag_column,
    stichtag_field,
)

# 5 Kfz-Zulassung ---------------------------------------------------------------------------
FAHRZEUGKLASSEN = np.array(["Pkw", "Krad", "Lkw", "Zugmaschine", "Wohnmobil", "Kraftomnibus"])
ANTRIEBE = np.array(["Benzin", "Diesel", "Elektro", "Hybrid", "Plug-in-Hybrid", "Gas"])
# Share of each drive among first registrations of cars, by year of first registration.
_DRIVE_YEARS = np.array([2000, 2010, 2015, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025])
_DRIVE_SHARES = np.array(
    [
        [0.70, 0.28, 0.000, 0.00, 0.00, 0.02],
        [0.56, 0.42, 0.001, 0.005, 0.00, 0.015],
        [0.50, 0.48, 0.005, 0.01, 0.003, 0.005],
        [0.62, 0.32, 0.01, 0.03, 0.01, 0.01],
        [0.59, 0.32, 0.03, 0.04, 0.01, 0.01],
        [0.47, 0.28, 0.07, 0.11, 0.06, 0.01],
        [0.37, 0.20, 0.14, 0.17, 0.12, 0.005],
        [0.33, 0.17, 0.18, 0.19, 0.125, 0.005],
        [0.35, 0.17, 0.18, 0.23, 0.065, 0.005],
        [0.36, 0.14, 0.14, 0.29, 0.07, 0.00],
        [0.29, 0.11, 0.19, 0.33, 0.08, 0.00],
    ]
)
KFZ_SCHEMA = schema(
    [
        field(
            "Fahrzeug-ID",
            "string",
            "Fahrzeug-ID (pseudonymisiert)",
            required=True,
            unique=True,
            pattern="^F[0-9]{10}$",
        ),
        field(
            "Fahrzeugklasse",
            "string",
            "Fahrzeugklasse",
            required=True,
            enum=FAHRZEUGKLASSEN.tolist(),
        ),
        field(
            "Antriebsart", "string", "Kraftstoff-/Energieart", required=True, enum=ANTRIEBE.tolist()
        ),
        field("Erstzulassung", "date", "Datum der Erstzulassung", required=True),
        field("Zulassung auf Halter", "date", "Zulassung auf den jetzigen Halter", required=True),
        field("Leistung (kW)", "integer", "Nennleistung in kW", required=True, minimum=1),
        field(
            "Gewerblicher Halter", "boolean", "Halter ist eine juristische Person", required=True
        ),
        field(
            "Halter Geburtsjahr", "integer", "Geburtsjahr (nur natürliche Personen)", minimum=1900
        ),
        sex_field("Halter Geschlecht", required=False),
        stadtteil_field("Stadtteil", "Stadtteil des Halters"),
        bezirk_field(),
        stichtag_field(),
    ],
    "Fahrzeug-ID",
)
_HOLD = 8  # years a vehicle stays with its holder, on average


def kfz_records(year, residents, seed):
    pop = population(year, residents, seed)
    age = age_in(pop, year)
    adult = np.flatnonzero(age >= 18)
    a = age[adult]
    p1 = np.select([a < 21, a < 25, a < 75, a < 85], [0.20, 0.35, 0.50, 0.40], 0.18)
    p1 = p1 * np.where(URBAN[pop["st"][adult]], 0.72, 1.0)
    p2 = np.where((a >= 25) & (a < 70), 0.075, 0.02)
    pid = pop["pid"][adult]
    has1 = stable_uniform(pid, seed, 31) < p1
    has2 = has1 & (stable_uniform(pid, seed, 32) < p2)
    owner = np.concatenate([adult[has1], adult[has2]])
    slot = np.concatenate([np.zeros(has1.sum(), np.int64), np.ones(has2.sum(), np.int64)])
    # Company fleet: ~9% of vehicles, with the business areas of Weiche/Südstadt overrepresented.
    n_comp = int(round(0.09 / 0.91 * len(owner)))
    comp_ids = np.arange(1, n_comp + 1, dtype=np.int64)
    cw = np.bincount(pop["st"], minlength=N_ST) * np.array(
        [1.5, 1.3, 1, 0.6, 0.7, 2.5, 2.5, 0.8, 0.9, 0.7, 0.8, 0.7, 1.0]
    )
    cu = stable_uniform(comp_ids, seed, 33)
    comp_st = np.searchsorted(np.cumsum(cw) / cw.sum(), cu).clip(0, N_ST - 1)
    _, members, weights = bezirk_tables()
    comp_bz = np.zeros(n_comp, dtype=np.int64)
    cu2 = stable_uniform(comp_ids, seed, 34)
    for s in range(N_ST):
        sel = comp_st == s
        comp_bz[sel] = members[s][
            np.searchsorted(np.cumsum(weights[s]), cu2[sel]).clip(0, len(members[s]) - 1)
        ]
    # Every vehicle slot is replaced every _HOLD years at a stable offset: a stable fleet that
    # renews itself, so the drive mix follows the first registrations of recent years.
    key = np.concatenate([pop["pid"][owner] * 4 + slot, 100_000_000 + comp_ids])
    offset = (stable_uniform(key, seed, 35) * _HOLD).astype(np.int64)
    generation = (year + offset) // _HOLD
    acquired = generation * _HOLD - offset
    vkey = key * 64 + generation
    fid = pseudonym(vkey, 1_000_003, 7_777, 10_000_000_000)
    return {
        "fid": fid, "order": np.argsort(fid, kind="stable"),
        "pop": pop, "owner": owner, "slot": slot, "n_priv": len(owner), "comp_st": comp_st,
        "comp_bz": comp_bz, "vkey": vkey, "acquired": acquired, "n": len(vkey), "seed": seed,
    }  # fmt: skip


def kfz_format(rec, sl, year):
    pop, seed = rec["pop"], rec["seed"]
    rows = rec["order"][sl]
    priv = rows < rec["n_priv"]
    vkey, acquired = rec["vkey"][rows], rec["acquired"][rows]
    u = [stable_uniform(vkey, seed, 40 + i) for i in range(6)]
    slot = np.where(priv, rec["slot"][np.minimum(rows, max(rec["n_priv"] - 1, 0))], 2)
    cls0 = np.array([0, 1, 4])[np.searchsorted([0.97, 0.985], u[0])]
    cls1 = np.array([0, 1, 4])[np.searchsorted([0.55, 0.95], u[0])]
    cls2 = np.array([0, 1, 2, 3, 5])[np.searchsorted([0.56, 0.60, 0.95, 0.99], u[0])]
    cls = np.select([slot == 0, slot == 1], [cls0, cls1], cls2)
    # Used cars: 40% new, else 1-12 years old at acquisition.
    used_age = np.where(u[1] < 0.4, 0, 1 + (u[2] * 12).astype(np.int64))
    first_year = np.clip(acquired - used_age, 1990, year)
    first_day = random_day_in_year(first_year, u[3]).astype(np.int64)
    acq_day = np.maximum(random_day_in_year(np.minimum(acquired, year), u[4]), first_day)
    acq_day = np.minimum(acq_day, year_start(year + 1) - 1)
    first_day = np.minimum(first_day, acq_day)
    shares = np.stack(
        [np.interp(first_year, _DRIVE_YEARS, _DRIVE_SHARES[:, j]) for j in range(6)], axis=1
    )
    cum = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    drive = (u[5][:, None] > cum).sum(axis=1).clip(0, 5)
    drive = np.where(cls == 1, np.where(u[5] < 0.03 + 0.01 * (year - 2021), 2, 0), drive)
    drive = np.where(np.isin(cls, [2, 3, 5]), np.where(u[5] < 0.04 * (year - 2019), 2, 1), drive)
    drive = np.where(cls == 4, 1, drive)
    kw_median = np.array([85, 35, 130, 90, 110, 220])[cls] * np.where(drive == 2, 1.35, 1.0)
    kw = np.maximum(np.round(kw_median * np.exp(0.35 * (u[2] - 0.5) * 2 + 0.3 * (u[4] - 0.5))), 4)
    owner = rec["owner"][np.minimum(rows[priv], max(rec["n_priv"] - 1, 0))]
    comp = rows[~priv] - rec["n_priv"]
    st = np.empty(len(rows), dtype=np.int64)
    bz = np.empty(len(rows), dtype=np.int64)
    st[priv], bz[priv] = pop["st"][owner], pop["bz"][owner]
    st[~priv], bz[~priv] = rec["comp_st"][comp], rec["comp_bz"][comp]
    by = np.zeros(len(rows), dtype=np.int64)
    by[priv] = birth_year(pop["birth"][owner])
    sex = np.full(len(rows), "", dtype=object)
    sex[priv] = SEX_CODES[pop["sex"][owner]]
    fid = rec["fid"][rows]
    return pd.DataFrame(
        {
            "Fahrzeug-ID": fmt_id(fid, 10, "F"),
            "Fahrzeugklasse": FAHRZEUGKLASSEN[cls],
            "Antriebsart": ANTRIEBE[drive],
            "Erstzulassung": fmt_date(first_day),
            "Zulassung auf Halter": fmt_date(acq_day),
            "Leistung (kW)": fmt_int(kw),
            "Gewerblicher Halter": np.where(priv, "nein", "ja"),
            "Halter Geburtsjahr": fmt_int(by, missing=~priv),
            "Halter Geschlecht": sex,
            "Stadtteil": ST_CODES[st],
            "Statistischer Bezirk": bezirk_codes()[bz],
            "Stichtag": stichtag_column(year, len(rows)),
        }
    )
