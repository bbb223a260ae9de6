"""A measure's status column (``<field>__status``) is not a field a table can be built on."""

import pytest

from statistics_office.tables import services

SPEC = {"filters": [], "measure": "count", "measure_field": "", "method": "suppression"}


@pytest.mark.parametrize(
    "spec",
    [
        {"dimensions": [{"field": "Einkommen__status"}]},
        {"dimensions": [{"field": "stadtteil", "fields": {"kita": "Einkommen__status"}}]},
        {
            "dimensions": [{"field": "stadtteil"}],
            "filters": [{"field": "Einkommen__status", "op": "eq", "value": "."}],
        },
        {
            "dimensions": [{"field": "stadtteil"}],
            "measure": "sum",
            "measure_field": "Einkommen__status",
        },
    ],
)
def test_a_status_column_cannot_be_chosen_as_a_field_of_a_table(spec):
    with pytest.raises(services.TableError, match="Status .*der Kennzahl „Einkommen“"):
        services.validate_spec(**{**SPEC, **spec})


def test_the_measure_itself_can_be_chosen():
    services.validate_spec(
        **{
            **SPEC,
            "dimensions": [{"field": "stadtteil"}],
            "measure": "sum",
            "measure_field": "Einkommen",
        }
    )
