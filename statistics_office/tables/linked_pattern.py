"""The joint pattern of a new table: what must stay protected (targets), what it inherits
from published cells with the same records, and the suppressions that keep the targets
protected (see :mod:`.linked` and :mod:`statistics_office.disclosure.joint`)."""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse

from statistics_office.disclosure import joint
from statistics_office.disclosure.table import margin_depth

from . import aggregation, protection

PRIMARY_REASONS = {"frequency", "dominance", "p_percent", "singleton"}


class LinkedTableError(ValueError):
    """The table cannot be published next to what is already published (German text)."""


def _known(record, table, true_value):
    """What a published cell tells the attacker: (secret?, lower, upper, shown value)."""
    if record is None:  # an empty cell of the complete table: shown as zero
        return False, 0.0, 0.0, None
    if record.get("flag") == protection.FLAG_SECRET:
        return True, np.nan, np.nan, None
    shown = 0.0 if record.get("value") is None else float(record["value"])
    if table.applied.method == protection.CELLKEY:
        spread = float(table.params["ptable_D"])
        return False, max(0.0, shown - spread), shown + spread, shown
    return False, true_value, true_value, shown


def _describe_cell(system, tables, r):
    table = tables[system.table_of[r]]
    parts = []
    for spec, code in zip(table.applied.dimensions, system.codes[r], strict=True):
        label = aggregation.code_labels(spec).get(code, code)
        parts.append(f"{aggregation.dimension_name(spec)}: {label}")
    where = ", ".join(parts)
    return _("das Feld „%(cell)s“ in %(table)s") % {"cell": where, "table": table.label}


def _state(system, tables, cells, dims, result):
    """Per system row: secret, the attacker's bounds, the value shown; the new table's rows
    as they stand after protecting it alone."""
    n = len(system.codes)
    secret = np.zeros(n, dtype=bool)
    lower, upper = system.values.copy(), system.values.copy()
    shown = np.full(n, np.nan)
    for r in np.flatnonzero(system.table_of > 0):
        table = tables[system.table_of[r]]
        record = table.records.get(system.codes[r])
        secret[r], lower[r], upper[r], value = _known(record, table, system.values[r])
        shown[r] = np.nan if value is None else value
        if (
            table.applied.method != protection.CELLKEY
            and value is not None
            and record is not None
            and table.applied.measure != "mean"
            and abs(value - system.values[r]) > 0.5 * 10 ** -_decimals(table)
        ):
            raise LinkedTableError(
                _(
                    "Die veröffentlichte Tabelle %(table)s lässt sich aus diesem Datenstand "
                    "nicht nachbilden; die gemeinsame Geheimhaltung ist so nicht möglich."
                )
                % {"table": table.label}
            )
    new_table = tables[0]
    frame_row = system.frame_rows(cells, dims)
    flags = result.cells["flag"].to_numpy()
    values = result.cells["value"].to_numpy(dtype=float)
    for i, r in enumerate(frame_row):
        if r < 0:
            continue
        record = {"flag": flags[i], "value": None if np.isnan(values[i]) else values[i]}
        secret[r], lower[r], upper[r], value = _known(record, new_table, system.values[r])
        shown[r] = np.nan if value is None else value
    return secret, lower, upper, shown, frame_row


def _decimals(table):
    return {"count": 0, "sum": 2, "mean": 1}.get(table.applied.measure, 0)


def jointly(system, tables, definition, cells, dims, result):
    """Targets, inherited cells and the joint suppression for a table of either method."""
    is_new = system.table_of == 0
    cellkey = definition.method == protection.CELLKEY
    secret, lower, upper, shown, frame_row = _state(system, tables, cells, dims, result)
    # Same record set, same value and status.
    match = joint.same_record_set(system.matrix, is_new, ~is_new)
    inherited = match >= 0
    for arr in (secret, lower, upper, shown):
        arr[inherited] = arr[match[inherited]]
    has_atoms = np.diff(system.matrix.indptr) > 0
    free = is_new & ~secret & ~inherited & has_atoms

    parts, labels = [], []
    if not cellkey:
        lpl_frame, upl_frame = result.levels
        reason = result.cells["reason"].to_numpy(dtype=object)
        for i, r in enumerate(frame_row):
            if r >= 0 and reason[i] in PRIMARY_REASONS and not (inherited[r] and not secret[r]):
                parts.append((r, lpl_frame[i], upl_frame[i]))
    for r in np.flatnonzero(~is_new):
        table = tables[system.table_of[r]]
        if table.reasons.get(system.codes[r]) in PRIMARY_REASONS:
            parts.append((r, *_levels(table, system.values[r])))
    rows = [p[0] for p in parts]
    targets = [
        joint.Targets(
            sparse.csr_array(system.matrix[rows])
            if rows
            else sparse.csr_array((0, system.matrix.shape[1])),
            system.values[rows],
            np.array([p[1] for p in parts], dtype=float),
            np.array([p[2] for p in parts], dtype=float),
        )
    ]
    labels += [_describe_cell(system, tables, r) for r in rows]
    min_frequency = int(tables[0].params["min_frequency"])
    if definition.measure == "count":
        targets.append(_small_atoms(system, min_frequency))
        labels += [_("eine Gruppe von weniger als %(n)d Personen") % {"n": min_frequency}] * len(
            targets[-1]
        )
    if definition.measure == "count" and not cellkey:
        differences = joint.nested_differences(system.matrix, system.values, is_new, min_frequency)
        targets.append(_difference_targets(system, differences, min_frequency))
        labels += [
            _("der Unterschied zwischen %(a)s und %(b)s")
            % {"a": _describe_cell(system, tables, o), "b": _describe_cell(system, tables, i)}
            for o, i, _d in differences
        ]
    stacked = _dedupe(joint.stack_targets(targets, system.matrix.shape[1]), labels)
    _cap_by_noise(system, stacked, secret, lower, upper)

    cost = np.full(len(system.codes), np.inf)
    depth = margin_depth(cells, dims)
    magnitude = np.abs(cells["value"].to_numpy(dtype=float))
    for i, r in enumerate(frame_row):
        if r >= 0:
            cost[r] = max(magnitude[i], 1e-3) * (1.0 + 0.1 * depth[i])
    bounds = _bounds(definition, system)
    try:
        outcome = joint.protect_jointly(
            system.matrix,
            system.atoms["value"].to_numpy(dtype=float),
            secret,
            free,
            cost,
            stacked,
            lower=bounds[0],
            upper=bounds[1],
            row_lower=lower,
            row_upper=upper,
            describe=lambda t: stacked.label[t],
        )
    except joint.JointProtectionError as exc:
        names = ", ".join(t.label for t in tables[1:])
        raise LinkedTableError(
            _(
                "Gemeinsam mit den schon veröffentlichten Tabellen (%(names)s) wäre "
                "%(what)s zu genau bestimmbar, und weitere Sperrungen in dieser Tabelle helfen "
                "nicht mehr: die veröffentlichten Tabellen verraten es schon zusammen. Bitte "
                "die Statistikstelle informieren; eine der Tabellen muss zurückgezogen und "
                "neu geschützt werden."
            )
            % {"names": names, "what": stacked.label[exc.target]}
        ) from exc
    return _result(system, cells, dims, definition, result, outcome, frame_row, inherited, shown)


def _cap_by_noise(system, targets, secret, lower, upper):
    """A target need not be wider than the perturbed (interval) cells alone, published or
    new, make it: the cell key method's noise is its own protection."""
    interval = ~secret & (upper > lower + joint.TOL)
    if not interval.any() or not len(targets):
        return
    rows = np.flatnonzero(interval)
    model = joint.AttackerModel(system.matrix[rows], lower[rows], rhs_upper=upper[rows])
    audit = joint.audit_targets(model, targets)
    targets.upl[:] = np.minimum(targets.upl, np.maximum(audit.upper - targets.value, 0.0))
    targets.lpl[:] = np.minimum(targets.lpl, np.maximum(targets.value - audit.lower, 0.0))


def _result(system, cells, dims, definition, result, outcome, frame_row, inherited, shown):
    out = result.cells
    suppressed = out["flag"].to_numpy() == protection.FLAG_SECRET
    reason = out["reason"].to_numpy(dtype=object).copy()
    values = out["value"].to_numpy(dtype=float).copy()
    added = inherited_count = 0
    for i, r in enumerate(frame_row):
        if r < 0:
            continue
        now = bool(outcome.suppressed[r])
        if inherited[r]:
            inherited_count += 1
            if not now and not np.isnan(shown[r]):
                values[i] = shown[r]  # the figure already published for these records
        if now and not suppressed[i]:
            reason[i] = "secondary"
            added += 0 if inherited[r] else 1
        elif not now and suppressed[i]:
            reason[i] = None  # published elsewhere already: shown with the same figure
        suppressed[i] = now
    if definition.method == protection.CELLKEY:
        new_out = out.copy()
        new_out["value"] = np.where(suppressed, np.nan, values)
        new_out["flag"] = np.where(
            suppressed,
            protection.FLAG_SECRET,
            np.where(new_out["value"].fillna(0) == 0, protection.FLAG_ZERO, ""),
        )
        new_out["reason"] = reason
    else:
        new_out = protection.publish_pattern(cells, dims, definition.measure, suppressed, reason)
        inherited_rows = [i for i, r in enumerate(frame_row) if r >= 0 and inherited[r]]
        for i in inherited_rows:
            if not suppressed[i] and not np.isnan(values[i]):
                new_out.iat[i, new_out.columns.get_loc("value")] = values[i]
    stats = dict(result.stats)
    if definition.method != protection.CELLKEY:
        stats.update(protection.pattern_stats(cells, dims, suppressed))
        stats["secondary"] = int(np.sum(reason == "secondary"))
    else:
        stats["suppressed"] = int(suppressed.sum())
    stats["joint"] = {
        "targets": len(outcome.audit.ok),
        "added": int(added),
        "inherited": int(inherited_count),
        "rounds": outcome.rounds,
    }
    audit_passed = None if definition.method == protection.CELLKEY else True
    return protection.Protected(new_out, stats, audit_passed, result.timings, result.levels)


def _levels(table, value):
    params = table.params
    if table.applied.measure == "count":
        lo, up = joint.frequency_levels([value], int(params["min_frequency"]))
        return float(lo[0]), float(up[0])
    level = abs(value) * float(params["protection_pct"]) / 100.0
    return level, level


def _small_atoms(system, min_frequency):
    n = system.atoms["n"].to_numpy()
    small = np.flatnonzero((n > 0) & (n < min_frequency))
    matrix = sparse.csr_array(
        (np.ones(len(small)), (np.arange(len(small)), small)),
        shape=(len(small), system.matrix.shape[1]),
    )
    value = n[small].astype(float)
    lpl, upl = joint.frequency_levels(value, min_frequency)
    return joint.Targets(matrix, value, lpl, upl)


def _difference_targets(system, differences, min_frequency):
    if not differences:
        return joint.Targets(sparse.csr_array((0, system.matrix.shape[1])), *[np.zeros(0)] * 3)
    outer = system.matrix[[o for o, _i, _d in differences]]
    inner = system.matrix[[i for _o, i, _d in differences]]
    matrix = sparse.csr_array(outer - inner)
    matrix.eliminate_zeros()
    value = np.array([d for _o, _i, d in differences])
    lpl, upl = joint.frequency_levels(value, min_frequency)
    return joint.Targets(matrix, value, lpl, upl)


def _dedupe(targets, labels):
    """One target per atom set, with the widest protection levels asked of it."""
    m = targets.matrix
    keep: dict[bytes, int] = {}
    lpl, upl = targets.lpl.copy(), targets.upl.copy()
    for t in range(len(targets)):
        key = m.indices[m.indptr[t] : m.indptr[t + 1]].tobytes()
        if key in keep:
            k = keep[key]
            lpl[k], upl[k] = max(lpl[k], lpl[t]), max(upl[k], upl[t])
        else:
            keep[key] = t
    idx = sorted(keep.values())
    return joint.Targets(m[idx], targets.value[idx], lpl[idx], upl[idx], [labels[i] for i in idx])


def _bounds(definition, system):
    """A-priori bounds of the atoms: non-negative unless the table allows negative values."""
    params = protection.parameters(definition.parameters)
    n = system.atoms.shape[0]
    if definition.measure == "count" or not params.get("allow_negative"):
        return np.zeros(n), np.full(n, np.inf)
    lower = params.get("apriori_lower")
    upper = params.get("apriori_upper")
    return (
        np.full(n, -np.inf if lower is None else float(lower)),
        np.full(n, np.inf if upper is None else float(upper)),
    )


def refuse_small_differences(system, tables):
    """Cell key method: a new cell whose records differ from a published cell's by a few
    records would reveal that small group through the two figures' difference."""
    is_new = system.table_of == 0
    params = tables[0].params
    threshold = max(int(params["min_frequency"]), int(params["ptable_js"]) + 1)
    differences = [
        (o, i, d)
        for o, i, d in joint.nested_differences(system.matrix, system.values, is_new, threshold)
        if not (is_new[o] and is_new[i])
    ]
    if not differences:
        return
    examples = "; ".join(
        _("%(a)s und %(b)s")
        % {"a": _describe_cell(system, tables, o), "b": _describe_cell(system, tables, i)}
        for o, i, _d in differences[:3]
    )
    raise LinkedTableError(
        _(
            "Die Tabelle wird nicht veröffentlicht: %(n)d ihrer Felder unterscheiden sich von "
            "veröffentlichten Feldern um weniger als %(t)d Personen, die Differenz verriete "
            "eine kleine Gruppe (z. B. %(examples)s). Bitte den Filter oder die Gliederung so "
            "wählen, dass keine kleine Gruppe ausgelassen wird."
        )
        % {"n": len(differences), "t": threshold, "examples": examples}
    )
