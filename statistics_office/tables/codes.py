"""The codes of a table's dimensions: age bands, hierarchies, labels and order.

From data, never from a field's name: area levels and their hierarchy (bif.geography),
classifications (bif.geography.classifications), or the office's own age bands.
"""

from __future__ import annotations

from bif.geography import classifications
from bif.geography import selectors as areas
from statistics_office.disclosure import TOTAL

UNKNOWN = "_U"  # missing value of a code dimension, and unknown parent in a hierarchy
UNKNOWN_LEAF = "_U_"  # missing value at the bottom of a hierarchy (its parent is UNKNOWN)

AGE_BANDS = {
    "5y": [(lo, lo + 4) for lo in range(0, 85, 5)] + [(85, None)],
    # Twenty 5-year bands up to 95+, for cities with many very old residents.
    "5y95": [(lo, lo + 4) for lo in range(0, 95, 5)] + [(95, None)],
    "planning": [
        (0, 2),
        (3, 5),
        (6, 9),
        (10, 17),
        (18, 24),
        (25, 44),
        (45, 64),
        (65, 79),
        (80, None),
    ],
}
KINDS = ("code", "age_band", "hierarchy")


class DefinitionError(ValueError):
    """The definition does not fit the data (German message for people)."""


def age_bands(spec):
    """The bands of an age dimension: a named set ("5y", "5y95", "planning"), an age-band
    classification (its slug) or the office's own, e.g. [[0, 17], [18, 64], [65, null]]
    (contiguous from 0, the last one open)."""
    return [(lo, hi) for lo, hi, _code in _bands(spec)]


def _bands(spec):
    """[(lower, upper, code)] of an age dimension."""
    bands = spec.get("bands", "5y")
    if isinstance(bands, str):
        if bands in AGE_BANDS:
            return [(lo, hi, band_code(lo, hi)) for lo, hi in AGE_BANDS[bands]]
        if classifications.exists(bands):
            found = classifications.items(bands)
            broader = {i.parent_code for i in found if i.parent_code}
            finest = [i for i in found if i.code not in broader and i.lower is not None]
            own_age_bands([(i.lower, i.upper) for i in finest])  # contiguous from 0, open end
            return [(i.lower, i.upper, i.code) for i in finest]
        raise DefinitionError(f"Unbekannte Altersgruppen „{bands}“.")
    return [(lo, hi, band_code(lo, hi)) for lo, hi in own_age_bands(bands)]


def broader_bands(spec):
    """{band code: broader band code} when the age bands are a hierarchical classification."""
    bands = spec.get("bands", "5y")
    if isinstance(bands, str) and bands not in AGE_BANDS and classifications.exists(bands):
        return classifications.parents(bands)
    return None


def own_age_bands(bands):
    try:
        out = [(int(lo), None if hi is None else int(hi)) for lo, hi in bands]
    except (TypeError, ValueError):
        raise DefinitionError("Eigene Altersgruppen als Liste von [von, bis] angeben.") from None
    if not out or out[0][0] != 0 or out[-1][1] is not None:
        raise DefinitionError(
            "Eigene Altersgruppen beginnen bei 0 und enden mit einer offenen Gruppe (bis: null)."
        )
    for (lo, hi), (next_lo, _next_hi) in zip(out, out[1:], strict=False):
        if hi is None or hi < lo or next_lo != hi + 1:
            raise DefinitionError(
                "Eigene Altersgruppen müssen lückenlos aneinander anschließen (z. B. 0–17, 18–64)."
            )
    return out


def band_code(lo, hi):
    # zero-padded so that the codes sort in age order
    return f"{lo:02d}-{hi:02d}" if hi is not None else f"{lo:02d}+"


def band_label(lo, hi):
    return f"{lo}–{hi}" if hi is not None else f"{lo} und älter"


def hierarchy_parents(name):
    """{child code: parent code} of a hierarchy: area levels "child level->parent level"
    (their slugs) or a hierarchical classification (its slug)."""
    parents = areas.hierarchy(name) if "->" in name else classifications.parents(name)
    if not parents:
        raise DefinitionError(f"Unbekannte Hierarchie „{name}“.")
    return parents


def known_hierarchy(name):
    try:
        hierarchy_parents(str(name))
    except DefinitionError:
        return False
    return True


def code_labels(spec):
    """Display labels of a dimension's codes (codes without a label show as themselves):
    from its area level ("level"), its classification ("codelist"), its hierarchy's levels
    or its age bands. Never from the field's name."""
    labels = {TOTAL: "Insgesamt", UNKNOWN: "unbekannt", UNKNOWN_LEAF: "unbekannt"}
    kind = spec.get("kind", "code")
    if kind == "age_band":
        bands = spec.get("bands", "5y")
        if isinstance(bands, str) and bands not in AGE_BANDS and classifications.exists(bands):
            labels.update(classifications.labels(bands))
        else:
            for lo, hi in age_bands(spec):
                labels[band_code(lo, hi)] = band_label(lo, hi)
    if kind == "hierarchy":
        name = spec.get("hierarchy", "")
        if "->" in name:
            for slug in name.split("->"):
                labels.update(areas.labels(slug.strip()))
        else:
            labels.update(classifications.labels(name))
    if spec.get("level"):
        labels.update(areas.labels(spec["level"]))
    if spec.get("codelist"):
        labels.update(classifications.labels(spec["codelist"]))
    return labels


def code_order(spec):
    """The classification's order of a dimension's codes, or None (then codes sort)."""
    if spec.get("codelist"):
        return classifications.order(spec["codelist"]) or None
    bands = spec.get("bands")
    if spec.get("kind") == "age_band" and isinstance(bands, str) and classifications.exists(bands):
        return classifications.order(bands) or None
    return None


def dimension_name(spec):
    if spec.get("label"):
        return spec["label"]
    return "Altersgruppe" if spec.get("kind", "code") == "age_band" else spec["field"]


def known_age_bands(name):
    return name in AGE_BANDS or classifications.exists(name)


def area_changes(level_slug, reference_date):
    """{old code: {today's code: share}} of a level's boundary changes that came into force
    after ``reference_date``, chained in order of coming into force (A → B, later B split
    into C 40 % and D 60 %, gives A → {C: 0.4, D: 0.6})."""
    if not level_slug or reference_date is None:
        return {}
    steps = {}
    for change in areas.changes(level_slug.strip(), reference_date):
        targets = steps.setdefault(change["effective"], {}).setdefault(change["old_code"], {})
        targets[change["new_code"]] = targets.get(change["new_code"], 0.0) + change["share"]
    mapping = {}
    for effective in sorted(steps):
        step = steps[effective]
        for old, current in mapping.items():
            moved = {}
            for code, share in current.items():
                for new, part in step.get(code, {code: 1.0}).items():
                    moved[new] = moved.get(new, 0.0) + share * part
            mapping[old] = moved
        for old, targets in step.items():
            mapping.setdefault(old, dict(targets))
    return {old: targets for old, targets in mapping.items() if targets != {old: 1.0}}


def _whole(targets):
    return len(targets) == 1 and abs(next(iter(targets.values())) - 1.0) < 1e-9


def code_changes(level_slug, reference_date):
    """{old code: today's code} of a level's whole-unit boundary changes (applied to the
    records themselves, in SQL)."""
    return {
        old: next(iter(targets))
        for old, targets in area_changes(level_slug, reference_date).items()
        if _whole(targets)
    }


def code_splits(level_slug, reference_date):
    """{old code: {new code: share}} of the changes that split a unit with shares below one
    (applied to the counts after aggregation: a person is never split, a count is)."""
    return {
        old: targets
        for old, targets in area_changes(level_slug, reference_date).items()
        if not _whole(targets)
    }


def changed_level(spec):
    """The level whose boundary changes apply to a dimension (its finest one)."""
    if spec.get("kind") == "hierarchy" and "->" in spec.get("hierarchy", ""):
        return spec["hierarchy"].partition("->")[0].strip()
    return spec.get("level") if spec.get("kind", "code") == "code" else None
