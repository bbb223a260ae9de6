"""Demo source 4: Bauaufsicht (building applications)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calibration import N_ST, ST_CODES, bezirk_tables, round_preserving_sum
from ..population import (
    NO_DATE,
    population,
    random_day_in_year,
    year_start,
)
from .common import (
    bezirk_codes,
    bezirk_field,
    field,
    fmt_date,
    fmt_id,
    fmt_int,
    fmt_money,
    schema,
    stadtteil_field,
    stichtag_column,
    stichtag_field,
)

# 4 Bauaufsicht -----------------------------------------------------------------------------------
VORHABEN = np.array(
    ["Neubau Einfamilienhaus", "Neubau Mehrfamilienhaus", "Neubau Nichtwohngebäude"]
    + ["Umbau/Erweiterung", "Nutzungsänderung", "Abbruch", "Werbeanlage"]
)
_VORHABEN_P = np.array([0.22, 0.10, 0.08, 0.34, 0.10, 0.06, 0.10])
_VORHABEN_P_NEW = np.array([0.40, 0.20, 0.08, 0.18, 0.05, 0.04, 0.05])  # Tarup, Weiche
STATUS = np.array(["genehmigt", "abgelehnt", "zurückgezogen", "in Bearbeitung"])
BAU_SCHEMA = schema(
    [
        field(
            "Aktenzeichen",
            "string",
            "Aktenzeichen der Bauaufsicht",
            required=True,
            unique=True,
            pattern="^63/[0-9]{4}/[0-9]{4}$",
        ),
        field("Eingangsdatum", "date", "Eingang des vollständigen Antrags", required=True),
        field(
            "Verfahrensart",
            "string",
            "Verfahrensart",
            required=True,
            enum=["vereinfachtes Verfahren", "Baugenehmigungsverfahren"],
        ),
        field("Vorhaben", "string", "Art des Vorhabens", required=True, enum=VORHABEN.tolist()),
        stadtteil_field("Stadtteil", "Stadtteil des Baugrundstücks"),
        bezirk_field(),
        field(
            "Wohneinheiten", "integer", "Neu geschaffene Wohneinheiten", required=True, minimum=0
        ),
        field("Baukosten (EUR)", "number", "Veranschlagte Baukosten in EUR", minimum=0),
        field(
            "Status", "string", "Bearbeitungsstand am Stichtag", required=True, enum=STATUS.tolist()
        ),
        field("Genehmigungsdatum", "date", "Datum der Baugenehmigung (leer: keine)"),
        stichtag_field(),
    ],
    "Aktenzeichen",
)
_BAU_YEAR_FACTOR = {2021: 1.0, 2022: 0.95, 2023: 0.8, 2024: 0.76, 2025: 0.82}


def bau_records(year, residents, seed):
    rng = np.random.default_rng([seed, year, 40])
    n = max(5, int(round(430 * residents / 98_800 * _BAU_YEAR_FACTOR.get(year, 0.85))))
    sizes = np.bincount(population(year, residents, seed)["st"], minlength=N_ST).astype(float)
    w = sizes * np.array([0.8, 0.9, 1, 0.9, 0.9, 2.2, 1.1, 1.0, 0.9, 1.0, 1.0, 1.4, 3.5])
    st = np.repeat(np.arange(N_ST), round_preserving_sum(w, n))
    st = st[rng.permutation(n)]
    new_area = np.isin(st, [5, 12])
    vh = np.where(
        new_area,
        rng.choice(len(VORHABEN), n, p=_VORHABEN_P_NEW),
        rng.choice(len(VORHABEN), n, p=_VORHABEN_P),
    )
    we = np.zeros(n, dtype=np.int64)
    we[vh == 0] = np.where(rng.random((vh == 0).sum()) < 0.12, 2, 1)
    we[vh == 1] = 3 + np.minimum(rng.geometric(0.12, (vh == 1).sum()), 60)
    we[vh == 3] = (rng.random((vh == 3).sum()) < 0.25).astype(int)
    we[vh == 4] = rng.integers(0, 3, (vh == 4).sum())
    cost = np.select(
        [vh == 0, vh == 1, vh == 2, vh == 3, vh == 4, vh == 5],
        [rng.normal(420_000, 90_000, n), we * rng.normal(230_000, 30_000, n),
         rng.lognormal(13.8, 0.9, n), rng.lognormal(11.5, 0.8, n), rng.lognormal(10.8, 0.7, n),
         rng.lognormal(10.3, 0.6, n)],
        rng.lognormal(8.5, 0.6, n),
    )  # fmt: skip
    cost = (np.maximum(cost, 500) * 100).astype(np.int64)
    day = random_day_in_year(np.full(n, year), rng.random(n)).astype(np.int64)
    weekday = (day + 3) % 7  # 0 = Monday
    day = day + np.where(weekday >= 5, 7 - weekday, 0)
    day = np.minimum(day, year_start(year + 1) - 1)
    order = np.argsort(day, kind="stable")
    st, vh, we, cost, day = st[order], vh[order], we[order], cost[order], day[order]
    simple = (vh == 0) | (vh == 3) | (vh == 6) | ((vh == 4) & (rng.random(n) < 0.5))
    duration = (rng.gamma(2.5, 28 if year < 2023 else 34, n) * np.where(simple, 0.8, 1.4)).astype(
        np.int64
    )
    outcome = rng.choice(3, n, p=[0.90, 0.04, 0.06])
    decided = day + duration <= year_start(year + 1) - 1
    status = np.where(decided, outcome, 3)
    approval = np.where(status == 0, day + duration, NO_DATE)
    _, members, weights = bezirk_tables()
    bz = np.zeros(n, dtype=np.int64)
    for s in range(N_ST):
        sel = st == s
        bz[sel] = rng.choice(members[s], sel.sum(), p=weights[s])
    return {
        "st": st, "vh": vh, "we": we, "cost": cost, "day": day, "simple": simple,
        "status": status, "approval": approval, "bz": bz, "n": n,
    }  # fmt: skip


def bau_format(rec, sl, year):
    r = {k: v[sl] for k, v in rec.items() if isinstance(v, np.ndarray)}
    k = len(r["st"])
    seq = np.arange(len(rec["st"]))[sl] + 1
    cost = fmt_money(r["cost"]).astype(object)
    cost[r["vh"] == 5] = ""  # demolition: no building costs recorded
    return pd.DataFrame(
        {
            "Aktenzeichen": np.char.add(f"63/{year}/", fmt_id(seq, 4)),
            "Eingangsdatum": fmt_date(r["day"]),
            "Verfahrensart": np.where(
                r["simple"], "vereinfachtes Verfahren", "Baugenehmigungsverfahren"
            ),
            "Vorhaben": VORHABEN[r["vh"]],
            "Stadtteil": ST_CODES[r["st"]],
            "Statistischer Bezirk": bezirk_codes()[r["bz"]],
            "Wohneinheiten": fmt_int(r["we"]),
            "Baukosten (EUR)": cost,
            "Status": STATUS[r["status"]],
            "Genehmigungsdatum": fmt_date(r["approval"]),
            "Stichtag": stichtag_column(year, k),
        }
    )
