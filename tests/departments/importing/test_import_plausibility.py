"""Plausibility against the previous import and across sources."""

import datetime as dt
import json

import pandas as pd

from departments.importing.messages import describe
from departments.importing.plausibility import (
    Profile,
    compare,
    cross_source_not_above,
    duplicate_records,
    profile,
)

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "stadtteil", "type": "string"},
        {"name": "alter", "type": "integer"},
        {"name": "stichtag", "type": "date"},
    ],
    "primaryKey": ["id"],
}


def residents(stadtteile: list[str], stichtag="2023-12-31") -> pd.DataFrame:
    n = len(stadtteile)
    return pd.DataFrame(
        {
            "id": pd.Series([f"{i:06d}" for i in range(n)], dtype="string"),
            "stadtteil": pd.Series(stadtteile, dtype="string"),
            "alter": pd.Series([i % 90 for i in range(n)], dtype="Int64"),
            "stichtag": pd.Series([pd.Timestamp(stichtag)] * n),
        }
    )


def prof(frame):
    return profile(frame, SCHEMA, reference_date_field="stichtag")


def test_profile_is_json_serialisable_and_round_trips():
    current = prof(residents(["01"] * 60 + ["02"] * 40))
    data = json.loads(json.dumps(current.to_dict()))
    again = Profile.from_dict(data)
    assert again.row_count == 100
    assert again.reference_date == dt.date(2023, 12, 31)
    assert again.columns["stadtteil"]["categories"] == {"01": 60, "02": 40}
    assert again.columns["id"]["categories"] is None  # high cardinality
    numeric = again.columns["alter"]["numeric"]
    assert numeric["min"] == 0 and sum(numeric["histogram"]["counts"]) == 100


def test_no_previous_import_means_nothing_to_compare():
    assert compare(prof(residents(["01"])), None) == []


def test_row_count_jump_is_a_warning():
    previous = prof(residents(["01"] * 100))
    current = prof(residents(["01"] * 150))
    (found,) = [f for f in compare(current, previous) if f.rule == "rowcount_change"]
    assert found.severity == "warning"
    assert found.params == {
        "previous": 100,
        "current": 150,
        "change_pct": 50.0,
        "threshold_pct": 10.0,
    }
    assert "50 %" in describe(found) and "vorher 100, jetzt 150" in describe(found)


def test_small_row_count_change_is_fine():
    previous = prof(residents(["01"] * 100))
    current = prof(residents(["01"] * 105))
    assert compare(current, previous) == []


def test_new_and_vanished_categories():
    previous = prof(residents(["01"] * 50 + ["02"] * 50))
    current = prof(residents(["01"] * 50 + ["14"] * 50))
    found = {f.rule: f for f in compare(current, previous)}
    assert found["category_new"].values == ("14",)
    assert found["category_vanished"].values == ("02",)
    assert found["category_vanished"].column == "stadtteil"


def test_share_shift_beyond_threshold():
    previous = prof(residents(["01"] * 50 + ["02"] * 50))
    current = prof(residents(["01"] * 60 + ["02"] * 40))
    (found,) = [f for f in compare(current, previous) if f.rule == "share_shift"]
    assert abs(found.params["shift_pts"]) == 10.0
    assert compare(current, previous, share_threshold_pts=15) == []


def test_older_reference_date_blocks():
    previous = prof(residents(["01"] * 10, stichtag="2023-12-31"))
    current = prof(residents(["01"] * 10, stichtag="2022-12-31"))
    (found,) = compare(current, previous)
    assert (found.rule, found.severity) == ("reference_date_older", "error")
    assert "31.12.2022" in describe(found)


def test_duplicate_records_apart_from_key():
    frame = residents(["01", "02", "01"])
    frame["alter"] = pd.Series([5, 6, 5], dtype="Int64")
    (found,) = duplicate_records(frame, SCHEMA, row_numbers=[2, 3, 4])
    assert found.rows == (4,) and found.count == 1
    assert duplicate_records(residents(["01", "02"]), SCHEMA) == []


def test_childcare_children_must_not_exceed_residents_aged_0_to_6():
    kita = pd.Series([120, 80, 30], index=pd.Index(["01", "02", "03"], name="Stadtteil"))
    kinder = pd.Series([100, 90, 30], index=pd.Index(["01", "02", "03"], name="Stadtteil"))
    (found,) = cross_source_not_above(
        kita, kinder, left_label="Kinder in Kitas", right_label="Einwohner 0–6 Jahre"
    )
    assert found.values == ("01",)
    assert found.params["left"] == 120 and found.params["right"] == 100
    assert "Kinder in Kitas" in describe(found) and "„Stadtteil“" in describe(found)
    (reverse,) = cross_source_not_above(kinder, kita, left_label="a", right_label="b")
    assert reverse.values == ("02",)
