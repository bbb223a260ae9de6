"""A table over several sources: side by side, each part protected on its own."""

import numpy as np
import pytest

from statistics_office import access
from statistics_office.microdata import store
from statistics_office.tables import services

from .conftest import FIELD_TYPES, REFERENCE_DATE, residents_frame

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])


@pytest.fixture
def childcare(other_source):
    """A second source whose Stadtteil column is called differently."""
    frame = residents_frame(n=120, seed=3).rename(columns={"Stadtteil": "Wohnort Stadtteil"})
    types = {("Wohnort Stadtteil" if k == "Stadtteil" else k): v for k, v in FIELD_TYPES.items()}
    store.load_version(
        source_id=other_source.pk,
        run_id=9002,
        frame=frame,
        field_types=types,
        record_keys=np.random.default_rng(2).integers(0, 2**32, len(frame)) / 2**32,
        reference_date=REFERENCE_DATE,
    )
    return store.make_current(9002)


def test_two_sources_side_by_side_with_a_field_named_per_source(
    office, source, other_source, microdata, childcare, grant_to, django_capture_on_commit_callbacks
):
    first, second = office
    grant_to(first, other_source, access.DEFINE_TABLES, access.PUBLISH_TABLES)
    grant_to(second, other_source, access.PUBLISH_TABLES)
    definition = services.save_definition(
        user=first,
        sources=[source, other_source],
        title="Einwohner und Kita-Kinder nach Stadtteil",
        dimensions=[
            {
                "field": "Stadtteil",
                "kind": "code",
                "fields": {other_source.slug: "Wohnort Stadtteil"},
            }
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        computation = services.request_computation(definition, first)
    computation.refresh_from_db()
    assert computation.status == "computed", computation.message
    parts = {}
    for cell in computation.cells:
        parts.setdefault(cell["Datenquelle"], {})[cell["Stadtteil"]] = cell
    assert set(parts) == {source.slug, other_source.slug}
    assert parts[source.slug]["_T"]["value"] == 400  # each source keeps its own total
    assert parts[other_source.slug]["_T"]["value"] == 120
    services.review(computation, second, approve=True)
    published = services.publish(computation, first)
    assert published.dimensions[0]["name"] == "Datenquelle"


def test_a_second_source_needs_its_own_define_grant(office, source, other_source):
    with pytest.raises(services.PermissionDenied):
        services.save_definition(
            user=office[0],
            sources=[source, other_source],
            title="zwei",
            dimensions=[{"field": "Stadtteil", "kind": "code"}],
        )
