"""Statistical disclosure control for published tables (pure pandas/numpy/scipy, no Django).

* :mod:`.table` – the table model: dimensions with hierarchies, complete tables, additive relations
* :mod:`.primary` – primary protection (minimum frequency, dominance (n,k), p% rule)
* :mod:`.secondary` – secondary suppression (Fischetti–Salazar MILP with capacity cuts, HiGHS)
* :mod:`.lp_audit` – the LP audit of a suppression pattern
* :mod:`.cellkey` – the cell key method (Destatis / Zensus 2022)
"""

from .cellkey import (
    PerturbationTable,
    cell_keys,
    count_table,
    perturb,
    perturb_table,
    perturbation_table,
    record_keys,
)
from .lp_audit import AuditResult, audit, protection_requirements
from .primary import (
    PrimaryRules,
    group_disclosure,
    primary_levels,
    primary_suppression,
    singletons,
)
from .secondary import secondary_suppression
from .table import (
    TOTAL,
    Dimension,
    additive_constraints,
    complete_table,
    constraint_matrix,
)

__all__ = [
    "TOTAL",
    "AuditResult",
    "Dimension",
    "PerturbationTable",
    "PrimaryRules",
    "additive_constraints",
    "audit",
    "cell_keys",
    "complete_table",
    "constraint_matrix",
    "count_table",
    "perturb",
    "perturb_table",
    "perturbation_table",
    "group_disclosure",
    "primary_levels",
    "primary_suppression",
    "singletons",
    "protection_requirements",
    "record_keys",
    "secondary_suppression",
]
