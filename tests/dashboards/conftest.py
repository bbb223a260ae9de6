"""Published tables built directly (no sealed database), and dashboards over them."""

import pytest

from tests.factories import GESCHLECHT, STADTTEIL, sex_cells, stadtteil_cells


@pytest.fixture(autouse=True)
def _fresh_cache(empty_cache):
    """Every dashboard test starts and ends with an empty figure cache."""
    yield


@pytest.fixture
def sex_table(publish):
    return publish(
        "einwohner-geschlecht",
        sex_cells(),
        [STADTTEIL, GESCHLECHT],
        title="Einwohner nach Stadtteil und Geschlecht",
    )


@pytest.fixture
def kita_table(publish):
    return publish(
        "kita-stadtteil",
        stadtteil_cells({"01": 40, "02": 55, "03": 12}),
        [STADTTEIL],
        title="Betreuungsverträge",
    )


@pytest.fixture
def dashboard(make_dashboard, sex_table, kita_table):
    return make_dashboard(
        widgets=[
            {
                "title": "Einwohner nach Stadtteil und Geschlecht",
                "kind": "bar",
                "table": sex_table.definition,
                "x_dimension": "Stadtteil",
                "series_dimension": "Geschlecht",
            },
            {
                "title": "Betreuungsverträge",
                "kind": "bar",
                "table": kita_table.definition,
                "x_dimension": "Stadtteil",
            },
        ]
    )
