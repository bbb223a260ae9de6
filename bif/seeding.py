"""The demo city (an operation on top of every app): departments, data sources, one user per
role, and its history.

The microdata goes in as a department would send it: files written by the demo generator
and imported through the same pipeline as an upload (departments/uploads.py, then
statistics_office/intake).
"""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from bif import roles
from departments import services
from departments.demo import generator
from departments.models import CrossSourceRule, DataSource, Department

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "bif-demo-2026"  # noqa: S105 - documented demo login, never for production

# (username, full name, role, department code or None)
DEMO_USERS = [
    ("admin", "Anna Administration", roles.ADMINISTRATION, None),
    ("admin2", "Bernd Zweitfreigabe", roles.ADMINISTRATION, None),
    ("statistik", "Svenja Statistik", roles.STATISTICIAN, None),
    ("statistik2", "Tom Prüfer", roles.STATISTICIAN, None),
    ("analyse-ewo", "Erik Einwohner", roles.ANALYST, "33"),
    ("analyse-kita", "Katrin Kita", roles.ANALYST, "51"),
    ("mitarbeiter", "Maren Mitarbeiterin", roles.STAFF, None),
    ("leitung-jugend", "Jana Jugendhilfe", roles.STAFF, "51"),
]
# Heads of their department: they follow its introduction (rollout overview, checklist).
DEMO_DEPARTMENT_HEADS = {"leitung-jugend"}

# A mid-rollout city: some sources live, some in verification, one only identified.
DEMO_STAGES = {
    "einwohner": DataSource.Stage.LIVE,
    "kita": DataSource.Stage.LIVE,
    "sgb2": DataSource.Stage.PLAUSIBLE,
    "sgb2_ba": DataSource.Stage.LIVE,
    "bauantraege": DataSource.Stage.VERIFIED,
    "kfz": DataSource.Stage.IDENTIFIED,
}


def demo_is_seeded():
    return Department.objects.exists()


@transaction.atomic
def create_catalog():
    sources = []
    for demo in generator.DEMO_SOURCES:
        department = services.create_department(
            name=demo.department_name, code=demo.department_code
        )
        source = services.create_data_source(
            department=department,
            slug=demo.slug,
            name=demo.name,
            kind=demo.kind,
            fachverfahren=demo.fachverfahren,
            description=demo.description,
            legal_basis=demo.legal_basis,
            update_cycle=demo.update_cycle,
            stage=DEMO_STAGES.get(demo.slug, DataSource.Stage.VERIFIED),
            reference_date_field="Stichtag" if "Stichtag" in demo.columns else "",
        )
        services.set_schema(source, demo.table_schema, user=None)
        sources.append(source)
    DataSource.objects.filter(kind=DataSource.Kind.AGGREGATE).update(
        origin_protection="Statistik der Bundesagentur für Arbeit: Werte unter 3 sind "
        "anonymisiert (*), Differenzen können durch Rundung entstehen."
    )
    kita = DataSource.objects.filter(slug="kita").first()
    einwohner = DataSource.objects.filter(slug="einwohner").first()
    if kita and einwohner:
        CrossSourceRule.objects.get_or_create(
            source=kita,
            reference_source=einwohner,
            defaults={
                "group_field": "Wohnort Stadtteil",
                "reference_group_field": "Stadtteil",
                "reference_birthdate_field": "Geburtsdatum",
                "max_age_years": 7,
                "label": "Kinder in Kindertagesbetreuung",
                "reference_label": "Einwohner im Alter von 0 bis 6 Jahren",
            },
        )
    return sources


@transaction.atomic
def create_users():
    User = get_user_model()
    created = []
    for username, full_name, role, department_code in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, _ = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role == roles.ADMINISTRATION
        user.save()
        user.groups.add(Group.objects.get(name=role))
        if role == roles.STATISTICIAN:
            user.groups.add(Group.objects.get(name=roles.STAFF))
        if department_code:
            services.add_member(
                user=user,
                department=Department.objects.get(code=department_code),
                analyst=role == roles.ANALYST,
                head=username in DEMO_DEPARTMENT_HEADS,
            )
        created.append((username, role))
    return created


# Demo grants: (user, source slugs, permissions). Requested by admin, approved by admin2.
DEMO_GRANTS = [
    (
        "statistik",
        ["einwohner", "kita", "sgb2", "sgb2_ba", "bauantraege"],
        ["view_microdata", "define_tables", "publish_tables"],
    ),
    ("statistik", ["einwohner"], ["export_microdata"]),
    ("statistik2", ["einwohner", "kita", "sgb2_ba"], ["view_microdata"]),
    ("statistik2", ["einwohner", "kita", "sgb2", "sgb2_ba", "bauantraege"], ["publish_tables"]),
]

# Labels come from the area level and the classification named, as in any city's tables.
STADTTEIL = {"field": "Stadtteil", "kind": "code", "level": "stadtteil"}
# The demo's published tables: (slug, title, source, dimensions, filters, time series?).
DEMO_TABLES = [
    (
        "einwohner-stadtteil-alter",
        "Einwohner nach Stadtteil und Altersgruppe",
        "einwohner",
        [STADTTEIL, {"field": "Geburtsdatum", "kind": "age_band", "bands": "planning"}],
        [],
        False,
    ),
    (
        "einwohner-stadtteil-geschlecht",
        "Einwohner nach Stadtteil und Geschlecht",
        "einwohner",
        [STADTTEIL, {"field": "Geschlecht", "kind": "code", "codelist": "geschlecht"}],
        [],
        False,
    ),
    ("einwohner-zeitreihe", "Einwohner nach Stadtteil", "einwohner", [STADTTEIL], [], True),
    (
        # The denominators of indicators: residents of working age and from 65 (issue 19).
        "einwohner-stadtteil-erwerbsalter",
        "Einwohner nach Stadtteil und Altersgruppe (unter 15, 15 bis 64, ab 65)",
        "einwohner",
        [
            STADTTEIL,
            {"field": "Geburtsdatum", "kind": "age_band", "bands": [[0, 14], [15, 64], [65, None]]},
        ],
        [],
        False,
    ),
    (
        "einwohner-stadtbezirk",
        "Einwohner nach statistischem Bezirk",
        "einwohner",
        [{"field": "Statistischer Bezirk", "kind": "code", "level": "stadtbezirk"}],
        [],
        False,
    ),
    (
        "kinder-stadtteil",
        "Kinder unter 6 Jahren nach Stadtteil (31.12.2025)",
        "einwohner",
        [STADTTEIL],
        [{"field": "Geburtsdatum", "op": "gt", "value": "2019-12-31"}],
        False,
    ),
    (
        "kita-stadtteil",
        "Betreuungsverträge nach Wohnort-Stadtteil",
        "kita",
        [
            {
                "field": "Wohnort Stadtteil",
                "kind": "code",
                "label": "Stadtteil",
                "level": "stadtteil",
            }
        ],
        [],
        False,
    ),
    (
        "kita-zeitreihe",
        "Betreuungsverträge nach Wohnort-Stadtteil (Zeitreihe)",
        "kita",
        [
            {
                "field": "Wohnort Stadtteil",
                "kind": "code",
                "label": "Stadtteil",
                "level": "stadtteil",
            }
        ],
        [],
        True,
    ),
    ("sgb2-stadtteil", "Leistungsfälle nach Stadtteil", "sgb2", [STADTTEIL], [], False),
    ("bauantraege-stadtteil", "Bauanträge nach Stadtteil", "bauantraege", [STADTTEIL], [], False),
]


def create_demo_tables():
    """Defined and computed by one statistician, reviewed and published by another."""
    from statistics_office.microdata.models import MicrodataVersion
    from statistics_office.tables import services as tables
    from statistics_office.tables.models import TableComputation

    User = get_user_model()
    author, reviewer = (
        User.objects.get(username="statistik"),
        User.objects.get(username="statistik2"),
    )
    published = []
    for slug, title, source_slug, dimensions, filters, series in DEMO_TABLES:
        source = DataSource.objects.get(slug=source_slug)
        runs = (
            list(
                MicrodataVersion.objects.filter(source_id=source.pk)
                .order_by("reference_date")
                .values_list("import_run_id", flat=True)
            )
            if series
            else []
        )
        definition = tables.save_definition(
            user=author,
            sources=[source],
            title=title,
            slug=slug,
            dimensions=dimensions,
            filters=filters,
            measure="count",
            method="suppression",
            reference_runs=runs,
        )
        computation = tables.request_computation(definition, author)
        computation = TableComputation.objects.get(pk=computation.pk)
        if computation.status != TableComputation.Status.COMPUTED:
            logger.warning("demo table %s: %s", slug, computation.status)
            continue
        tables.review(computation, reviewer, approve=True, comment="Demo: geprüft.")
        computation.refresh_from_db()
        published.append(tables.publish(computation, reviewer))
    return published


def create_demo_indicators():
    """The demo city's indicator catalogue, loaded from its data file as any city's."""
    from indicators.services import load_catalogue_file

    folder = Path(generator.__file__).resolve().parent / "data"
    author = get_user_model().objects.get(username="statistik")
    return load_catalogue_file(folder / "indikatoren.json", user=author)


def create_grants():
    """Pledges, trainings and grants for the demo statisticians, with the four-eyes rule."""
    import datetime

    from django.utils import timezone

    from statistics_office import grants

    User = get_user_model()
    admin, admin2 = User.objects.get(username="admin"), User.objects.get(username="admin2")
    today = timezone.localdate()
    for username in {name for name, _slugs, _perms in DEMO_GRANTS}:
        grants.record_pledge(
            User.objects.get(username=username),
            pledge_date=today - datetime.timedelta(days=400),
            training_date=today - datetime.timedelta(days=60),
            training_valid_until=today + datetime.timedelta(days=305),
            by=admin,
            pledge_reference="Niederschrift Verpflichtung Statistikgeheimnis",
        )
    for username, slugs, permissions in DEMO_GRANTS:
        user = User.objects.get(username=username)
        for source in DataSource.objects.filter(slug__in=slugs):
            for permission in permissions:
                grant = grants.request_grant(
                    user=user,
                    source=source,
                    permission=permission,
                    purpose="Kleinräumige Sozialberichterstattung und Kita-Bedarfsplanung",
                    legal_basis="Statistiksatzung der Stadt Flensburg, § 3",
                    valid_from=today - datetime.timedelta(days=30),
                    valid_until=today + datetime.timedelta(days=335),
                    granted_by=admin,
                )
                if grant.approved_at is None and permission.endswith("microdata"):
                    grants.approve_grant(grant, approver=admin2)


def write_files(directory, *, residents, years):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return generator.write_demo_city(directory, residents=residents, years=years)


def load_areas_and_classifications():
    """The demo city's Gebietsstand and code lists, loaded as any city loads its own."""
    from bif.geography import classifications, services

    folder = Path(generator.__file__).resolve().parent / "data"
    services.load_areas(services.read_folder(folder / "areas"))
    classifications.load((folder / "klassifikationen.csv").read_bytes())


def seed(*, residents=98_800, years=(2021, 2022, 2023, 2024, 2025), load=True, stdout=None):
    load_areas_and_classifications()
    create_catalog()
    users = create_users()
    create_grants()
    files = write_files(settings.VAR_DIR / "demo", residents=residents, years=years)
    if load:
        import_demo_files(files, stdout=stdout)
        create_demo_tables()
        create_demo_indicators()
        _create_demo_dashboards()
    from rollout.demo import seed_rollout

    seed_rollout()
    return users, files


def import_demo_files(files, *, stdout=None):
    """Load the demo city's files through the pipeline, oldest year first, as an upload."""
    from django.utils import timezone

    from departments.models import ImportRun
    from departments.uploads import submit_path
    from statistics_office.intake import versions

    for slug, year, path in sorted(files, key=lambda item: (item[1], item[0])):
        source = DataSource.objects.get(slug=slug)
        run = submit_path(source=source, path=path)
        run.refresh_from_db()
        if run.status == ImportRun.Status.AWAITING_REVIEW:
            # The demo city's history was reviewed at the time; record it as such.
            ImportRun.objects.filter(pk=run.pk).update(
                review_comment="Demo: Entwicklung geprüft und bestätigt.",
                reviewed_at=timezone.now(),
            )
            versions.activate(run.pk)
            run.refresh_from_db()
        if stdout:
            stdout.write(
                f"  {slug:<18} {year}  {run.row_count or 0:>8} Zeilen  {run.get_status_display()}"
            )


def _create_demo_dashboards():
    try:
        from dashboards.demo import create_demo_dashboards
    except ImportError:  # dashboards arrive with their own issue
        return
    create_demo_dashboards(get_user_model().objects.get(username="statistik"))
