"""A table whose filters match no record says so in words (issue 14), not "column 'n'
missing"."""

import pytest

from statistics_office.tables import aggregation
from statistics_office.tables.models import TableDefinition

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])


@pytest.mark.parametrize(
    ("measure", "field", "method"),
    [
        ("count", "", "suppression"),
        ("count", "", "cellkey"),
        ("sum", "Zahlbetrag (EUR)", "suppression"),
    ],
)
def test_filters_that_match_no_record_are_explained(microdata, measure, field, method):
    definition = TableDefinition(
        dimensions=[{"field": "Stadtteil"}],
        filters=[{"field": "Geschlecht", "op": "in", "values": ["niemand"]}],
        measure=measure,
        measure_field=field,
        method=method,
    )
    with pytest.raises(aggregation.DefinitionError) as problem:
        aggregation.aggregate(microdata, definition)
    message = str(problem.value)
    assert "keinen Datensatz" in message and "Filter" in message
    assert "column" not in message
