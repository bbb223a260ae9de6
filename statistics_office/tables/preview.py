"""A definition's preview before computing: how many cells it has and how many are small.

Runs where the sealed database is (the statistics office's process) on the current data
version of each microdata source. What leaves is two counts per source, never a value;
each preview is audited like an aggregation."""

from __future__ import annotations

import copy

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bif import audit, roles
from statistics_office import access
from statistics_office.sealed import sealed_available

from . import aggregation, protection
from .checks import TableError
from .checks import require as _require
from .linked import for_source
from .models import TableDefinition


def preview(*, user, sources, dimensions, filters, measure, measure_field, method, parameters):
    """[{"source", "cells", "small", "empty", "min_frequency"}] per source: the number of
    cells of the complete table (margins included), of cells below the minimum frequency
    (counts 1 to n−1) and of empty cells."""
    from .services import validate_spec

    if not roles.has_role(user, roles.STATISTICIAN):
        raise PermissionDenied(_("Tabellen definiert nur die Statistikstelle."))
    sources = list(sources)
    if not sources:
        raise TableError(_("Bitte eine Datenquelle wählen."))
    _require(user, access.DEFINE_TABLES, sources)
    validate_spec(
        dimensions=dimensions,
        filters=filters,
        measure=measure,
        measure_field=measure_field,
        method=method,
    )
    if not sealed_available():
        raise TableError(
            _(
                "Die Vorschau zählt auf den Einzeldaten und läuft nur im Zugang der "
                "Statistikstelle; hier ist die abgeschottete Datenbank nicht erreichbar."
            )
        )
    from statistics_office.microdata.store import current_version

    threshold = int(protection.parameters(parameters)["min_frequency"])
    draft = TableDefinition(
        dimensions=dimensions,
        filters=filters,
        measure=measure,
        measure_field=measure_field,
        method=protection.SUPPRESSION,  # counts only: no cell keys needed
        parameters=copy.deepcopy(parameters or {}),
    )
    found = []
    for source in sources:
        if source.kind == source.Kind.AGGREGATE:
            found.append({"source": source.name, "aggregate": True})
            continue
        version = current_version(source.pk)
        if version is None:
            raise TableError(
                _("Für „%(source)s“ gibt es noch keinen angenommenen Datenstand.")
                % {"source": source.name}
            )
        try:
            cells, _dims = aggregation.aggregate(version, for_source(draft, source))
        except aggregation.DefinitionError as exc:
            raise TableError(str(exc)) from exc
        counts = cells["n"]
        entry = {
            "source": source.name,
            "cells": int(len(cells)),
            "small": int(((counts > 0) & (counts < threshold)).sum()),
            "empty": int((counts == 0).sum()),
            "min_frequency": threshold,
        }
        audit.record(
            action=audit.Action.AGGREGATION_RUN,
            user=user,
            source=source,
            details={
                "preview": True,
                "import_run_id": version.import_run_id,
                "dimensions": [d.get("field") for d in dimensions],
                "filter_fields": [f.get("field") for f in filters],
                "cells": entry["cells"],
                "small_cells": entry["small"],
            },
        )
        found.append(entry)
    return found
