"""Permalinks roll forward: the slug is the current version, `version` and `as_of` fix one,
`time=from(…)`/`top(n)` include periods published later; every format from the same cells."""

import io
import json

import pyarrow.parquet as pq
import pytest

from .conftest import JAHR, STADTTEIL, year_cells

pytestmark = pytest.mark.django_db
URL = "/api/v1/tables/einwohner-jahr/"
JAHR_3 = {**JAHR, "labels": {**JAHR["labels"], "2024": "2024"}, "order": [*JAHR["order"], "2024"]}


@pytest.fixture
def two_versions(publish):
    first = publish(at="2026-01-15 10:00", revision_note="")
    second = publish(
        at="2026-03-01 10:00",
        cells=year_cells(("2022", "2023", "2024"), offset=1),
        dimensions=[JAHR_3, STADTTEIL],
        revision_note="2024 ergänzt, 2022/2023 berichtigt",
    )
    return first, second


def jsonstat(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_slug_is_always_the_current_version(client, staff, two_versions):
    client.force_login(staff)
    document = jsonstat(client)
    assert document["extension"]["version"] == 2
    assert document["dimension"]["Jahr"]["category"]["index"] == {"2022": 0, "2023": 1, "2024": 2}
    assert "2024 ergänzt, 2022/2023 berichtigt" in document["note"]


def test_version_and_as_of_fix_a_version(client, staff, two_versions):
    client.force_login(staff)
    assert jsonstat(client, "?version=1")["extension"]["version"] == 1
    assert jsonstat(client, "?as_of=2026-02-01")["extension"]["version"] == 1
    assert jsonstat(client, "?as_of=2026-03-01")["extension"]["version"] == 2
    assert client.get(URL + "?as_of=2025-12-31").status_code == 404
    assert client.get(URL + "?as_of=gestern").status_code == 400


def test_time_selection_includes_periods_published_later(client, staff, publish):
    client.force_login(staff)
    publish(at="2026-01-15 10:00")
    assert list(jsonstat(client, "?time=top(1)")["dimension"]["Jahr"]["category"]["index"]) == [
        "2023"
    ]
    publish(
        at="2026-03-01 10:00",
        cells=year_cells(("2022", "2023", "2024")),
        dimensions=[JAHR_3, STADTTEIL],
    )
    # The same link, unchanged, now shows the newest period.
    assert list(jsonstat(client, "?time=top(1)")["dimension"]["Jahr"]["category"]["index"]) == [
        "2024"
    ]
    index = jsonstat(client, "?time=from(2023)")["dimension"]["Jahr"]["category"]["index"]
    assert list(index) == ["2023", "2024"]
    assert client.get(URL + "?time=top(x)").status_code == 400


@pytest.mark.parametrize("fmt", ["json-stat", "sdmx-csv", "px", "parquet", "csv", "xlsx"])
def test_every_format_is_served(client, staff, publish, fmt):
    client.force_login(staff)
    publish()
    response = client.get(URL + f"?format={fmt}")
    assert response.status_code == 200
    assert "einwohner-jahr_v1" in response["Content-Disposition"]
    if fmt == "parquet":
        frame = pq.read_table(io.BytesIO(response.content)).to_pandas()
        secret = frame[(frame["Jahr"] == "2022") & (frame["Stadtteil"] == "02")]
        assert secret["value"].isna().all() and list(secret["value_symbol"]) == ["."]


@pytest.mark.parametrize("fmt", ["json-stat", "parquet"])
def test_a_client_that_has_the_file_gets_304_without_it(client, staff, publish, fmt):
    client.force_login(staff)
    publish()
    first = client.get(URL + f"?format={fmt}")
    etag = first["ETag"]
    again = client.get(URL + f"?format={fmt}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    other = client.get(URL + "?format=csv", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200 and other["ETag"] != etag


def test_a_new_version_has_a_new_etag(client, staff, two_versions):
    client.force_login(staff)
    current = client.get(URL)["ETag"]
    assert client.get(URL + "?version=1")["ETag"] != current
    assert client.get(URL, HTTP_IF_NONE_MATCH=current).status_code == 304


def test_secret_value_never_appears(client, staff, publish):
    """The secret cell's value is not in the cells, so no format can show it."""
    client.force_login(staff)
    publish()
    document = jsonstat(client)
    position = 0 * 3 + 2  # 2022 x Neustadt (Jahr first; Stadtteil _T, 01, 02)
    assert document["value"][position] is None
    assert document["status"][str(position)] == "."


def test_unknown_table_and_anonymous_are_refused(client, staff, publish):
    publish()
    assert client.get(URL).status_code in (401, 403)
    client.force_login(staff)
    assert client.get("/api/v1/tables/gibt-es-nicht/").status_code == 404
    assert client.get(URL + "?format=docx").status_code == 404  # DRF: no such renderer


def test_versions_list_revision_notes(client, staff, two_versions):
    client.force_login(staff)
    response = client.get(URL + "versions/")
    assert response.status_code == 200
    versions = response.json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["revision_note"] == "2024 ergänzt, 2022/2023 berichtigt"
    assert versions[1]["url"].endswith("?version=1")
