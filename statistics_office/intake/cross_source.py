"""Cross-source rules on values, run on the sealed side during an import.

Per group (a Stadtteil, and a Stichtag or year where the rule names one) the sum of a measure
in the file is compared with the same sum in the reference source's current version. Both are
aggregates; a finding names keys and sums, never a single record. A group with a secret or
blocked cell has no sum and is not compared.
"""

import dataclasses

import pandas as pd

from departments.importing import cross_source, plausibility
from departments.models import CrossSourceRule
from statistics_office.microdata import store

VALUE_RULES = (CrossSourceRule.Comparison.VALUE_NOT_ABOVE, CrossSourceRule.Comparison.VALUE_WITHIN)


class Sums:
    """Collects, chunk by chunk, the sums each value rule of a source compares."""

    def __init__(self, source):
        self.rules = list(
            source.cross_source_rules.filter(comparison__in=VALUE_RULES).select_related(
                "reference_source"
            )
        )
        self.parts: dict[int, list[pd.Series]] = {rule.pk: [] for rule in self.rules}

    def add(self, typed: pd.DataFrame) -> None:
        for rule in self.rules:
            keys = _keys(rule.group_field, rule.period_field)
            if rule.measure not in typed or any(k not in typed for k in keys):
                continue
            frame = typed[[*keys, rule.measure]].copy()
            frame["_missing"] = frame[rule.measure].isna()
            grouped = frame.groupby(keys, dropna=False)
            values = grouped[rule.measure]
            summed = values.max() if rule.aggregation == "max" else values.sum(min_count=1)
            summed[grouped["_missing"].any()] = float("nan")  # not computable
            self.parts[rule.pk].append(summed)

    def findings(self) -> list:
        found = []
        for rule in self.rules:
            if not self.parts[rule.pk]:
                continue
            version = store.current_version(rule.reference_source_id)
            if version is None:
                continue
            left = _combine(self.parts[rule.pk], rule.aggregation)
            reference_keys = _keys(rule.reference_group_field, rule.reference_period_field)
            right = pd.Series(
                store.grouped_sums(
                    version, reference_keys, rule.reference_measure, how=rule.aggregation
                ),
                dtype="float64",
            )
            right.index = _text_index(right.index, len(reference_keys))
            right.index.name = rule.group_field
            left.index = _text_index(left.index, len(reference_keys))
            left.index.name = rule.group_field
            if rule.comparison == CrossSourceRule.Comparison.VALUE_WITHIN:
                result = cross_source.values_differ(
                    left,
                    right,
                    tolerance_pct=rule.tolerance_pct,
                    left_label=rule.label,
                    right_label=rule.reference_label,
                )
            else:
                result = plausibility.cross_source_not_above(
                    left.dropna(),
                    right.dropna(),
                    left_label=rule.label,
                    right_label=rule.reference_label,
                )
            found += [
                dataclasses.replace(f, params={**f.params, "_audience": "office"}) for f in result
            ]
        return found


def _keys(group_field, period_field):
    return [group_field, *([period_field] if period_field else [])]


def _combine(parts, aggregation):
    combined = pd.concat(parts)
    levels = list(range(combined.index.nlevels))
    missing = combined.isna().groupby(level=levels).any()
    grouped = combined.groupby(level=levels)
    summed = grouped.max() if aggregation == "max" else grouped.sum(min_count=1)
    summed[missing] = float("nan")
    return summed


def _text_index(index, width):
    """Keys as text on both sides (a year 2021 in one source, "2021" in the other)."""
    if width == 1:
        return pd.Index([_text(k[0] if isinstance(k, tuple) else k) for k in index])
    return pd.Index([" / ".join(_text(v) for v in key) for key in index])


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
