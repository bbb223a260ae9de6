"""Large versions are aggregated by DuckDB from a Parquet snapshot: the same figures as the
sealed database gives, for counts, cell keys of every margin, sums with contributions,
filters, own age bands and hierarchies; snapshots exist only for committed versions and go
with them."""

import numpy as np
import pandas as pd
import pytest

from statistics_office.microdata import snapshots, store
from statistics_office.tables import aggregation
from statistics_office.tables.models import TableDefinition

from .conftest import FIELD_TYPES, REFERENCE_DATE, residents_frame

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])
RUN_ID = 9301


@pytest.fixture
def snapshot_root(settings, tmp_path):
    settings.SEALED_SNAPSHOT_ROOT = tmp_path / "snapshots"
    settings.BIF_AGGREGATION_ENGINE = "auto"
    return settings.SEALED_SNAPSHOT_ROOT


@pytest.fixture
def committed(source, snapshot_root, django_capture_on_commit_callbacks, demo_areas):
    """A version whose load committed (so its snapshot is in place)."""
    frame = residents_frame(n=1500, seed=11)
    keys = np.random.default_rng(3).integers(0, 2**32, len(frame)) / 2**32
    with django_capture_on_commit_callbacks(using="sealed", execute=True):
        store.load_version(
            source_id=source.pk,
            run_id=RUN_ID,
            frame=frame,
            field_types=FIELD_TYPES,
            record_keys=keys,
            reference_date=REFERENCE_DATE,
        )
    return store.make_current(RUN_ID)


DEFINITIONS = {
    "counts with a filter and 5-year bands": TableDefinition(
        dimensions=[
            {"field": "Stadtteil"},
            {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y"},
        ],
        filters=[{"field": "Geschlecht", "op": "in", "values": ["w", "d"]}],
        measure="count",
        method="suppression",
    ),
    "cell keys of every margin, own bands": TableDefinition(
        dimensions=[
            {"field": "Geburtsdatum", "kind": "age_band", "bands": [[0, 17], [18, 64], [65, None]]},
            {"field": "Geschlecht"},
        ],
        measure="count",
        method="cellkey",
    ),
    "a hierarchy": TableDefinition(
        dimensions=[
            {
                "field": "Statistischer Bezirk",
                "kind": "hierarchy",
                "hierarchy": "stadtbezirk->stadtteil",
            }
        ],
        measure="count",
        method="suppression",
    ),
    "sums with contributions": TableDefinition(
        dimensions=[{"field": "Stadtteil"}, {"field": "Geschlecht"}],
        measure="sum",
        measure_field="Zahlbetrag (EUR)",
        method="suppression",
        parameters={"dominance_n": 2, "dominance_k": 85},
    ),
}


def _sorted(cells):
    columns = sorted(cells.columns)
    keys = [c for c in columns if cells[c].dtype == object]
    return cells[columns].sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_duckdb_gives_the_database_s_figures(committed, settings, name, monkeypatch):
    definition = DEFINITIONS[name]
    settings.BIF_DUCKDB_MIN_ROWS = 10**9  # the database
    expected, _dims = aggregation.aggregate(committed, definition)
    settings.BIF_DUCKDB_MIN_ROWS = 0  # DuckDB over the snapshot
    used = []
    monkeypatch.setattr(snapshots, "fetch", _spy(snapshots.fetch, used))
    got, _dims = aggregation.aggregate(committed, definition)
    assert used, "DuckDB was not used"
    pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), check_dtype=False)


def _spy(function, calls):
    def spy(*args, **kwargs):
        calls.append(args[0])
        return function(*args, **kwargs)

    return spy


def test_small_versions_and_versions_without_a_snapshot_stay_in_the_database(committed, settings):
    sql = f'SELECT COUNT(*) FROM "{committed.table_name}"'
    settings.BIF_DUCKDB_MIN_ROWS = 10**9
    assert snapshots.engine_for(sql) == "database"
    settings.BIF_DUCKDB_MIN_ROWS = 0
    assert snapshots.engine_for(sql) == "duckdb"
    snapshots.path_of(committed.table_name).unlink()
    assert snapshots.engine_for(sql) == "database"
    settings.BIF_AGGREGATION_ENGINE = "postgres"
    assert snapshots.engine_for(sql) == "database"


def test_a_load_that_is_not_committed_leaves_no_snapshot(source, snapshot_root):
    frame = residents_frame(n=50)
    with (
        pytest.raises(RuntimeError),
        store.writing_version(
            source_id=source.pk, run_id=RUN_ID + 1, field_types=FIELD_TYPES
        ) as writer,
    ):
        writer.append(frame, np.zeros(len(frame)))
        raise RuntimeError("the load fails after its first chunk")
    assert not any(snapshot_root.rglob("*")) if snapshot_root.exists() else True


def test_the_snapshot_goes_with_its_version(committed, snapshot_root):
    path = snapshots.path_of(committed.table_name)
    assert path.exists() and path.parent == snapshot_root
    store.drop_version(RUN_ID)
    assert not path.exists()
