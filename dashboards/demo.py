"""Demo dashboards across departments, drawn from the demo seed's published tables.

A widget whose table is not published is left out; running it twice changes nothing.
"""

from django.db import transaction

from statistics_office.tables.models import PublishedTable, TableDefinition

from . import services
from .models import Dashboard

# (slug, title, description, filters, [widget specs]); a spec names tables by their slug.
DEMO_DASHBOARDS = [
    (
        "stadtteil-profil",
        "Stadtteil-Profil",
        "Bevölkerung, Kinderbetreuung, Grundsicherung und Bautätigkeit in den 13 Stadtteilen.",
        ["Stadtteil"],
        [
            {
                "title": "Einwohner nach Stadtteil und Altersgruppe",
                "kind": "stacked_bar",
                "table": "einwohner-stadtteil-alter",
                "x_dimension": "Stadtteil",
                "series_dimension": "Altersgruppe",
                "width": 2,
            },
            {
                "title": "Einwohner je Stadtteil (Karte)",
                "kind": "map",
                "table": "einwohner-stadtteil-alter",
                "x_dimension": "Stadtteil",
            },
            {
                "title": "Einwohner je statistischem Bezirk (Karte)",
                "kind": "map",
                "table": "einwohner-stadtbezirk",
                "x_dimension": "Statistischer Bezirk",
                "map_level": "stadtbezirk",
                "map_method": "jenks",
                "map_classes": 5,
                "width": 2,
            },
            {
                "title": "Betreuungsverträge und Kinder von 0 bis 5 Jahren",
                "kind": "bar",
                "table": "kita-stadtteil",
                "compare_table": "kinder-stadtteil",
                "x_dimension": "Stadtteil",
                "width": 2,
                "note": "Verträge nach Wohnort des Kindes; Kinder unter 6 Jahren am Stichtag.",
            },
            {
                "title": "Leistungsfälle SGB II (Karte)",
                "kind": "map",
                "table": "sgb2-stadtteil",
                "x_dimension": "Stadtteil",
                "palette": "tol-bright",
            },
            {
                "title": "Leistungsfälle SGB II nach Stadtteil",
                "kind": "bar",
                "table": "sgb2-stadtteil",
                "x_dimension": "Stadtteil",
                "palette": "tol-bright",
            },
            {
                "title": "Bauanträge nach Stadtteil",
                "kind": "bar",
                "table": "bauantraege-stadtteil",
                "x_dimension": "Stadtteil",
                "width": 2,
            },
        ],
    ),
    (
        "kinderbetreuung",
        "Kinderbetreuung",
        "Betreuungsverträge der Kindertagesstätten und Kinder im Kita-Alter.",
        ["Stichtag", "Stadtteil"],
        [
            {
                "title": "Betreuungsverträge nach Wohnort-Stadtteil",
                "kind": "bar",
                "table": "kita-stadtteil",
                "x_dimension": "Stadtteil",
                "width": 2,
            },
            {
                "title": "Betreuungsverträge (Karte)",
                "kind": "map",
                "table": "kita-stadtteil",
                "x_dimension": "Stadtteil",
            },
            {
                "title": "Kinder unter 6 Jahren nach Stadtteil",
                "kind": "bar",
                "table": "kinder-stadtteil",
                "x_dimension": "Stadtteil",
                "palette": "tol-bright",
                "width": 2,
            },
            {
                "title": "Betreuungsverträge insgesamt",
                "kind": "kpi",
                "table": "kita-zeitreihe",
            },
            {
                "title": "Betreuungsverträge im Zeitverlauf",
                "kind": "line",
                "table": "kita-zeitreihe",
                "x_dimension": "Stichtag",
                "width": 3,
            },
        ],
    ),
    (
        "bevoelkerung",
        "Bevölkerung",
        "Einwohnerinnen und Einwohner mit Hauptwohnsitz: Entwicklung und Struktur.",
        ["Stichtag", "Stadtteil"],
        [
            {
                "title": "Einwohner insgesamt",
                "kind": "kpi",
                "table": "einwohner-zeitreihe",
            },
            {
                "title": "Einwohner im Zeitverlauf",
                "kind": "line",
                "table": "einwohner-zeitreihe",
                "x_dimension": "Stichtag",
                "width": 2,
            },
            {
                "title": "Einwohner nach Stadtteil und Geschlecht",
                "kind": "stacked_bar",
                "table": "einwohner-stadtteil-geschlecht",
                "x_dimension": "Stadtteil",
                "series_dimension": "Geschlecht",
                "width": 2,
            },
            {
                "title": "Einwohner nach Geschlecht",
                "kind": "donut",
                "table": "einwohner-stadtteil-geschlecht",
                "x_dimension": "Geschlecht",
            },
            {
                "title": "Einwohner nach Stadtteil und Altersgruppe (Tabelle)",
                "kind": "table",
                "table": "einwohner-stadtteil-alter",
                "x_dimension": "Stadtteil",
                "series_dimension": "Altersgruppe",
                "width": 3,
            },
        ],
    ),
]


def _published_definitions():
    ids = PublishedTable.objects.filter(withdrawn_at=None).values("definition_id")
    return {d.slug: d for d in TableDefinition.objects.filter(pk__in=ids)}


def create_demo_dashboards(owner):
    """Create (or fill up) the demo dashboards and publish them for all staff."""
    definitions = _published_definitions()
    created = []
    for slug, title, description, filters, widgets in DEMO_DASHBOARDS:
        with transaction.atomic():
            dashboard = Dashboard.objects.filter(slug=slug).first()
            if dashboard is None:
                dashboard = services.create_dashboard(
                    owner, title=title, slug=slug, description=description, filters=filters
                )
            existing = set(dashboard.widgets.values_list("title", flat=True))
            for spec in widgets:
                table = definitions.get(spec["table"])
                compare = definitions.get(spec.get("compare_table", ""))
                if table is None or spec["title"] in existing:
                    continue
                if spec.get("compare_table") and compare is None:
                    continue
                services.add_widget(
                    dashboard, owner, **{**spec, "table": table, "compare_table": compare}
                )
            if dashboard.widgets.exists() and dashboard.status != Dashboard.Status.PUBLISHED:
                services.publish_dashboard(dashboard, owner)
        created.append(dashboard)
    return created
