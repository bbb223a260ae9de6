"""The averaging attack (Asghar & Kaafar, PETS 2020) against the table builder's rules.

An attacker wants the count of a small cell (1 or 2 residents: Stadtteil s0, age band a,
sex x). Cell key noise is the same for the same records, so asking twice is useless; the
attack asks for record sets that contain the target plus different padding B_k and for
the padding alone, and averages (y_k - z_k) = t + noise(t + b_k) - noise(b_k). Here each
query goes through the builder's own rules at their defaults (daily budget per source,
related queries, filter isolation, filter population, sparsity) and is answered by the
tables' cell key code (record keys, cell keys as key sums, the office's default
perturbation table). The test reports the attacker's error over many targets.
"""

import numpy as np
import pandas as pd
from django.conf import settings

from statistics_office.builder import rules
from statistics_office.disclosure.cellkey import count_table
from statistics_office.disclosure.table import TOTAL, Dimension
from statistics_office.tables import protection

AREAS = [f"{i:02d}" for i in range(1, 11)]
BANDS = [f"{5 * i:02d}" for i in range(20)]
SEXES = ["m", "w"]
MIN_FILTER_POPULATION = 100  # the catalogue's default


def city(seed, n=20_000):
    """Residents with old age bands thinly populated: small cells for targets."""
    rng = np.random.default_rng(seed)
    weights = np.linspace(1.0, 0.02, len(BANDS)) ** 1.5
    frame = pd.DataFrame(
        {
            "stadtteil": rng.choice(AREAS, n),
            "alter5": rng.choice(BANDS, n, p=weights / weights.sum()),
            "geschlecht": rng.choice(SEXES, n),
        }
    )
    keys = rng.integers(0, 2**32, n) / 2**32
    return frame, keys


class Builder:
    """The builder's rules in one person's day, answering from a frame with record keys."""

    def __init__(self, frame, keys, cache, *, safeguards=True):
        self.frame, self.keys, self.cache = frame, keys, cache
        self.safeguards = safeguards
        self.params = protection.parameters({})
        self.threshold = max(int(self.params["min_frequency"]), int(self.params["ptable_js"]) + 1)
        self.history = []

    def _cells(self, dims, filters):
        mask = np.ones(len(self.frame), dtype=bool)
        for flt in filters:
            mask &= self.frame[flt["item"]].isin(flt["values"]).to_numpy()
        codes = {"stadtteil": AREAS, "alter5": BANDS, "geschlecht": SEXES}
        dimensions = [Dimension.flat(d, codes[d]) for d in dims]
        cells = count_table(self.frame[mask], dimensions, self.keys[mask])
        return cells, dimensions

    def ask(self, rows, filters=()):
        """The answer {cell codes: perturbed value}, or None if refused."""
        spec = {"rows": list(rows), "columns": [], "filters": list(filters)}
        if len(self.history) >= settings.TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE:
            return None
        related = sum(rules.related(spec, earlier) for earlier in self.history)
        if self.safeguards and related >= settings.TABLE_BUILDER_RELATED_QUERIES:
            return None
        self.history.append(spec)
        key = repr(spec)
        if key not in self.cache:  # the same question has the same answer: compute it once
            self.cache[key] = self._answer(spec)
        return self.cache[key]

    def _answer(self, spec):
        names = list(spec["rows"])
        cells, dims = self._cells(names, spec["filters"])
        if spec["filters"] and self.safeguards:
            grand = cells[(cells[names] == TOTAL).all(axis=1)]["n"].sum()
            if grand < MIN_FILTER_POPULATION:
                return None
            unfiltered, _ = self._cells(names, [])
            both = unfiltered.merge(cells, on=names, how="left", suffixes=("_all", ""))
            if rules.isolation(both["n"].fillna(0), both["n_all"], self.threshold):
                return None
        params = self.params if self.safeguards else {**self.params, "max_sparse_share": 1.0}
        try:  # the tables' sparsity rule and cell key method
            protected = protection.protect(
                cells, dims, method=protection.CELLKEY, params=params
            ).cells
        except ValueError:
            return None
        values = protected["value"].fillna(0).astype(int).to_numpy()
        return dict(zip(protected[names].itertuples(index=False, name=None), values, strict=True))


def attack(builder, target):
    """The best of the averaging strategies within one day; returns the estimate."""
    s0, band, sex = target
    others = [s for s in AREAS if s != s0]
    observations, direct = [], None
    # Padding from a table by Stadtteil (no filter), targets plus padding from filters.
    by_area = builder.ask(["stadtteil", "alter5", "geschlecht"])
    if by_area is not None:
        direct = by_area[(s0, band, sex)]
    for other in others:
        both = builder.ask(
            ["alter5", "geschlecht"], [{"item": "stadtteil", "values": sorted([s0, other])}]
        )
        if both is None:
            continue
        padding = by_area[(other, band, sex)] if by_area is not None else None
        if padding is None:
            alone = builder.ask(
                ["alter5", "geschlecht"], [{"item": "stadtteil", "values": [other]}]
            )
            padding = alone[(band, sex)] if alone is not None else None
        if padding is not None:
            observations.append(both[(band, sex)] - padding)
    if observations:
        return float(np.mean(observations)), len(observations)
    return (float(direct) if direct is not None else 0.0), 0


def test_the_averaging_attack_misses_small_targets_by_at_least_one():
    errors, pairs, answered = [], [], []
    for seed in range(7):
        frame, keys = city(seed, n=8000)
        truth = frame.groupby(["stadtteil", "alter5", "geschlecht"]).size()
        targets = [key for key, n in truth.items() if n in (1, 2)]
        cache = {}
        for target in targets:
            estimate, used = attack(Builder(frame, keys, cache), target)
            errors.append(abs(estimate - truth[target]))
            pairs.append(used)
            answered.append(estimate != 0)
    errors = np.array(errors)
    share = float((errors >= 1).mean())
    print(
        f"averaging attack: {len(errors)} targets of 1 or 2, error >= 1 for {share:.1%}, "
        f"median error {np.median(errors):.2f}, pairs of answers per target max {max(pairs)}, "
        f"target cell seen (perturbed, not 0) for {np.mean(answered):.1%}"
    )
    assert len(errors) >= 200
    assert share >= 0.95


def test_without_the_safeguards_the_same_attacker_often_hits():
    """The attacker is no straw man: with only the budget and the noise, averaging over
    the padding pairs finds many targets exactly."""
    frame, keys = city(0, n=8000)
    truth = frame.groupby(["stadtteil", "alter5", "geschlecht"]).size()
    targets = [key for key, n in truth.items() if n in (1, 2)]
    cache = {}
    errors = np.array(
        [
            abs(attack(Builder(frame, keys, cache, safeguards=False), t)[0] - truth[t])
            for t in targets
        ]
    )
    share = float((errors >= 1).mean())
    print(f"without safeguards: error >= 1 for {share:.1%} of {len(errors)} targets")
    assert share < 0.8
