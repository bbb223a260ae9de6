"""Choropleth classes: breaks by equal intervals, quantiles, natural breaks (Jenks) or the
builder's own, and the class of each value. Pure functions on lists of numbers."""

from __future__ import annotations

import math

METHODS = ("equal", "quantile", "jenks", "manual")


def breaks(values, method="quantile", classes=5, manual=None):
    """Upper bounds of the classes, ascending; the last is the maximum. Fewer classes come
    back when the values have fewer distinct numbers."""
    values = sorted(v for v in values if v is not None and not math.isnan(v))
    if not values:
        return []
    lo, hi = values[0], values[-1]
    classes = max(1, min(int(classes), len(set(values))))
    if method == "manual":
        own = sorted(float(b) for b in (manual or []) if lo <= float(b) < hi)
        return [*own, hi]
    if lo == hi or classes == 1:
        return [hi]
    if method == "equal":
        step = (hi - lo) / classes
        return [lo + step * i for i in range(1, classes)] + [hi]
    if method == "jenks":
        return _jenks(values, classes)
    # quantiles: the value at each k/classes share of the sorted values
    out = []
    for i in range(1, classes):
        position = i * len(values) / classes
        out.append(values[min(len(values) - 1, max(0, math.ceil(position) - 1))])
    return _unique([*out, hi])


def _unique(bounds):
    out = []
    for b in bounds:
        if not out or b > out[-1]:
            out.append(b)
    return out


def _jenks(values, classes):
    """Fisher–Jenks optimal breaks (least squared deviation within classes), by dynamic
    programming: O(classes · n²), for the few hundred units a map shows."""
    n = len(values)
    prefix, prefix_sq = [0.0], [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)
        prefix_sq.append(prefix_sq[-1] + v * v)

    def ssd(i, j):  # values[i:j]
        s, sq, m = prefix[j] - prefix[i], prefix_sq[j] - prefix_sq[i], j - i
        return sq - s * s / m

    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(classes + 1)]
    cut = [[0] * (n + 1) for _ in range(classes + 1)]
    cost[0][0] = 0.0
    for k in range(1, classes + 1):
        for j in range(k, n + 1):
            for i in range(k - 1, j):
                c = cost[k - 1][i] + ssd(i, j)
                if c < cost[k][j]:
                    cost[k][j], cut[k][j] = c, i
    bounds, j = [], n
    for k in range(classes, 0, -1):
        bounds.append(values[j - 1])
        j = cut[k][j]
    return _unique(sorted(bounds))


def class_of(value, bounds):
    """Index of the class of a value (the first upper bound it does not exceed)."""
    for i, bound in enumerate(bounds):
        if value <= bound:
            return i
    return len(bounds) - 1


def labels(bounds, lowest, fmt=str):
    """ "a – b" per class, the first from the lowest value."""
    out, start = [], lowest
    for bound in bounds:
        out.append(f"{fmt(start)} – {fmt(bound)}")
        start = bound
    return out
