"""A residents' source in the sealed database with a table builder catalogue over it."""

import datetime as dt

import numpy as np
import pytest

from statistics_office.builder.models import Catalogue
from statistics_office.microdata import store
from tests.statistics_office.tables.conftest import (  # noqa: F401 - fixtures
    FIELD_TYPES,
    grant_to,
    grants,
    office,
    residents_frame,
    second_statistician,
)

ITEMS = [
    {
        "key": "stadtteil",
        "label": "Stadtteil",
        "group": "gebiet",
        "filter": True,
        "values": [{"code": c, "label": f"Stadtteil {c}"} for c in ("01", "02", "03", "04")],
        "dimension": {"field": "Stadtteil", "kind": "code"},
    },
    {
        "key": "geschlecht",
        "label": "Geschlecht",
        "filter": True,
        "values": [
            {"code": "m", "label": "männlich"},
            {"code": "w", "label": "weiblich"},
            {"code": "d", "label": "divers"},
        ],
        "dimension": {"field": "Geschlecht", "kind": "code"},
    },
    {
        "key": "alter5",
        "label": "Alter (5-Jahres-Gruppen)",
        "group": "alter",
        "dimension": {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y"},
    },
    {
        "key": "alter_planung",
        "label": "Alter (Planungsgruppen)",
        "group": "alter",
        "dimension": {"field": "Geburtsdatum", "kind": "age_band", "bands": "planning"},
    },
]


def load(source, frame, run_id, reference_date=dt.date(2025, 12, 31), seed=1):
    """A version of the source; a record keeps its key across versions (keyed by its id)."""
    ids = frame["Personen-ID"].astype(int).to_numpy()
    keys = (np.random.default_rng(seed).integers(0, 2**32, 100_000)[ids]) / 2**32
    store.load_version(
        source_id=source.pk,
        run_id=run_id,
        frame=frame,
        field_types=FIELD_TYPES,
        record_keys=keys,
        reference_date=reference_date,
    )
    return store.make_current(run_id)


@pytest.fixture(autouse=True)
def no_waiting(settings):
    """Inside a test's transaction the worker runs when the capture ends, not meanwhile."""
    settings.TABLE_BUILDER_WAIT_SECONDS = 0


@pytest.fixture
def residents(source):
    """4,000 residents; Stadtteil 04 has exactly one person of sex "d"."""
    frame = residents_frame(n=4000)
    load(source, frame, 9101)
    return frame


@pytest.fixture
def catalogue(source, residents):
    return Catalogue.objects.create(source=source, items=ITEMS, min_filter_population=50)


@pytest.fixture(autouse=True)
def fresh_cubes():
    """A test's versions reuse table names and ids after the rollback: no cube of another."""
    from statistics_office.builder import cube

    cube.clear()
    yield
    cube.clear()
