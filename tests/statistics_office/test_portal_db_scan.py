"""Nothing derived from single records reaches the portal database (issue 14).

Sources go the whole way: imports (accepted, reviewed, failed), plausibility against the
previous import, a table computed, reviewed and published. Then, for every column of every
sealed microdata table, its minimum, its maximum and every category held by fewer records
than the minimum frequency, and every value a sealed finding quotes, are searched in a dump
of every row of every table of the portal database: 0 hits.

Not searched, because they are public by definition: codes the schema itself lists (enum
constraints) and the source's reference date (the Stichtag every run and table shows).
"""

import datetime as dt
import json
import re

import pytest
from django.db import connections

from departments import services, uploads
from departments.models import ImportRun
from statistics_office import access
from statistics_office.microdata import store
from statistics_office.microdata.models import MicrodataVersion, RunReport
from statistics_office.tables import services as tables
from tests import factories

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

MIN_FREQUENCY = 3
STICHTAG = "31.12.2025"
SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Geburtsdatum", "type": "date", "constraints": {"required": True}},
        {"name": "Geschlecht", "type": "string", "constraints": {"enum": ["m", "w"]}},
        {"name": "Stadtteil", "type": "string", "constraints": {"enum": ["01", "02", "03", "04"]}},
        {"name": "Staatsangehoerigkeit", "type": "string"},
        {"name": "Miete", "type": "number", "constraints": {"minimum": 0}},
        {"name": "Stichtag", "type": "date"},
    ],
    "primaryKey": ["Personen-ID"],
}
HEADER = "Personen-ID;Geburtsdatum;Geschlecht;Stadtteil;Staatsangehoerigkeit;Miete;Stichtag"


def residents(n, *, rare, first_id=40001):
    """n residents; the oldest, the youngest, the cheapest and the dearest rent are single
    records, and so are the `rare` nationalities (name: count)."""
    nationalities = [name for name, count in rare.items() for _ in range(count)]
    nationalities += ["deutsch", "polnisch"] * n
    rows = []
    for i in range(n):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=97 * i)
        rent = 400 + 7.25 * i
        rows.append(
            [
                f"EW-{first_id + i}",
                born.strftime("%d.%m.%Y"),
                "mw"[i % 2],
                ["01", "02", "03"][i % 3] if i > 1 else "04",
                nationalities[i],
                f"{rent:.2f}".replace(".", ","),
                STICHTAG,
            ]
        )
    rows[1][1] = "17.02.1903"  # the oldest resident
    rows[2][1] = "29.11.2024"  # the youngest
    rows[3][5] = "123,47"  # the lowest rent
    rows[4][5] = "98765,43"  # the highest
    return ("\n".join([HEADER, *(";".join(r) for r in rows)]) + "\n").encode()


@pytest.fixture
def office(source):
    services.set_schema(source, SCHEMA)
    source.reference_date_field = "Stichtag"
    source.save(update_fields=["reference_date_field"])
    first = factories.statistician(username="statistik-eins")
    second = factories.statistician(username="statistik-zwei")
    for user in (first, second):
        factories.grant(
            user, source, access.VIEW_MICRODATA, access.DEFINE_TABLES, access.PUBLISH_TABLES
        )
    return first, second


def upload(source, data, name, user=None):
    run = uploads.submit_upload(source=source, uploaded_by=user, file_name=name, chunks=[data])
    run.refresh_from_db()
    return run


def run_everything(source, office, capture):
    first, second = office
    accepted = upload(source, residents(60, rare={"tuvaluisch": 1, "nauruisch": 2}), "a.csv")
    assert accepted.status == ImportRun.Status.ACCEPTED, accepted.message
    # The next delivery: a new rare category and more rows, warnings to review.
    newer = upload(source, residents(75, rare={"palauisch": 1, "tuvaluisch": 1}), "b.csv")
    assert newer.status == ImportRun.Status.AWAITING_REVIEW
    uploads.review(newer, user=first, accept=True, comment="Zuzug aus Palau geprüft")
    failed = upload(source, residents(8, rare={}).replace(b"400,00", b"-77777,77"), "c.csv")
    assert failed.status == ImportRun.Status.FAILED
    definition = tables.save_definition(
        user=first,
        sources=[source],
        title="Einwohner nach Stadtteil und Geschlecht",
        dimensions=[
            {"field": "Stadtteil", "kind": "code"},
            {"field": "Geschlecht", "kind": "code"},
        ],
    )
    with capture(execute=True):
        computation = tables.request_computation(definition, first)
    computation.refresh_from_db()
    tables.review(computation, second, approve=True)
    tables.publish(computation, first)


def _texts(value):
    """The ways a value can be written down in a dump or a page."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return {value.isoformat(), value.strftime("%d.%m.%Y")}
    if isinstance(value, float):
        texts = {repr(value), f"{value:.2f}", f"{value:.2f}".replace(".", ",")}
        if value.is_integer():
            texts.add(str(int(value)))
        return texts
    return {str(value)}


def sealed_values():
    """(table, column, value) to look for: min, max and rare categories of every column of
    every microdata table, and every value quoted by a sealed finding."""
    sealed = connections["sealed"]
    q = sealed.ops.quote_name
    found = []
    for version in MicrodataVersion.objects.using("sealed").all():
        public = _public_values(version)
        for field, column in version.columns.items():
            table = q(version.table_name)
            with sealed.cursor() as cursor:
                cursor.execute(f"SELECT MIN({q(column)}), MAX({q(column)}) FROM {table}")
                extremes = [v for v in cursor.fetchone() if v is not None]
                rare = []
                if version.field_types[field] == "string":  # categories are texts
                    cursor.execute(
                        f"SELECT {q(column)} FROM {table} WHERE {q(column)} IS NOT NULL "
                        f"GROUP BY {q(column)} HAVING COUNT(*) < %s",
                        [MIN_FREQUENCY],
                    )
                    rare = [row[0] for row in cursor.fetchall()]
            for value in {_typed(v, version.field_types[field]) for v in [*extremes, *rare]}:
                if value not in public.get(field, set()):
                    found.append((version.table_name, field, value))
    for report in RunReport.objects.using("sealed").all():
        for finding in report.findings:
            found += [
                (f"report {report.import_run_id}", finding["rule"], v) for v in finding["values"]
            ]
    return found


def _public_values(version):
    """Enum codes of the schema and the reference date: public, not derived from records."""
    run = ImportRun.objects.select_related("schema_version", "source").get(pk=version.import_run_id)
    public = {
        field["name"]: {str(v) for v in (field.get("constraints") or {}).get("enum", [])}
        for field in run.schema_version.descriptor["fields"]
    }
    if run.source.reference_date_field:
        public.setdefault(run.source.reference_date_field, set()).add(version.reference_date)
    return public


def _typed(value, kind):
    """SQLite hands dates over as text."""
    if kind == "date":
        return dt.date.fromisoformat(str(value)[:10])
    if kind == "number":
        return float(value)
    return value


def portal_dump():
    """Every row of every table of the portal database, as text."""
    connection = connections["default"]
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                lines.append(f"{table}: " + " | ".join(_cell(v) for v in row))
    return "\n".join(lines)


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def hits(dump, value):
    texts = _texts(value)
    assert all(len(t) >= 4 for t in texts), f"{value!r} is too short to be searched for"
    return [t for t in texts if re.search(rf"(?<![\w.,-]){re.escape(t)}(?![\w])", dump)]


def test_no_minimum_maximum_or_rare_category_of_the_microdata_is_in_the_portal_database(
    office, source, request, django_capture_on_commit_callbacks
):
    run_everything(source, office, django_capture_on_commit_callbacks)
    values = sealed_values()
    dump = portal_dump()
    # The scan can see: the dump is complete and the values are what the files held.
    assert "Einwohner nach Stadtteil und Geschlecht" in dump
    assert {"tuvaluisch", "nauruisch", "palauisch", "-77777,77"} <= {str(v) for *_, v in values}
    assert {dt.date(1903, 2, 17), 98765.43, 123.47} <= {v for *_, v in values}

    found = [(table, field, value) for table, field, value in values if hits(dump, value)]

    tally = request.config.__dict__.setdefault("bif_portal_scan", {"values": 0, "found": 0})
    tally["values"] += len(values)
    tally["found"] += len(found)
    assert found == []


def test_the_scan_finds_a_value_that_is_in_the_portal_database(office, source):
    """The scan is not blind: a value copied into a portal row is found."""
    run = upload(source, residents(60, rare={"tuvaluisch": 1, "nauruisch": 2}), "a.csv")
    ImportRun.objects.filter(pk=run.pk).update(message="Höchste Miete 98765,43, tuvaluisch")
    dump = portal_dump()
    leaked = {value for *_, value in sealed_values() if hits(dump, value)}
    assert leaked == {98765.43, "tuvaluisch"}
    assert store.current_version(source.pk).row_count == 60
