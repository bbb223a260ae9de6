"""The synthetic resident population of the demo city, year by year.

A base population at 31.12.2021 is drawn so that its aggregates match the published figures
(Stadtteil sizes, age bands, sex shares); every later year is simulated from the one before
(deaths, households moving away, births, households moving in), so the same person keeps the
same id from year to year. Earlier years are simulated backwards the same way. Everything is
vectorised with numpy; a population is a dict of equally long arrays.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .calibration import (
    AGE_BANDS,
    CALIBRATION_YEAR,
    MAX_AGE,
    N_ST,
    bezirk_tables,
    calibration,
    round_preserving_sum,
    stadtteil_targets,
)

EPOCH = np.datetime64("1970-01-01", "D")
NO_DATE = -(2**31)  # a missing date (days since 1970 are negative for older people)
MALE, FEMALE, DIVERSE = 0, 1, 2
SEX_CODES = np.array(["m", "w", "d"])

NATIONALITIES = np.array(
    ["DEU", "DNK", "SYR", "POL", "TUR", "UKR", "ROU", "AFG", "IRQ", "BGR", "RUS", "ITA", "ERI"]
    + ["GRC", "ESP", "SWE", "NOR", "IRN", "VNM", "CHN"]
)
_FOREIGN_WEIGHTS = np.array(
    [0.16, 0.16, 0.12, 0.08, 0.04, 0.07, 0.05, 0.05, 0.05, 0.04, 0.03, 0.03]
    + [0.03, 0.03, 0.02, 0.02, 0.01, 0.01, 0.01]
)
_FOREIGN_WEIGHTS = _FOREIGN_WEIGHTS / _FOREIGN_WEIGHTS.sum()
UKR = int(np.flatnonzero(NATIONALITIES == "UKR")[0])

# Per Stadtteil (STADTTEILE order) -------------------------------------------------------------
FOREIGN_SHARE = np.array(
    [0.20, 0.32, 0.19, 0.07, 0.12, 0.13, 0.16, 0.14, 0.13, 0.09, 0.07, 0.10, 0.05]
)
#: Altstadt, Neustadt, Sandberg (university campus): more singles and flat shares.
URBAN = np.array([1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], dtype=bool)
STUDENT = np.array([1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0], dtype=bool)

# A smooth national age profile (relative cohort sizes) that shapes single ages inside a band.
_PROFILE_KNOTS = (
    [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 58, 62, 65, 70, 75, 80, 85, 90, 95, 100],
    [0.78, 0.80, 0.77, 0.76, 0.84, 0.95, 1.08, 1.10, 1.02, 0.97, 1.12, 1.36, 1.40, 1.25]
    + [1.10, 0.93, 0.78, 0.80, 0.45, 0.20, 0.05, 0.008],
)
AGES = np.arange(MAX_AGE + 1)
PROFILE = np.interp(AGES, *_PROFILE_KNOTS)
# Age profile of people moving into the city (peaks at 19-27: students, trainees).
MOVER_PROFILE = np.interp(
    AGES,
    [0, 10, 17, 19, 21, 24, 27, 32, 40, 50, 65, 80, 100],
    [30, 15, 25, 140, 150, 100, 60, 35, 20, 11, 6, 3, 0.5],
)
_STUDENT_BUMP = np.exp(-0.5 * ((AGES - 22.0) / 2.5) ** 2)


def year_start(year) -> np.ndarray:
    """Days since 1970-01-01 of 1 January of ``year`` (vectorised)."""
    y = np.asarray(year, dtype=np.int64) - 1970
    return (y.astype("datetime64[Y]").astype("datetime64[D]") - EPOCH).astype(np.int64)


def birth_year(days: np.ndarray) -> np.ndarray:
    return (days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).astype(
        np.int32
    )


def random_day_in_year(year, u) -> np.ndarray:
    start = year_start(year)
    length = year_start(np.asarray(year) + 1) - start
    return (start + np.floor(u * length)).astype(np.int32)


# Stable per-record random numbers (splitmix64), so a person keeps their traits across years.
_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    x = x + _G
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def stable_uniform(ids, *salt: int) -> np.ndarray:
    """A uniform number in [0, 1) that depends only on (ids, salt): stable across years."""
    h = np.asarray(ids).astype(np.uint64)
    for s in salt:
        h = _mix(h ^ _mix(np.full(h.shape, s, dtype=np.uint64)))
    h = _mix(h)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def _weighted_sample(rng, candidates: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """k of the candidates without replacement, with probability ~ weights (Efraimidis-Spirakis)."""
    k = min(k, len(candidates))
    if k <= 0:
        return candidates[:0]
    keys = np.log(rng.random(len(candidates))) / np.maximum(weights, 1e-9)
    return candidates[np.argpartition(-keys, k - 1)[:k]]


# Households -----------------------------------------------------------------------------------
def _form_households(rng, age: np.ndarray, sex: np.ndarray, st: int) -> np.ndarray:
    """Group the residents of one Stadtteil into households; returns labels 0..H-1."""
    n = len(age)
    hh = np.full(n, -1, dtype=np.int64)
    next_label = 0
    kids = np.flatnonzero(age < 18)
    if len(kids):
        order = kids[np.argsort(age[kids] + rng.normal(0, 4, len(kids)))]
        sizes = rng.choice([1, 2, 3, 4], size=len(kids), p=[0.45, 0.38, 0.13, 0.04])
        n_fam = int(np.searchsorted(np.cumsum(sizes), len(kids))) + 1
        fam = np.repeat(np.arange(n_fam), sizes[:n_fam])[: len(kids)]
        hh[order] = fam
        oldest = np.zeros(n_fam)
        np.maximum.at(oldest, fam, age[order])
        next_label = n_fam
        # First parent: mostly mothers aged ~24-50, matched by rank to the oldest child's age.
        cand = np.flatnonzero((age >= 19) & (age <= 55) & (sex == FEMALE))
        w = np.exp(-0.5 * ((age[cand] - 37.0) / 7.0) ** 2)
        prim = _weighted_sample(rng, cand, w, n_fam)
        if len(prim) < n_fam:  # not enough women: fathers as single parents
            rest = np.setdiff1d(np.flatnonzero((age >= 19) & (age <= 60) & (hh < 0)), prim)
            prim = np.concatenate([prim, rng.permutation(rest)[: n_fam - len(prim)]])
        fam_order = np.argsort(oldest + rng.normal(0, 2, n_fam))[: len(prim)]
        prim = prim[np.argsort(age[prim], kind="stable")]
        hh[prim] = fam_order
        # Second parent for most families, rank-matched by age.
        two = rng.random(len(prim)) < (0.66 if URBAN[st] else 0.80)
        prim2 = prim[two]
        cand = np.flatnonzero((age >= 20) & (age <= 65) & (sex != FEMALE) & (hh < 0))
        w = np.exp(-0.5 * ((age[cand] - 40.0) / 8.0) ** 2)
        part = _weighted_sample(rng, cand, w, len(prim2))
        part = part[np.argsort(age[part], kind="stable")]
        prim2 = prim2[np.argsort(age[prim2], kind="stable")][: len(part)]
        hh[part] = hh[prim2]
    # The other adults: singles, flat shares, couples.
    rest = np.flatnonzero(hh < 0)
    a = age[rest]
    p_single = np.select([a < 30, a < 65, a < 80], [0.50, 0.30, 0.32], 0.60)
    p_single = np.minimum(p_single + (0.14 if URBAN[st] else 0.0), 0.9)
    single = rng.random(len(rest)) < p_single
    singles = rest[single]
    others = rest[~single]
    if STUDENT[st]:
        young = others[(age[others] < 30) & (rng.random(len(others)) < 0.45)]
        n_wg = len(young) // 3
        if n_wg:
            young = rng.permutation(young)[: 3 * n_wg]
            hh[young] = next_label + np.repeat(np.arange(n_wg), 3)
            next_label += n_wg
            others = others[hh[others] < 0]
    men = others[sex[others] != FEMALE]
    women = others[sex[others] == FEMALE]
    men = men[np.argsort(age[men] + rng.normal(0, 3, len(men)))]
    women = women[np.argsort(age[women] + rng.normal(0, 3, len(women)))]
    k = min(len(men), len(women))
    hh[men[:k]] = next_label + np.arange(k)
    hh[women[:k]] = next_label + np.arange(k)
    next_label += k
    leftover = np.concatenate([singles, men[k:], women[k:]])
    hh[leftover] = next_label + np.arange(len(leftover))
    next_label += len(leftover)
    # Compact labels (some family/WG labels may be unused).
    _, hh = np.unique(hh, return_inverse=True)
    return hh


def _assign_bezirk(rng, st_of_hh: np.ndarray) -> np.ndarray:
    _, members, weights = bezirk_tables()
    out = np.zeros(len(st_of_hh), dtype=np.int8)
    for st in range(N_ST):
        sel = np.flatnonzero(st_of_hh == st)
        out[sel] = rng.choice(members[st], size=len(sel), p=weights[st])
    return out


def _nationality(rng, st: np.ndarray, age: np.ndarray, factor: float = 1.0, ukr_boost=0.0):
    share = FOREIGN_SHARE[st] * factor
    share = share * np.select([age < 18, age < 45, age < 65], [1.0, 1.35, 0.8], 0.35)
    foreign = rng.random(len(st)) < np.minimum(share, 0.9)
    weights = _FOREIGN_WEIGHTS.copy()
    if ukr_boost:
        weights[UKR - 1] += ukr_boost
        weights /= weights.sum()
    nat = np.zeros(len(st), dtype=np.int8)
    nat[foreign] = 1 + rng.choice(len(weights), size=int(foreign.sum()), p=weights)
    return nat


def _sex(rng, st: np.ndarray, age: np.ndarray) -> np.ndarray:
    male_share = calibration()["male_share"]
    adj = np.where(age < 60, 0.03, 0.03 - 0.28 * np.clip((age - 60) / 35.0, 0, 1))
    p_male = np.zeros(len(age))
    for s in range(N_ST):
        sel = st == s
        if sel.any():
            p_male[sel] = male_share[s] + adj[sel] - adj[sel].mean()
    sex = np.where(rng.random(len(age)) < np.clip(p_male, 0.05, 0.95), MALE, FEMALE)
    sex[rng.random(len(age)) < 0.0005] = DIVERSE
    return sex.astype(np.int8)


# The base population ----------------------------------------------------------------------------
def _base_population(residents: int, seed: int) -> dict:
    rng = np.random.default_rng([seed, CALIBRATION_YEAR, 0])
    cal = calibration()
    targets = round_preserving_sum(stadtteil_targets(CALIBRATION_YEAR, residents), residents)
    st_parts, age_parts = [], []
    for s in range(N_ST):
        band_n = round_preserving_sum(cal["band_shares"][s], int(targets[s]))
        for (_, lo, hi), n in zip(AGE_BANDS, band_n, strict=True):
            ages = AGES[lo:hi]
            w = PROFILE[lo:hi].copy()
            if STUDENT[s]:
                w *= 1 + (1.6 if s == 7 else 0.8) * np.exp(-0.5 * ((ages - 23) / 2.5) ** 2)
            age_parts.append(rng.choice(ages, size=int(n), p=w / w.sum()))
            st_parts.append(np.full(int(n), s, dtype=np.int8))
    st = np.concatenate(st_parts)
    age = np.concatenate(age_parts).astype(np.int32)
    sex = _sex(rng, st, age)
    birth = random_day_in_year(CALIBRATION_YEAR - age, rng.random(len(age)))
    hh = np.zeros(len(age), dtype=np.int64)
    offset = 0
    for s in range(N_ST):
        sel = np.flatnonzero(st == s)
        labels = _form_households(rng, age[sel], sex[sel], s)
        hh[sel] = labels + offset
        offset += int(labels.max()) + 1 if len(labels) else 0
    st_of_hh = np.zeros(offset, dtype=np.int8)
    st_of_hh[hh] = st
    bz_of_hh = _assign_bezirk(rng, st_of_hh)
    hh_ids = rng.permutation(offset).astype(np.int64) + 1
    # Moved into the city: none for many born here; otherwise mostly in recent years.
    born_here = rng.random(len(age)) < np.where(age < 18, 0.7, 0.3)
    years_ago = np.minimum(np.floor(rng.exponential(7.0, len(age))), age).astype(np.int64)
    zuzug_year = CALIBRATION_YEAR - years_ago
    zuzug = random_day_in_year(zuzug_year, rng.random(len(age)))
    zuzug = np.maximum(zuzug, birth)
    zuzug[born_here] = NO_DATE
    pid = rng.permutation(len(age)).astype(np.int64) + 1
    return {
        "pid": pid,
        "birth": birth,
        "sex": sex,
        "st": st,
        "bz": bz_of_hh[hh],
        "hh": hh_ids[hh],
        "nat": _nationality(rng, st, age),
        "zuzug": zuzug.astype(np.int32),
        "next_pid": int(len(age)) + 1,
        "next_hh": offset + 1,
        "year": CALIBRATION_YEAR,
    }


def _subset(pop: dict, keep: np.ndarray) -> dict:
    return {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in pop.items()}


def _concat(pop: dict, new: dict) -> dict:
    out = {}
    for k, v in pop.items():
        out[k] = np.concatenate([v, new[k].astype(v.dtype)]) if isinstance(v, np.ndarray) else v
    return out


def _movers(rng, pop, need, year, zuzug_years, profile=MOVER_PROFILE, nat_factor=1.5) -> dict:
    """New households with ``need[s]`` persons in Stadtteil s (people moving in)."""
    st_l, age_l, hhl_l, role_l = [], [], [], []
    n_hh = 0
    for s in range(N_ST):
        n = int(need[s])
        if n <= 0:
            continue
        p = [0.66, 0.22, 0.07, 0.05] if STUDENT[s] else [0.56, 0.28, 0.09, 0.07]
        sizes = rng.choice([1, 2, 3, 4], size=n, p=p)
        cut = int(np.searchsorted(np.cumsum(sizes), n))
        sizes = sizes[: cut + 1]
        sizes[-1] -= int(sizes.sum() - n)
        sizes = sizes[sizes > 0]
        prof = profile.copy()
        prof[:18] = 0
        if STUDENT[s]:
            prof = prof * (1 + (2.0 if s == 7 else 1.0) * _STUDENT_BUMP)
        head_age = rng.choice(AGES, size=len(sizes), p=prof / prof.sum())
        head_age[sizes >= 3] = np.clip(head_age[sizes >= 3], 24, 50)
        label = np.repeat(np.arange(len(sizes)), sizes)
        role = np.arange(len(label)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        age = np.repeat(head_age, sizes)
        partner = role == 1
        age[partner] = np.clip(age[partner] + np.round(rng.normal(0, 3, partner.sum())), 18, 95)
        kid = role >= 2
        age[kid] = rng.integers(0, np.minimum(15, np.maximum(age[kid] - 18, 1)))
        st_l.append(np.full(len(age), s, dtype=np.int8))
        age_l.append(age)
        hhl_l.append(label + n_hh)
        role_l.append(role)
        n_hh += len(sizes)
    if not st_l:
        return _subset(pop, np.zeros(len(pop["pid"]), dtype=bool))
    st = np.concatenate(st_l)
    age = np.concatenate(age_l).astype(np.int32)
    label = np.concatenate(hhl_l)
    role = np.concatenate(role_l)
    sex = _sex(rng, st, age)
    head_sex = sex[role == 0][label]
    sex = np.where(role == 1, np.where(head_sex == MALE, FEMALE, MALE), sex).astype(np.int8)
    birth = random_day_in_year(year - age, rng.random(len(age)))
    st_of_hh = np.zeros(n_hh, dtype=np.int8)
    st_of_hh[label] = st
    bz = _assign_bezirk(rng, st_of_hh)[label]
    ukr = 0.9 if year == 2022 else (0.15 if year > 2022 else 0.0)
    nat_head = _nationality(rng, st_of_hh, np.full(n_hh, 30), factor=nat_factor, ukr_boost=ukr)
    zy = np.asarray(zuzug_years(n_hh))
    zuzug = np.maximum(random_day_in_year(zy, rng.random(n_hh))[label], birth)
    n = len(age)
    return {
        "pid": np.arange(pop["next_pid"], pop["next_pid"] + n, dtype=np.int64),
        "birth": birth,
        "sex": sex,
        "st": st,
        "bz": bz,
        "hh": (pop["next_hh"] + label).astype(np.int64),
        "nat": nat_head[label],
        "zuzug": zuzug.astype(np.int32),
    }


def _forward(pop: dict, residents: int, seed: int) -> dict:
    year = pop["year"] + 1
    rng = np.random.default_rng([seed, year, 1])
    age = year - birth_year(pop["birth"])
    n = len(age)
    # Deaths (Gompertz-like) and households moving away (young adults move most).
    dead = rng.random(n) < np.minimum(0.000025 * np.exp(0.095 * age), 0.6)
    leave_rate = np.select(
        [age < 18, age < 25, age < 30, age < 45, age < 65], [0.05, 0.14, 0.16, 0.07, 0.025], 0.015
    )
    leave_rate = leave_rate * np.where(STUDENT[pop["st"]], 1.4, 1.0)
    _, hh_idx = np.unique(pop["hh"], return_inverse=True)
    hh_rate = np.bincount(hh_idx, leave_rate) / np.bincount(hh_idx)
    leave = (rng.random(int(hh_idx.max()) + 1) < hh_rate)[hh_idx]
    keep = ~(dead | leave)
    pop = _subset(pop, keep)
    age = age[keep]
    # Births: to women 16-45 with an age-specific fertility (TFR ~1.2), into their household.
    fert = 1.2 * np.exp(-0.5 * ((age - 31.0) / 5.5) ** 2) / (5.5 * np.sqrt(2 * np.pi))
    mothers = np.flatnonzero((pop["sex"] == FEMALE) & (rng.random(len(age)) < fert))
    nb = len(mothers)
    babies = {
        "pid": np.arange(pop["next_pid"], pop["next_pid"] + nb, dtype=np.int64),
        "birth": random_day_in_year(np.full(nb, year), rng.random(nb)),
        "sex": np.where(rng.random(nb) < 0.513, MALE, FEMALE).astype(np.int8),
        "st": pop["st"][mothers],
        "bz": pop["bz"][mothers],
        "hh": pop["hh"][mothers],
        "nat": pop["nat"][mothers],
        "zuzug": np.full(nb, NO_DATE, dtype=np.int32),
    }
    pop = _concat(pop, babies)
    pop["next_pid"] += nb
    # Moving in: fill every Stadtteil up to its trend target.
    target = round_preserving_sum(
        stadtteil_targets(year, residents), int(round(stadtteil_targets(year, residents).sum()))
    )
    have = np.bincount(pop["st"], minlength=N_ST)
    need = target - have
    if (need < 0).any():  # more stayed than the trend allows: a few more adults move away
        drop = np.zeros(len(pop["pid"]), dtype=bool)
        page = year - birth_year(pop["birth"])
        for s in np.flatnonzero(need < 0):
            cand = np.flatnonzero((pop["st"] == s) & (page >= 18))
            drop[rng.choice(cand, size=min(-int(need[s]), len(cand)), replace=False)] = True
        pop = _subset(pop, ~drop)
        need = np.maximum(need, 0)
    movers = _movers(rng, pop, need, year, lambda k: np.full(k, year))
    n_new = len(movers["pid"])
    n_hh_new = int(movers["hh"].max() - pop["next_hh"] + 1) if n_new else 0
    pop = _concat(pop, movers)
    pop["next_pid"] += n_new
    pop["next_hh"] += n_hh_new
    pop["year"] = year
    return pop


def _backward(pop: dict, residents: int, seed: int) -> dict:
    """Population at 31.12.(year-1): undo births and moves-in of ``year``, add former residents."""
    year = pop["year"]
    rng = np.random.default_rng([seed, year, 2])
    has = pop["zuzug"] != NO_DATE
    zy = np.where(has, birth_year(np.where(has, pop["zuzug"], 0)), -1)
    keep = (birth_year(pop["birth"]) < year) & (zy < year)
    pop = _subset(pop, keep)
    target = round_preserving_sum(
        stadtteil_targets(year - 1, residents),
        int(round(stadtteil_targets(year - 1, residents).sum())),
    )
    need = np.maximum(target - np.bincount(pop["st"], minlength=N_ST), 0)
    movers = _movers(
        rng,
        pop,
        need,
        year - 1,
        lambda k: year - 1 - np.floor(rng.exponential(4.0, k)),
        profile=PROFILE,
        nat_factor=1.0,
    )
    n_new = len(movers["pid"])
    n_hh_new = int(movers["hh"].max() - pop["next_hh"] + 1) if n_new else 0
    pop = _concat(pop, movers)
    pop["next_pid"] += n_new
    pop["next_hh"] += n_hh_new
    pop["year"] = year - 1
    return pop


@lru_cache(maxsize=6)
def population(year: int, residents: int, seed: int) -> dict:
    """The residents at 31.12.<year> (arrays; do not modify). ``residents`` = size in 2021."""
    if year == CALIBRATION_YEAR:
        return _base_population(residents, seed)
    if year > CALIBRATION_YEAR:
        return _forward(population(year - 1, residents, seed), residents, seed)
    return _backward(population(year + 1, residents, seed), residents, seed)
