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

from bif import audit, roles
from bif.geography import selectors as area_selectors

from . import services
from .importing import describe as describing
from .importing import schema as table_schema
from .importing.findings import ReadError
from .importing.messages import describe as finding_sentence
from .models import DataSource

logger = logging.getLogger(__name__)
# Addresses next to a source's own (/api/v1/sources/<slug>/, /katalog/<slug>/).
RESERVED_SLUGS = {"describe", "aufnehmen", "neu", "hochladen", "importe"}


class SchemaRejected(Exception):
    """The schema or the source cannot be saved; ``problems`` says why, in German."""

    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = [str(p) for p in problems]


def can_onboard(user):
    """The statistics office and the administration bring new sources in."""
    return roles.has_role(user, roles.STATISTICIAN) or roles.has_role(user, roles.ADMINISTRATION)


def known_code_lists():
    """Code lists the city already has: the names of its areas per level, as it writes them."""
    return area_selectors.names_by_level()


def describe_file(path, *, filename=None, sheet=None, user=None, request=None):
    """The detected layout and the proposed schema of a sample file, as a JSON-ready dict.

    Looking into a sample is looking at data: the audit log says who described which file
    (name and size) when, and what came of it (counts only, never a value of the file)."""
    name = Path(filename or path).name[:255]
    size = Path(path).stat().st_size
    details = {"file_name": name, "size_bytes": size}
    if sheet:
        details["sheet"] = str(sheet)[:100]
    try:
        description = _describe(path, filename=filename, sheet=sheet)
    except SchemaRejected:
        audit.record(
            action=audit.Action.SAMPLE_DESCRIBED,
            outcome=audit.Outcome.FAILED,
            user=user,
            request=request,
            details=details,
        )
        raise
    audit.record(
        action=audit.Action.SAMPLE_DESCRIBED,
        user=user,
        request=request,
        details={
            **details,
            "rows": description["row_count"],
            "fields": len(description["schema"]["fields"]),
        },
    )
    return description


def _describe(path, *, filename, sheet):
    try:
        description = describing.describe(
            path, filename=filename, sheet=sheet or None, code_lists=known_code_lists()
        )
    except ReadError as error:
        raise SchemaRejected([finding_sentence(error.finding)]) from error
    except Exception as error:  # noqa: BLE001 - a sample of any shape must get an answer
        # The exception text may quote the file; its type is enough to start looking.
        logger.warning("describing a sample failed: %s", type(error).__name__)
        raise SchemaRejected(
            [
                _(
                    "Der Aufbau der Datei „%(file)s“ wurde nicht erkannt. Bitte prüfen Sie, ob "
                    "es eine CSV-, XLSX- oder GENESIS-Datei ist."
                )
                % {"file": Path(filename or path).name}
            ]
        ) from error
    return description.as_dict()


def describe_upload(uploaded, *, sheet=None, request=None):
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
        return describe_file(
            handle.name, filename=Path(uploaded.name).name, sheet=sheet, request=request
        )


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
    if slug in RESERVED_SLUGS or DataSource.objects.filter(slug=slug).exists():
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


NUMBER_KEYS = ("decimalChar", "groupChar", "bareNumber", "statusSigns", "qualityField")


def apply_corrections(schema, corrections):
    """The schema with the office's corrections from the form, one dict per field in order:
    name, title, description, type, unit, required, role, enum (list), minimum, maximum,
    personal_decision. A renamed field keeps finding its column (the old name becomes an
    alias); keys that only fit numbers go when the type is no number any more."""
    corrected = {**schema, "fields": []}
    renamed = {}
    for descriptor, change in zip(table_schema.fields(schema), corrections, strict=True):
        field = dict(descriptor)
        name = change.get("name") or field["name"]
        if name != field["name"]:
            renamed[field["name"]] = name
            aliases = list(field.get("aliases") or [])
            column = aliases[0] if aliases else field["name"]
            field["aliases"] = [column, *[a for a in aliases if a != column]]
            field["name"] = name
        for key in ("title", "description", "unit"):
            if change.get(key):
                field[key] = change[key]
            else:
                field.pop(key, None)
        field["type"] = change.get("type") or field.get("type", "string")
        if field["type"] not in ("integer", "number"):
            for key in NUMBER_KEYS:
                field.pop(key, None)
        field["role"] = change.get("role") or field.get("role", "dimension")
        constraints = dict(field.get("constraints") or {})
        _set(constraints, "required", True if change.get("required") else None)
        _set(constraints, "enum", change.get("enum") or None)
        for bound in ("minimum", "maximum"):
            _set(constraints, bound, _bound(field["type"], change.get(bound)))
        if constraints:
            field["constraints"] = constraints
        else:
            field.pop("constraints", None)
        if field.get("personal"):
            _set(field, "personalDecision", change.get("personal_decision") or None)
        corrected["fields"].append(field)
    if renamed:
        key = table_schema.primary_key(schema)
        if key:
            corrected["primaryKey"] = [renamed.get(k, k) for k in key]
        for field in corrected["fields"]:
            if field.get("qualityField") in renamed:
                field["qualityField"] = renamed[field["qualityField"]]
    return corrected


def _set(mapping, key, value):
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _bound(kind, text):
    """A minimum/maximum typed into the form, as the schema writes it for the field's type."""
    if text in (None, ""):
        return None
    text = str(text).strip()
    if kind in ("integer", "number"):
        number = text.replace(".", "").replace(",", ".") if "," in text else text
        try:
            value = float(number)
        except ValueError:
            return text  # validate_schema_descriptor names the problem
        return int(value) if kind == "integer" and value.is_integer() else value
    return text
