"""Published tables built directly (no sealed database), with metadata, for the dissemination
tests; the office's rights as a fake (like tests/tables)."""

import datetime as dt

import pytest
from django.core.cache import cache
from freezegun import freeze_time

from dissemination.models import TableMetadata
from statistics_office import access
from statistics_office.tables.models import PublishedTable, TableComputation, TableDefinition

from .. import factories

JAHR = {"name": "Jahr", "labels": {"2022": "2022", "2023": "2023"}, "order": ["2022", "2023"]}
STADTTEIL = {
    "name": "Stadtteil",
    "labels": {"_T": "Insgesamt", "01": "Altstadt", "02": "Neustadt"},
    "order": ["_T", "01", "02"],
}
VALUES = {("2022", "01"): 120, ("2022", "02"): None, ("2023", "01"): 0, ("2023", "02"): 210}


def year_cells(years=("2022", "2023"), offset=0):
    cells = []
    for year in years:
        for code in ("01", "02"):
            value = VALUES.get((year, code), 300)
            flag = "secret" if value is None else ("zero" if value == 0 else "")
            cells.append(
                {
                    "Jahr": year,
                    "Stadtteil": code,
                    "value": None if value is None else value + offset * bool(value),
                    "flag": flag,
                }
            )
        cells.append({"Jahr": year, "Stadtteil": "_T", "value": 400 + offset, "flag": ""})
    return cells


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def grants(monkeypatch):
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
def office(statistician, source, grants):
    reviewer = factories.statistician(username="statistiker-zwei")
    for user in (statistician, reviewer):
        for permission in (access.DEFINE_TABLES, access.PUBLISH_TABLES):
            grants.add((user.pk, source.pk, permission))
    return statistician, reviewer


@pytest.fixture
def definition(statistician, source):
    definition = TableDefinition.objects.create(
        title="Einwohner nach Jahr und Stadtteil",
        slug="einwohner-jahr",
        created_by=statistician,
        dimensions=[{"field": "Jahr"}, {"field": "Stadtteil"}],
    )
    definition.sources.add(source)
    return definition


@pytest.fixture
def computation(definition, statistician):
    """computation(status=…, cells=…, dimensions=…) → a computation of the definition."""

    def make(status=TableComputation.Status.COMPUTED, cells=None, dimensions=None):
        return TableComputation.objects.create(
            definition=definition,
            computed_by=statistician,
            status=status,
            cells=cells if cells is not None else year_cells(),
            dimensions=dimensions or [JAHR, STADTTEIL],
            reference_date=dt.date(2023, 12, 31),
            audit_passed=True,
            stats={"method": "suppression", "parameters": {"min_frequency": 3}},
        )

    return make


@pytest.fixture
def publish(computation, definition, statistician):
    """publish(at=…, cells=…, is_open=…, **metadata) → the next PublishedTable version."""

    def make(at="2026-01-15 10:00", cells=None, dimensions=None, is_open=False, **metadata):
        comp = computation(TableComputation.Status.PUBLISHED, cells, dimensions)
        TableMetadata.objects.create(
            computation=comp, is_open=is_open, time_dimension="Jahr", **metadata
        )
        with freeze_time(at):
            return PublishedTable.objects.create(
                definition=definition,
                computation=comp,
                version=definition.publications.count() + 1,
                title=definition.title,
                published_by=statistician,
                reference_date=comp.reference_date,
                method="suppression",
                parameters={"min_frequency": 3},
                measure="count",
                measure_label="Einwohner",
                dimensions=comp.dimensions,
                suppression_count=sum(c["flag"] == "secret" for c in comp.cells),
                sources_label="Einwohnermeldewesen",
                cells=comp.cells,
            )

    return make
