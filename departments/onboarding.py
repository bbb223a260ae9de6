"""Onboarding a source without a developer: describe a sample file, create the source with the
proposed (and corrected) Table Schema, save corrections as new schema versions.

The pages, the API and the commands `describe_file` / `create_source` call these functions.
The sample file is read in the drop location and deleted at once; what is kept is the schema
(names, types, code lists of columns with few values), never a record of the file.
"""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bif import roles

from . import services
from .importing import describe as describing
from .importing import schema as table_schema
from .importing.findings import ReadError
from .importing.messages import describe as finding_sentence
from .models import DataSource

logger = logging.getLogger(__name__)


class SchemaRejected(Exception):
    """The schema or the source cannot be saved; ``problems`` says why, in German."""

    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = [str(p) for p in problems]


def can_onboard(user):
    """The statistics office and the administration bring new sources in."""
    return roles.has_role(user, roles.STATISTICIAN) or roles.has_role(user, roles.ADMINISTRATION)


def known_code_lists():
    """Code lists the city already has: its Stadtteile (names as the city writes them)."""
    from .demo.calibration import STADTTEILE

    return {"stadtteile": [name for _code, name in STADTTEILE]}


def describe_file(path, *, filename=None, sheet=None):
    """The detected layout and the proposed schema of a sample file, as a JSON-ready dict."""
    try:
        description = describing.describe(
            path, filename=filename, sheet=sheet or None, code_lists=known_code_lists()
        )
    except ReadError as error:
        raise SchemaRejected([finding_sentence(error.finding)]) from error
    return description.as_dict()


def describe_upload(uploaded, *, sheet=None):
    """Describe an uploaded sample; the file is gone again when this returns."""
    directory = Path(settings.UPLOAD_ROOT) / "beschreiben"
    directory.mkdir(parents=True, exist_ok=True)
    suffix = Path(uploaded.name).suffix.lower()[:10]
    size = 0
    with tempfile.NamedTemporaryFile(dir=directory, suffix=suffix, delete=True) as handle:
        for chunk in uploaded.chunks():
            size += len(chunk)
            if size > settings.IMPORT_MAX_UPLOAD_BYTES:
                raise SchemaRejected(
                    [
                        _("Die Datei ist größer als die erlaubten %(limit)d MB.")
                        % {"limit": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)}
                    ]
                )
            handle.write(chunk)
        handle.flush()
        return describe_file(handle.name, filename=Path(uploaded.name).name, sheet=sheet)


def schema_problems(schema):
    """What stops a schema from being saved, as sentences for the form."""
    problems = table_schema.validate_schema_descriptor(schema)
    if problems:
        return problems
    undecided = table_schema.personal_undecided(schema)
    if undecided:
        problems.append(
            _(
                "Die Felder %(fields)s sehen nach Namen, Anschriften oder Telefonnummern aus. "
                "Bitte entscheiden Sie je Feld: nur abgeschottet aufbewahren oder beim Einlesen "
                "löschen."
            )
            % {"fields": ", ".join(f"„{name}“" for name in undecided)}
        )
    return problems


def _reference_date_field(schema):
    dropped = table_schema.dropped_at_intake(schema)
    for descriptor in table_schema.fields(schema):
        dated = descriptor.get("role") == "reference_date" and descriptor.get("type") == "date"
        if dated and descriptor["name"] not in dropped:
            return descriptor["name"]
    return ""


@transaction.atomic
def create_source(*, slug, department, kind, schema, name="", user=None, **fields):
    """A new data source with its first schema version."""
    problems = schema_problems(schema)
    if kind not in DataSource.Kind.values:
        problems.append(_("Die Art der Datenquelle ist „aggregate“ oder „microdata“."))
    if DataSource.objects.filter(slug=slug).exists():
        problems.append(_("Die Kennung „%(slug)s“ ist schon vergeben.") % {"slug": slug})
    if problems:
        raise SchemaRejected(problems)
    source = services.create_data_source(
        department=department,
        slug=slug,
        name=name or slug,
        kind=kind,
        reference_date_field=_reference_date_field(schema),
        **fields,
    )
    services.set_schema(source, schema, user=user)
    logger.info("source %s created with a schema of %d fields", slug, len(schema["fields"]))
    return source


@transaction.atomic
def save_schema(source, schema, *, user=None):
    """A corrected schema becomes the source's next version (old versions stay as they were)."""
    problems = schema_problems(schema)
    if problems:
        raise SchemaRejected(problems)
    version = services.set_schema(source, schema, user=user)
    reference = _reference_date_field(schema)
    if reference != source.reference_date_field:
        DataSource.objects.filter(pk=source.pk).update(reference_date_field=reference)
    return version
