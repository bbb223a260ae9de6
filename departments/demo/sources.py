"""The demo data sources: per source a record builder (raw numpy arrays) and a formatter that
turns a slice of the records into the strings of a Fachverfahren export (German conventions)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import N_ST, ST_CODES, bezirk_tables, round_preserving_sum
from .population import (
    NATIONALITIES,
    NO_DATE,
    SEX_CODES,
    URBAN,
    birth_year,
    population,
    random_day_in_year,
    stable_uniform,
    year_start,
)

DATE_FORMAT = "%d.%m.%Y"


# Formatting (vectorised) -----------------------------------------------------------------------
def fmt_date(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> "dd.mm.yyyy"; NO_DATE (missing) -> ""."""
    days = np.asarray(days, dtype=np.int64)
    out = np.full(len(days), "", dtype=object)
    valid = days != NO_DATE
    if valid.any():
        lo, hi = int(days[valid].min()), int(days[valid].max())
        table = pd.to_datetime(np.arange(lo, hi + 1), unit="D").strftime(DATE_FORMAT).to_numpy()
        out[valid] = table[days[valid] - lo]
    return out


def fmt_id(values: np.ndarray, width: int, prefix: str = "") -> np.ndarray:
    s = np.char.zfill(np.asarray(values, dtype=np.int64).astype(f"U{width}"), width)
    return np.char.add(prefix, s) if prefix else s


def fmt_int(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = np.asarray(values, dtype=np.int64).astype(str).astype(object)
    if missing is not None:
        out[missing] = ""
    return out


def fmt_money(cents: np.ndarray) -> np.ndarray:
    """Integer cents -> "1234,56" (decimal comma, no thousands separator)."""
    cents = np.asarray(cents, dtype=np.int64)
    euros = (np.abs(cents) // 100).astype(str)
    rest = np.char.zfill((np.abs(cents) % 100).astype("U2"), 2)
    out = np.char.add(np.char.add(euros, ","), rest)
    return np.where(cents < 0, np.char.add("-", out), out)


def _bz_codes() -> np.ndarray:
    return bezirk_tables()[0]


def _stichtag(year: int, n: int) -> np.ndarray:
    return np.full(n, f"31.12.{year}", dtype=object)


# Table Schema helpers ---------------------------------------------------------------------------
def field(name, type_, title, *, required=False, unique=False, description=None, **constraints):
    f = {"name": name, "type": type_, "title": title}
    if description:
        f["description"] = description
    if type_ == "date":
        f["format"] = DATE_FORMAT
    if type_ == "number":
        f["decimalChar"] = ","
        f["groupChar"] = ""
    if type_ == "boolean":
        f["trueValues"] = ["ja"]
        f["falseValues"] = ["nein"]
    c = {}
    if required:
        c["required"] = True
    if unique:
        c["unique"] = True
    c.update(constraints)
    if c:
        f["constraints"] = c
    return f


def schema(fields: list[dict], key: str) -> dict:
    return {"fields": fields, "primaryKey": [key], "missingValues": [""]}


def stadtteil_field(name="Stadtteil", title="Stadtteil (Wohnort)", required=True):
    return field(
        name, "string", title, required=required, pattern="^[0-9]{2}$", enum=list(ST_CODES)
    )


def bezirk_field(name="Statistischer Bezirk", required=True):
    return field(
        name,
        "string",
        "Statistischer Bezirk",
        required=required,
        pattern="^[0-9]{3}$",
        enum=list(_bz_codes()),
    )


def stichtag_field():
    return field("Stichtag", "date", "Stichtag (Datenstand)", required=True)


def sex_field(name="Geschlecht", required=True):
    return field(name, "string", "Geschlecht", required=required, enum=["m", "w", "d"])


# Shared derived quantities -----------------------------------------------------------------------
def _age(pop: dict, year: int) -> np.ndarray:
    return year - birth_year(pop["birth"])


def _pseudonym(ids: np.ndarray, mult: int, add: int, modulus: int) -> np.ndarray:
    """A stable bijective pseudonym of an integer id (another register's numbering)."""
    return (np.asarray(ids, dtype=np.int64) * mult + add) % modulus


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
    shown = _pseudonym(pop["pid"], 738_219_941, 104_729, 1_000_000_000)
    order = np.argsort(shown, kind="stable")
    return {"pop": pop, "order": order, "shown": shown, "n": len(order)}


def einwohner_format(rec, sl, year):
    pop, idx = rec["pop"], rec["order"][sl]
    return pd.DataFrame(
        {
            "Personen-ID": fmt_id(rec["shown"][idx], 9),
            "Haushalts-ID": fmt_id(_pseudonym(pop["hh"][idx], 48_271, 3_571, 100_000_000), 8),
            "Geburtsdatum": fmt_date(pop["birth"][idx]),
            "Geschlecht": SEX_CODES[pop["sex"][idx]],
            "Staatsangehörigkeit": NATIONALITIES[pop["nat"][idx]],
            "Stadtteil": ST_CODES[pop["st"][idx]],
            "Statistischer Bezirk": _bz_codes()[pop["bz"][idx]],
            "Zuzugsdatum": fmt_date(pop["zuzug"][idx]),
            "Stichtag": _stichtag(year, len(idx)),
        }
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
    age = _age(pop, year)
    young = np.flatnonzero(age <= 6)
    u = stable_uniform(pop["pid"][young], seed, 11)
    attend = young[u < KITA_RATE[age[young]]]
    attend = attend[np.argsort(_pseudonym(pop["pid"][attend], 7919, 17, 10_000_000))]
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
            "Vertragsnummer": fmt_id(_pseudonym(pid, 7919, 17, 10_000_000), 7, "BV"),
            "Kind-Nr": fmt_id(_pseudonym(pid, 2_147_483, 99_991, 100_000_000), 8),
            "Geburtsdatum": fmt_date(pop["birth"][idx]),
            "Geschlecht": SEX_CODES[pop["sex"][idx]],
            "Wohnort Stadtteil": ST_CODES[st],
            "Einrichtungs-ID": fac,
            "Einrichtung Stadtteil": ST_CODES[fac_st],
            "Betreuungsart": art,
            "Betreuungsumfang (Std./Woche)": fmt_int(hours),
            "Vertragsbeginn": fmt_date(start),
            "Elternbeitrag (EUR)": fmt_money(fee),
            "Stichtag": _stichtag(year, len(idx)),
        }
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
    age = _age(pop, year)
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
    sel = sel[np.argsort(_pseudonym(h["hh"][sel], 97, 5, 100_000_000))]
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
            "Fallnummer": np.char.add(prefix, fmt_id(_pseudonym(hid, 97, 5, 100_000_000), 8)),
            "Leistungsart": np.array(LEISTUNGSARTEN)[art],
            "Personen im Haushalt": fmt_int(h["size"][idx]),
            "Kinder unter 18": fmt_int(kids),
            "Alter Antragsteller": fmt_int(np.maximum(age_head, 18)),
            "Stadtteil": ST_CODES[h["st"][idx]],
            "Statistischer Bezirk": _bz_codes()[h["bz"][idx]],
            "Leistungsbeginn": fmt_date(begin),
            "Regelbedarf (EUR)": fmt_money(regel),
            "Kosten der Unterkunft (EUR)": fmt_money(kdu),
            "Zahlbetrag (EUR)": fmt_money(pay),
            "Stichtag": _stichtag(year, len(idx)),
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
    from .calibration import STADTTEILE

    rows = np.arange(N_ST)[sl]
    return pd.DataFrame(
        {
            "Stadtteil": ST_CODES[rows],
            "Stadtteilname": np.array([n for _, n in STADTTEILE], dtype=object)[rows],
            "Bedarfsgemeinschaften": fmt_int(rec["bg"][rows]),
            "Regelleistungsberechtigte": fmt_int(rec["rlb"][rows]),
            "darunter Kinder unter 18": fmt_int(rec["kids"][rows]),
            "Stichtag": _stichtag(year, len(rows)),
        }
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
            "Statistischer Bezirk": _bz_codes()[r["bz"]],
            "Wohneinheiten": fmt_int(r["we"]),
            "Baukosten (EUR)": cost,
            "Status": STATUS[r["status"]],
            "Genehmigungsdatum": fmt_date(r["approval"]),
            "Stichtag": _stichtag(year, k),
        }
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
    age = _age(pop, year)
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
    fid = _pseudonym(vkey, 1_000_003, 7_777, 10_000_000_000)
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
            "Statistischer Bezirk": _bz_codes()[bz],
            "Stichtag": _stichtag(year, len(rows)),
        }
    )
