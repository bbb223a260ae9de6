"""Published tables built directly (no sealed database), and dashboards over them."""

import datetime as dt

import pytest
from django.core.cache import cache

from dashboards import services
from statistics_office.tables.models import PublishedTable, TableComputation, TableDefinition

STADTTEIL = {
    "name": "Stadtteil",
    "labels": {"_T": "Insgesamt", "01": "Altstadt", "02": "Neustadt", "03": "Nordstadt"},
    "order": ["_T", "01", "02", "03"],
}
GESCHLECHT = {
    "name": "Geschlecht",
    "labels": {"_T": "Insgesamt", "m": "männlich", "w": "weiblich"},
    "order": ["_T", "m", "w"],
}
# Nordstadt, weiblich is secret (and so, secondarily, Nordstadt, männlich).
SEX_BY_STADTTEIL = {
    ("01", "m"): 120, ("01", "w"): 130, ("02", "m"): 200, ("02", "w"): 0,
    ("03", "m"): None, ("03", "w"): None,
}  # fmt: skip


def _or5(value):
    return 5 if value is None else value  # the secret true value, never published


def sex_cells(scale=1):
    cells = []
    for (st, sex), value in SEX_BY_STADTTEIL.items():
        flag = "secret" if value is None else ("zero" if value == 0 else "")
        cells.append(
            {"Stadtteil": st, "Geschlecht": sex, "value": value and value * scale, "flag": flag}
        )
    for st in ("01", "02", "03"):
        total = sum(_or5(SEX_BY_STADTTEIL[(st, s)]) for s in "mw") * scale
        cells.append({"Stadtteil": st, "Geschlecht": "_T", "value": total, "flag": ""})
    for sex in "mw":
        total = sum(_or5(SEX_BY_STADTTEIL[(st, sex)]) for st in ("01", "02", "03")) * scale
        cells.append({"Stadtteil": "_T", "Geschlecht": sex, "value": total, "flag": ""})
    grand = sum(c["value"] for c in cells if c["Stadtteil"] == "_T")
    cells.append({"Stadtteil": "_T", "Geschlecht": "_T", "value": grand, "flag": ""})
    return cells


def stadtteil_cells(values):
    cells = [
        {"Stadtteil": code, "value": value, "flag": "secret" if value is None else ""}
        for code, value in values.items()
    ]
    cells.append({"Stadtteil": "_T", "value": sum(v or 0 for v in values.values()), "flag": ""})
    return cells


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def publish(statistician):
    """publish(slug, cells, dimensions, reference_date=…) → a new PublishedTable version."""

    def make(slug, cells, dimensions, *, reference_date=dt.date(2025, 12, 31), title=None):
        definition, _ = TableDefinition.objects.get_or_create(
            slug=slug,
            defaults={"title": title or slug, "created_by": statistician, "dimensions": []},
        )
        computation = TableComputation.objects.create(
            definition=definition,
            computed_by=statistician,
            status=TableComputation.Status.PUBLISHED,
            cells=cells,
            dimensions=dimensions,
            reference_date=reference_date,
        )
        version = definition.publications.count() + 1
        return PublishedTable.objects.create(
            definition=definition,
            computation=computation,
            version=version,
            title=title or definition.title,
            published_by=statistician,
            reference_date=reference_date,
            method="suppression",
            parameters={"min_frequency": 3},
            measure="count",
            measure_label="Einwohner",
            dimensions=dimensions,
            suppression_count=sum(c["flag"] == "secret" for c in cells),
            sources_label="Einwohnermeldewesen",
            cells=cells,
        )

    return make


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
def make_dashboard(statistician):
    def make(slug="profil", *, widgets=(), filters=("Stadtteil", "Geschlecht"), **fields):
        dashboard = services.create_dashboard(
            statistician,
            title=fields.pop("title", slug.title()),
            slug=slug,
            filters=list(filters),
            **fields,
        )
        for spec in widgets:
            services.add_widget(dashboard, statistician, **spec)
        if dashboard.widgets.exists():
            services.publish_dashboard(dashboard, statistician)
        dashboard.refresh_from_db()
        return dashboard

    return make


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
