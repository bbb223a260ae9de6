"""A small synthetic residents' source in the sealed database, and a fake for grants."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from statistics_office import access
from statistics_office.microdata import store
from tests import factories

FIELD_TYPES = {
    "Personen-ID": "string",
    "Geburtsdatum": "date",
    "Geschlecht": "string",
    "Stadtteil": "string",
    "Statistischer Bezirk": "string",
    "Zahlbetrag (EUR)": "number",
}
REFERENCE_DATE = dt.date(2025, 12, 31)
# A single resident's benefit, unique in the data: it must never appear in what is stored.
MARKER_AMOUNT = 98765.43


def residents_frame(n=400, seed=7):
    """Residents in four Stadtteile; Stadtteil 04 has exactly one person of sex "d"."""
    rng = np.random.default_rng(seed)
    stadtteil = rng.choice(["01", "02", "03", "04"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    sex = rng.choice(["m", "w"], size=n)
    ages = rng.integers(0, 95, size=n)
    birth = [REFERENCE_DATE.replace(year=REFERENCE_DATE.year - int(a)) for a in ages]
    birth = [
        b - dt.timedelta(days=int(d)) for b, d in zip(birth, rng.integers(0, 300, n), strict=True)
    ]
    frame = pd.DataFrame(
        {
            "Personen-ID": [f"{i:09d}" for i in range(n)],
            "Geburtsdatum": pd.to_datetime(birth),
            "Geschlecht": sex,
            "Stadtteil": stadtteil,
            "Statistischer Bezirk": [f"{s}1" for s in stadtteil],
            "Zahlbetrag (EUR)": rng.integers(100, 900, size=n).astype(float),
        }
    )
    lone = frame.index[frame["Stadtteil"] == "04"][0]
    frame.loc[lone, "Geschlecht"] = "d"
    frame.loc[lone, "Zahlbetrag (EUR)"] = MARKER_AMOUNT
    return frame


@pytest.fixture
def microdata(source):
    """The source's current version: 400 residents, loaded inside the test transaction."""
    frame = residents_frame()
    keys = np.random.default_rng(1).integers(0, 2**32, len(frame)) / 2**32
    store.load_version(
        source_id=source.pk,
        run_id=9001,
        frame=frame,
        field_types=FIELD_TYPES,
        record_keys=keys,
        reference_date=REFERENCE_DATE,
    )
    return store.make_current(9001)


@pytest.fixture
def grants(monkeypatch):
    """{(user id, source id, permission)}; `access.may` looks them up."""
    granted = set()

    def may(user, permission, source):
        return bool(user and user.is_authenticated) and (user.pk, source.pk, permission) in granted

    def sources_for(user, permission):
        from departments.models import DataSource

        ids = [s for (u, s, p) in granted if user and u == user.pk and p == permission]
        return DataSource.objects.filter(pk__in=ids)

    monkeypatch.setattr(access, "may", may)
    monkeypatch.setattr(access, "sources_for", sources_for)
    return granted


@pytest.fixture
def grant_to(grants):
    def grant(user, source, *permissions):
        for permission in permissions:
            grants.add((user.pk, source.pk, permission))

    return grant


@pytest.fixture
def second_statistician(db):
    return factories.statistician(username="statistiker-zwei")


@pytest.fixture
def office(statistician, second_statistician, source, grant_to):
    """Two statisticians with every table right on the source."""
    for user in (statistician, second_statistician):
        grant_to(user, source, access.DEFINE_TABLES, access.PUBLISH_TABLES)
    return statistician, second_statistician
