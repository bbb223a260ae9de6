"""The office's own perturbation tables: loaded once, named by table definitions."""

from __future__ import annotations

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bif import roles
from statistics_office.disclosure.cellkey import PerturbationTable
from statistics_office.tables.models import OfficePerturbationTable


class PerturbationTableError(ValueError):
    """A perturbation table file that cannot be used (German message)."""


def load(*, name, path, user, description=""):
    """Read a table in the R package ``ptable``'s layout (i, j, p[, v, p_int_lb, p_int_ub])
    and keep it under ``name``; only the statistics office loads tables."""
    if not roles.has_role(user, roles.STATISTICIAN):
        raise PermissionDenied(_("Überlagerungstabellen lädt nur die Statistikstelle."))
    if OfficePerturbationTable.objects.filter(name=name).exists():
        raise PerturbationTableError(
            _("Eine Überlagerungstabelle „%(name)s“ gibt es schon; bitte einen neuen Namen.")
            % {"name": name}
        )
    try:
        table = PerturbationTable.from_csv(path)
    except (ValueError, KeyError, pd.errors.ParserError) as exc:
        raise PerturbationTableError(
            _("Die Datei %(file)s ist keine gültige Überlagerungstabelle: %(why)s")
            % {"file": path, "why": exc}
        ) from exc
    return OfficePerturbationTable.objects.create(
        name=name,
        description=description,
        rows=[
            {"i": int(r.i), "j": int(r.j), "p": float(r.p)}
            for r in table.rows.itertuples(index=False)
        ],
        max_noise=table.D,
        variance=table.V,
        threshold=table.js,
        meets_variance=table.meets_variance(),
        created_by=user,
    )


def resolve(parameters):
    """Parameters with the named table's rows (``ptable_rows``) and its D, for the worker."""
    parameters = dict(parameters or {})
    name = parameters.get("ptable")
    if not name:
        return parameters
    table = OfficePerturbationTable.objects.filter(name=name).first()
    if table is None:
        raise PerturbationTableError(
            _("Die Überlagerungstabelle „%(name)s“ gibt es nicht.") % {"name": name}
        )
    parameters.update(
        ptable_rows=table.rows,
        ptable_D=table.max_noise,
        ptable_V=table.variance,
        ptable_js=table.threshold,
    )
    return parameters
