"""factory_boy factories and builders, one place for all tests: users with roles, the
catalog, grants, import runs, table definitions and computations, published tables."""

import datetime as dt
from pathlib import Path

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bif import roles
from departments import services
from departments.models import DataSource, Department, ImportRun
from statistics_office.tables.models import PublishedTable, TableComputation, TableDefinition


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    password = factory.django.Password("geheim-und-lang-2026")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Fachbereich {n}")
    code = factory.Sequence(lambda n: f"fb{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_department(**kwargs)


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSource

    name = factory.Sequence(lambda n: f"Datenquelle {n}")
    slug = factory.Sequence(lambda n: f"quelle-{n}")
    department = factory.SubFactory(DepartmentFactory)
    fachverfahren = "Fachverfahren X"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_data_source(**kwargs)


def staff_user(**kwargs):
    return UserFactory(role=roles.STAFF, **kwargs)


def analyst_of(department, **kwargs):
    user = UserFactory(**kwargs)
    services.add_member(user=user, department=department, analyst=True)
    return user


def statistician(**kwargs):
    return UserFactory(role=roles.STATISTICIAN, **kwargs)


def administrator(**kwargs):
    user = UserFactory(role=roles.ADMINISTRATION, **kwargs)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def qualify(user, *, by=None, valid_until=None):
    """Record a current pledge to statistical secrecy and a current training for `user`."""
    import datetime

    from django.utils import timezone

    from statistics_office import grants

    today = timezone.localdate()
    by = by or administrator(username="admin-pledges")
    return grants.record_pledge(
        user,
        pledge_date=today - datetime.timedelta(days=30),
        training_date=today - datetime.timedelta(days=30),
        training_valid_until=valid_until or today + datetime.timedelta(days=365),
        by=by,
    )


def grant(user, source, *permissions, valid_until=None, qualified=True):
    """Effective grants for `user` on `source` (requested by one administrator, approved by a
    second one where the four-eyes rule asks for it)."""
    import datetime

    from django.utils import timezone

    from statistics_office import grants

    first = administrator(username="admin-grants")
    second = administrator(username="admin-approves")
    if qualified:
        qualify(user, by=first)
    today = timezone.localdate()
    created = []
    for permission in permissions:
        item = grants.request_grant(
            user=user,
            source=source,
            permission=permission,
            purpose="Auswertung für den Sozialbericht",
            legal_basis="§ 5 Statistiksatzung",
            valid_from=today - datetime.timedelta(days=1),
            valid_until=valid_until or today + datetime.timedelta(days=90),
            granted_by=first,
        )
        if item.approved_at is None and permission in ("view_microdata", "export_microdata"):
            grants.approve_grant(item, approver=second)
        created.append(item)
    return created


# --- Import runs -----------------------------------------------------------------------------
# A residents' export as a department sends it: the schema, good rows, and many rows for
# files read in chunks.

RESIDENT_SCHEMA = {
    "fields": [
        {
            "name": "Personen-ID",
            "type": "string",
            "constraints": {"required": True, "unique": True},
        },
        {"name": "Geburtsdatum", "type": "date", "constraints": {"required": True}},
        {"name": "Geschlecht", "type": "string", "constraints": {"enum": ["m", "w", "d"]}},
        {
            "name": "Stadtteil",
            "type": "string",
            "constraints": {"required": True, "enum": [f"{i:02d}" for i in range(1, 14)]},
        },
        {"name": "Miete", "type": "number", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["Personen-ID"],
}


# The hand-written files of tests/departments/importing/files and the resident register
# schema they follow (the import core's own tests and the pipeline tests use both).
FILES = Path(__file__).parent / "departments" / "importing" / "files"

STADTTEILE = [f"{n:02d}" for n in range(1, 14)]

RESIDENT_FILES_SCHEMA = {
    "fields": [
        {
            "name": "person_id",
            "type": "string",
            "title": "Personen-ID",
            "aliases": ["PersNr"],
            "constraints": {"required": True, "unique": True, "pattern": r"\d{6}"},
        },
        {
            "name": "geburtsdatum",
            "type": "date",
            "constraints": {"required": True, "minimum": "1890-01-01"},
        },
        {
            "name": "geschlecht",
            "type": "string",
            "constraints": {"required": True, "enum": ["m", "w", "d"]},
        },
        {
            "name": "stadtteil",
            "type": "string",
            "constraints": {"required": True, "enum": STADTTEILE},
        },
        {"name": "staatsangehoerigkeit", "type": "string", "title": "Staatsangehörigkeit"},
        {
            "name": "haushalt_personen",
            "type": "integer",
            "title": "Personen im Haushalt",
            "constraints": {"minimum": 1, "maximum": 99},
        },
        {"name": "miete", "type": "number", "constraints": {"minimum": 0}},
        {"name": "deutsch", "type": "boolean"},
    ],
    "primaryKey": ["person_id"],
    "missingValues": [""],
}


def csv_file(rows, header="Personen-ID;Geburtsdatum;Geschlecht;Stadtteil;Miete"):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


GOOD = [
    "000001;01.02.1980;w;01;512,50",
    "000002;15.07.1975;m;03;480,00",
    "000003;31.12.2001;d;13;",
    "000004;29.02.2000;w;08;1.234,50",
]


MANY = [
    f"{i:06d};{i % 28 + 1:02d}.03.19{40 + i};{'mw'[i % 2]};{i % 13 + 1:02d};{i}"
    for i in range(1, 41)
]


def upload(source, data, *, name="export.csv", user=None):
    """Upload `data` (bytes) for `source` through the pipeline, as the upload page does."""
    from departments import uploads

    return uploads.submit_upload(source=source, uploaded_by=user, file_name=name, chunks=[data])


class ImportRunFactory(factory.django.DjangoModelFactory):
    """An import run row as the pipeline leaves it (no file is read: the path is made up)."""

    class Meta:
        model = ImportRun

    source = factory.SubFactory(DataSourceFactory)
    file_name = factory.Sequence(lambda n: f"export-{n}.csv")
    stored_path = factory.LazyAttribute(lambda run: f"/nonexistent/{run.file_name}")
    checksum = factory.Sequence(lambda n: f"{n:064d}")
    status = ImportRun.Status.FAILED


# --- Tables ----------------------------------------------------------------------------------


class TableDefinitionFactory(factory.django.DjangoModelFactory):
    """A table definition; ``sources=[…]`` sets its data sources."""

    class Meta:
        model = TableDefinition
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Tabelle {n}")
    slug = factory.Sequence(lambda n: f"tabelle-{n}")
    dimensions = factory.LazyFunction(lambda: [{"field": "Stadtteil"}])
    created_by = factory.SubFactory(UserFactory, role=roles.STATISTICIAN)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create and extracted:
            self.sources.set(extracted)


class TableComputationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TableComputation

    definition = factory.SubFactory(TableDefinitionFactory)
    computed_by = factory.LazyAttribute(lambda computation: computation.definition.created_by)


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
    """Protected cells of residents by Stadtteil and Geschlecht, with all margins."""
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
    """Protected cells by Stadtteil ({code: value or None for secret}) and their total."""
    cells = [
        {"Stadtteil": code, "value": value, "flag": "secret" if value is None else ""}
        for code, value in values.items()
    ]
    cells.append({"Stadtteil": "_T", "value": sum(v or 0 for v in values.values()), "flag": ""})
    return cells


def published_table(
    slug,
    cells,
    dimensions,
    *,
    by,
    reference_date=dt.date(2025, 12, 31),
    title=None,
    sources=(),
    **fields,
):
    """A new PublishedTable version of the definition ``slug`` (made if missing), built
    directly from protected cells (no sealed database), with the computation behind it."""
    definition, _created = TableDefinition.objects.get_or_create(
        slug=slug, defaults={"title": title or slug, "created_by": by, "dimensions": []}
    )
    if sources:
        definition.sources.set(sources)
    computation = TableComputation.objects.create(
        definition=definition,
        computed_by=by,
        status=TableComputation.Status.PUBLISHED,
        cells=cells,
        dimensions=dimensions,
        reference_date=reference_date,
    )
    values = {
        "version": definition.publications.count() + 1,
        "title": title or definition.title,
        "method": "suppression",
        "parameters": {"min_frequency": 3},
        "measure": "count",
        "measure_label": "Einwohner",
        "suppression_count": sum(c["flag"] == "secret" for c in cells),
        "sources_label": "Einwohnermeldewesen",
        **fields,
    }
    return PublishedTable.objects.create(
        definition=definition,
        computation=computation,
        published_by=by,
        reference_date=reference_date,
        dimensions=dimensions,
        cells=cells,
        **values,
    )
