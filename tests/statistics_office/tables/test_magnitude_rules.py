"""Magnitude tables through the sealed aggregation: contributions per holder, in margins too."""

import numpy as np
import pandas as pd
import pytest

from statistics_office.microdata import store
from statistics_office.tables import aggregation, protection, services
from statistics_office.tables.models import TableComputation

from .conftest import REFERENCE_DATE

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]

# Enterprise H has 90 in each of two sectors; the others 5 each.
TURNOVER = [
    ("H", "Bau", 60.0),
    ("H", "Bau", 30.0),  # two records of one enterprise: one contribution of 90
    ("B", "Bau", 5.0),
    ("C", "Bau", 5.0),
    ("H", "Handel", 90.0),
    ("D", "Handel", 5.0),
    ("E", "Handel", 5.0),
]
FIELD_TYPES = {"Betrieb": "string", "Branche": "string", "Umsatz": "number"}


@pytest.fixture
def turnover(source):
    frame = pd.DataFrame(TURNOVER, columns=["Betrieb", "Branche", "Umsatz"])
    store.load_version(
        source_id=source.pk,
        run_id=9101,
        frame=frame,
        field_types=FIELD_TYPES,
        record_keys=np.linspace(0, 0.9, len(frame)),
        reference_date=REFERENCE_DATE,
    )
    return store.make_current(9101)


def _definition(**parameters):
    return type(
        "Def",
        (),
        {
            "dimensions": [{"field": "Branche", "kind": "code"}],
            "filters": [],
            "measure": "sum",
            "measure_field": "Umsatz",
            "method": "suppression",
            "parameters": parameters,
        },
    )()


def test_a_holder_dominating_two_sectors_dominates_their_margin(turnover):
    cells, dims = aggregation.aggregate(turnover, _definition(holder_field="Betrieb"))
    total = cells[cells["Branche"] == "_T"].iloc[0]
    assert total["top1"] == 180.0  # H's two sectors, summed per holder
    assert total["n"] == 5  # five enterprises, not seven records
    bau = cells[cells["Branche"] == "Bau"].iloc[0]
    assert (bau["top1"], bau["n"]) == (90.0, 3)
    result = protection.protect(cells, dims, method="suppression", measure="sum", params={})
    reasons = dict(zip(result.cells["Branche"], result.cells["reason"], strict=True))
    assert reasons["_T"] == "dominance"  # 180 of 200 > 85 %; per record it would be 45 %


def test_dominance_for_three_contributors_runs_end_to_end(
    office, source, turnover, django_capture_on_commit_callbacks
):
    first, _second = office
    definition = services.save_definition(
        user=first,
        sources=[source],
        title="Umsatz nach Branche",
        dimensions=[{"field": "Branche", "kind": "code"}],
        measure="sum",
        measure_field="Umsatz",
        parameters={"holder_field": "Betrieb", "dominance_n": 3, "dominance_k": 90},
    )
    with django_capture_on_commit_callbacks(execute=True):
        computation = services.request_computation(definition, first)
    computation.refresh_from_db()
    assert computation.status == TableComputation.Status.COMPUTED, computation.message
    assert computation.audit_passed is True
    assert all(c["value"] is None for c in computation.cells if c["flag"] == "secret")
