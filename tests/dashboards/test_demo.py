"""The demo dashboards are built from whatever the demo seed has published."""

import pytest

from dashboards.demo import create_demo_dashboards
from dashboards.models import Dashboard
from tests.factories import GESCHLECHT, STADTTEIL, sex_cells, stadtteil_cells

pytestmark = pytest.mark.django_db(databases=["default"])


def test_demo_dashboards_skip_missing_tables_and_are_idempotent(
    statistician, publish, client, staff
):
    publish("einwohner-stadtteil-geschlecht", sex_cells(), [STADTTEIL, GESCHLECHT])
    publish("kita-stadtteil", stadtteil_cells({"01": 4, "02": 5, "03": None}), [STADTTEIL])
    publish("kinder-stadtteil", stadtteil_cells({"01": 9, "02": 8, "03": 7}), [STADTTEIL])
    boards = create_demo_dashboards(statistician)
    assert [b.slug for b in boards] == ["stadtteil-profil", "kinderbetreuung", "bevoelkerung"]
    profil = Dashboard.objects.get(slug="stadtteil-profil")
    assert list(profil.widgets.values_list("title", flat=True)) == [
        "Betreuungsverträge und Kinder von 0 bis 5 Jahren"
    ]
    count = sum(b.widgets.count() for b in boards)
    create_demo_dashboards(statistician)
    assert sum(b.widgets.count() for b in Dashboard.objects.all()) == count
    client.force_login(staff)
    for board in boards:
        assert board.status == Dashboard.Status.PUBLISHED
        assert client.get(board.get_absolute_url()).status_code == 200
