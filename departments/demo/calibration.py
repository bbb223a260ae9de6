"""The published figures the demo city is calibrated on (shipped copies in ``data/``).

Pure Python (numpy/pandas), no Django; the geography is the demo's own area package
(data/areas). See data/README.md for the source and licence.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import areas as geography

DATA_DIR = Path(__file__).resolve().parent / "data"

# The city's Stadtteile come from its area package (data/areas).
STADTTEILE: list[tuple[str, str]] = list(geography.stadtteile())
ST_CODES = np.array([c for c, _ in STADTTEILE])
ST_INDEX = {c: i for i, (c, _) in enumerate(STADTTEILE)}
N_ST = len(STADTTEILE)

#: The age bands of the shipped 2021 table: (column, lower age, upper age exclusive).
AGE_BANDS = [
    ("0_bis_unter_7", 0, 7),
    ("7_bis_unter_18", 7, 18),
    ("18_bis_unter_30", 18, 30),
    ("30_bis_unter_45", 30, 45),
    ("45_bis_unter_65", 45, 65),
    ("65_bis_unter_80", 65, 80),
    ("80_und_älter", 80, 101),
]
MAX_AGE = 100
CALIBRATION_YEAR = 2021


def _pct(value: str) -> float:
    return float(str(value).replace("%", "").replace(",", ".").strip()) / 100.0


@lru_cache(maxsize=1)
def calibration() -> dict:
    """Per Stadtteil (in STADTTEILE order): yearly totals, male share, age-band shares."""
    totals = pd.read_csv(DATA_DIR / "einwohner_stadtteile_2011_2021.csv", encoding="utf-8")
    ages = pd.read_csv(DATA_DIR / "einwohner_stadtteile_2021_altersgruppen.csv", encoding="utf-8")
    totals["code"] = totals["id"].map(lambda i: f"{int(i):02d}")
    ages["code"] = ages["id"].map(lambda i: f"{int(i):02d}")
    totals = totals.set_index("code").loc[ST_CODES]
    ages = ages.set_index("code").loc[ST_CODES]
    ages["7_bis_unter_18"] = ages["unter_18"] - ages["0_bis_unter_7"]
    band_counts = ages[[b for b, _, _ in AGE_BANDS]].to_numpy(dtype=float)
    # The age table's own "gesamt" has a typo for Sandberg (7602 vs. 6702 = sum of its bands),
    # so band *shares* come from the band sums and the totals from the yearly table.
    band_shares = band_counts / band_counts.sum(axis=1, keepdims=True)
    years = {2011: "2011", 2017: "2017", 2018: "2018", 2019: "2019", 2020: "2020", 2021: "gesamt"}
    by_year = {y: totals[c].to_numpy(dtype=float) for y, c in years.items()}
    trend_years = np.array([2017, 2018, 2019, 2020, 2021], dtype=float)
    trend = np.vstack([by_year[int(y)] for y in trend_years])
    slope = np.polyfit(trend_years, trend, 1)[0]  # residents per year, per Stadtteil
    return {
        "by_year": by_year,
        "slope": slope,
        "male_share": totals["männlich"].map(_pct).to_numpy(),
        "band_shares": band_shares,
    }


def stadtteil_targets(year: int, residents_2021: int) -> np.ndarray:
    """Expected residents per Stadtteil at 31.12.<year>, scaled so 2021 sums to residents_2021."""
    cal = calibration()
    by_year = cal["by_year"]
    base = by_year[CALIBRATION_YEAR]
    if year in by_year:
        raw = by_year[year]
    elif year > CALIBRATION_YEAR:
        # Damped linear trend of 2017-2021: the city grows slightly, Tarup/Nordstadt most.
        raw = base + 0.8 * cal["slope"] * (year - CALIBRATION_YEAR)
    elif year > 2011:
        w = (year - 2011) / (2017 - 2011)
        raw = (1 - w) * by_year[2011] + w * by_year[2017]
    else:
        raw = by_year[2011] - cal["slope"] * 0.5 * (2011 - year)
    raw = np.maximum(raw, 0.2 * base)
    return raw * residents_2021 / base.sum()


def round_preserving_sum(values: np.ndarray, total: int) -> np.ndarray:
    """Largest-remainder rounding of ``values`` to integers summing to ``total``."""
    values = np.asarray(values, dtype=float)
    scaled = values * (total / values.sum()) if values.sum() > 0 else values
    floor = np.floor(scaled).astype(np.int64)
    rest = int(total - floor.sum())
    if rest > 0:
        order = np.argsort(-(scaled - floor), kind="stable")
        floor[order[:rest]] += 1
    return floor


@lru_cache(maxsize=1)
def _bezirke_frame() -> pd.DataFrame:
    rows = [
        {"code": code, "name": name, "stadtteil": stadtteil}
        for code, name, stadtteil in geography.stadtbezirke()
    ]
    return pd.DataFrame(rows).sort_values("code").reset_index(drop=True)


def load_stadtbezirke() -> pd.DataFrame:
    """The 41 statistical districts: columns code ("011"), name, stadtteil ("01")."""
    return _bezirke_frame().copy()


@lru_cache(maxsize=1)
def bezirk_tables() -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """All Bezirk codes; per Stadtteil the indices of its Bezirke and fixed population weights."""
    frame = _bezirke_frame()
    codes = frame["code"].to_numpy()
    rng = np.random.default_rng(16)  # fixed: district weights do not depend on the demo seed
    members, weights = [], []
    for st_code, _ in STADTTEILE:
        idx = np.flatnonzero(frame["stadtteil"].to_numpy() == st_code)
        w = rng.dirichlet(np.full(len(idx), 6.0))
        members.append(idx)
        weights.append(w)
    return codes, members, weights
