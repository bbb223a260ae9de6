"""Writes: the office's metadata of a version, its embargo, and releasing what is due."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from statistics_office.tables import selectors as table_selectors
from statistics_office.tables.models import TableComputation

from .models import TableMetadata

Status = TableComputation.Status
LEVELS = ("table", "dimension", "value", "cell")
FIELDS = (
    "description",
    "unit",
    "reference_period",
    "source_note",
    "contact_name",
    "contact_email",
    "legal_basis",
    "official_statistics",
    "licence",
    "time_dimension",
    "geo_dimension",
    "footnotes",
    "revision_note",
    "accrual_periodicity",
    "is_open",
)


def _editable(user, computation):
    if computation not in table_selectors.computations_for(user):
        raise PermissionDenied(_("Metadaten pflegt nur die Statistikstelle."))
    if computation.status not in (Status.COMPUTED, Status.REVIEWED):
        raise ValidationError(
            _(
                "Metadaten einer veröffentlichten Version werden nicht geändert; eine "
                "Korrektur ist eine neue Version."
            )
        )


def metadata_for_editing(user, computation):
    """The computation's metadata; a new one starts from the last published version's."""
    _editable(user, computation)
    existing = TableMetadata.objects.filter(computation=computation).first()
    if existing:
        return existing
    previous = (
        TableMetadata.objects.filter(
            computation__definition=computation.definition,
            computation__status=Status.PUBLISHED,
        )
        .order_by("-computation__created_at")
        .first()
    )
    metadata = TableMetadata(computation=computation)
    if previous:
        for name in FIELDS:
            setattr(metadata, name, getattr(previous, name))
        metadata.revision_note = ""
    return metadata


def check_footnotes(footnotes, dimensions):
    """Each footnote names its level and what it is attached to; errors say which one."""
    names = {d["name"]: set(d.get("order") or d.get("labels", {})) for d in dimensions}
    for number, note in enumerate(footnotes or [], start=1):
        level = note.get("level")
        where = _("Fußnote %(n)s") % {"n": number}
        if level not in LEVELS or not str(note.get("text") or "").strip():
            raise ValidationError(
                _("%(where)s: Ebene (table, dimension, value, cell) und Text angeben.")
                % {"where": where}
            )
        if level in ("dimension", "value") and note.get("dimension") not in names:
            raise ValidationError(
                _("%(where)s: unbekanntes Merkmal „%(dim)s“.")
                % {"where": where, "dim": note.get("dimension")}
            )
        if level == "value" and str(note.get("code")) not in names[note["dimension"]]:
            raise ValidationError(
                _("%(where)s: Ausprägung „%(code)s“ gibt es in „%(dim)s“ nicht.")
                % {"where": where, "code": note.get("code"), "dim": note["dimension"]}
            )
        if level == "cell":
            cell = note.get("cell") or {}
            if not cell or any(k not in names for k in cell):
                raise ValidationError(
                    _("%(where)s: Tabellenfeld als Merkmal → Ausprägung angeben.")
                    % {"where": where}
                )


def save_metadata(user, computation, **fields):
    metadata = metadata_for_editing(user, computation)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown metadata fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(metadata, name, value)
    check_footnotes(metadata.footnotes, computation.dimensions)
    dims = {d["name"] for d in computation.dimensions}
    for name in ("time_dimension", "geo_dimension"):
        value = getattr(metadata, name)
        if value and value not in dims:
            raise ValidationError(_("Unbekanntes Merkmal „%(dim)s“.") % {"dim": value})
    metadata.full_clean(exclude=["computation", "release_by"])
    metadata.save()
    return metadata


def schedule_release(user, computation, release_at):
    """Embargo: a reviewed table is published at `release_at` (release_due), not before."""
    if computation.status != Status.REVIEWED:
        raise ValidationError(_("Terminiert wird nur eine geprüfte und freigegebene Tabelle."))
    if release_at <= timezone.now():
        raise ValidationError(_("Der Veröffentlichungstermin muss in der Zukunft liegen."))
    metadata = metadata_for_editing(user, computation)
    metadata.release_at = release_at
    metadata.release_by = user
    metadata.save()
    return metadata


def refuse_before_release(computation):
    """Publication guard: a table with a release time is not published before it."""
    from statistics_office.tables.checks import TableError

    release_at = (
        TableMetadata.objects.filter(computation=computation)
        .values_list("release_at", flat=True)
        .first()
    )
    if release_at and release_at > timezone.now():
        local = timezone.localtime(release_at)
        raise TableError(
            _("Sperrfrist: Die Tabelle erscheint erst am %(date)s um %(time)s Uhr.")
            % {"date": local.strftime("%d.%m.%Y"), "time": local.strftime("%H:%M")}
        )


def embargoed(computation, now=None):
    """True while the computation's release time lies ahead."""
    release_at = (
        TableMetadata.objects.filter(computation=computation)
        .values_list("release_at", flat=True)
        .first()
    )
    return bool(release_at and release_at > (now or timezone.now()))


def set_city(*, name, municipality_key):
    """The publishing city as data (one row, replaced): the demo seed or the administration."""
    from .models import CityProfile

    profile = CityProfile.objects.order_by("pk").first() or CityProfile()
    profile.name, profile.municipality_key = name, municipality_key
    profile.full_clean()
    profile.save()
    CityProfile.objects.exclude(pk=profile.pk).delete()
    return profile
