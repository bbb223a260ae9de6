"""The SQL aggregation agrees with pandas on the same records (bands, filters, hierarchy)."""

import pytest

from statistics_office.tables import aggregation
from statistics_office.tables.models import TableDefinition

from .conftest import REFERENCE_DATE, residents_frame

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])


def age_at(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_age_bands_and_filters_match_pandas(microdata):
    definition = TableDefinition(
        dimensions=[
            {"field": "Stadtteil"},
            {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y"},
        ],
        filters=[{"field": "Geschlecht", "op": "in", "values": ["w"]}],
        measure="count",
        method="suppression",
    )
    cells, dims = aggregation.aggregate(microdata, definition)
    frame = residents_frame()
    women = frame[frame["Geschlecht"] == "w"].copy()
    women["age"] = [age_at(b.date(), REFERENCE_DATE) for b in women["Geburtsdatum"]]
    women["band"] = [
        aggregation.band_code(5 * (a // 5), 5 * (a // 5) + 4) if a < 85 else "85+"
        for a in women["age"]
    ]
    expected = women.groupby(["Stadtteil", "band"]).size()
    got = cells.set_index(["Stadtteil", "Altersgruppe"])["value"]
    for key, count in expected.items():
        assert got[key] == count
    assert got[("_T", "_T")] == len(women)
    assert len(cells) == (4 + 1) * (18 + 1)


def test_hierarchy_margins_and_cell_keys_come_from_the_records(microdata, demo_areas):
    definition = TableDefinition(
        dimensions=[
            {
                "field": "Statistischer Bezirk",
                "kind": "hierarchy",
                "hierarchy": "stadtbezirk->stadtteil",
            }
        ],
        measure="count",
        method="cellkey",
    )
    cells, dims = aggregation.aggregate(microdata, definition)
    by_code = cells.set_index("Statistischer Bezirk")
    assert by_code.loc["01", "value"] == by_code.loc["011", "value"]
    assert by_code.loc["_T", "value"] == 400
    assert ((by_code["cell_key"] >= 0) & (by_code["cell_key"] < 1)).all()
    assert dims[0].parent["011"] == "01"


def test_unknown_field_is_reported_in_german(microdata):
    definition = TableDefinition(dimensions=[{"field": "Schuhgröße"}], measure="count")
    with pytest.raises(aggregation.DefinitionError, match="Schuhgröße"):
        aggregation.aggregate(microdata, definition)


def test_cell_keys_of_every_margin_equal_the_python_reference(microdata):
    import numpy as np

    from statistics_office.disclosure import count_table

    definition = TableDefinition(
        dimensions=[{"field": "Stadtteil"}, {"field": "Geschlecht"}],
        measure="count",
        method="cellkey",
    )
    cells, dims = aggregation.aggregate(microdata, definition)
    frame = residents_frame()
    keys = np.random.default_rng(1).integers(0, 2**32, len(frame)) / 2**32  # as in conftest
    expected = count_table(frame, dims, keys)
    merged = cells.merge(expected, on=["Stadtteil", "Geschlecht"], suffixes=("", "_py"))
    assert len(merged) == len(cells) == len(expected)
    assert (merged["value"] == merged["value_py"]).all()
    assert np.allclose(merged["cell_key"], merged["cell_key_py"], atol=1e-12)


def test_broad_age_bands_of_a_classification_are_a_hierarchy_for_disclosure(microdata, demo_areas):
    definition = TableDefinition(
        dimensions=[{"field": "Geburtsdatum", "kind": "age_band", "bands": "altersgruppen-5j"}],
        measure="count",
        method="suppression",
    )
    cells, dims = aggregation.aggregate(microdata, definition)
    by_band = cells.set_index("Altersgruppe")["value"]
    fine_under_20 = ["00-04", "05-09", "10-14", "15-19"]
    assert by_band["U20"] == sum(by_band.get(code, 0) for code in fine_under_20)
    assert dims[0].parent["05-09"] == "U20" and dims[0].parent["U20"] == "_T"
    labels = aggregation.code_labels(definition.dimensions[0])
    assert labels["U20"] == "unter 20" and labels["85+"] == "85 und älter"
