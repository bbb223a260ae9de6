"""The audit log: the one way to write it, the check that it is intact. A base service: every
layer records what people did with it (the tables, AuditEntry and AuditHead, stay in the
statistics_office app, whose migrations made them append-only; they are looked up here by
name, so this module imports no app above it).

Every entry carries the SHA-256 of the previous one, so altering or removing an entry breaks
the chain; AuditHead remembers the newest entry, so removing the last entries shows too. The
database refuses UPDATE and DELETE on the table (migration 0002).
"""

import hashlib
import json
import logging
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bif import roles

logger = logging.getLogger(__name__)
# A busy database (SQLite with several writers) gets a few more tries before an entry fails.
WRITE_ATTEMPTS = 4


class Action(models.TextChoices):
    MICRODATA_VIEW = "microdata_view", gettext_lazy("Einzeldaten angesehen")
    MICRODATA_FILTER = "microdata_filter", gettext_lazy("Einzeldaten gefiltert")
    MICRODATA_EXPORT = "microdata_export", gettext_lazy("Einzeldaten exportiert")
    AGGREGATION_RUN = "aggregation_run", gettext_lazy("Auswertung berechnet")
    GRANT_CREATED = "grant_created", gettext_lazy("Freigabe beantragt")
    GRANT_APPROVED = "grant_approved", gettext_lazy("Freigabe bestätigt")
    GRANT_REVOKED = "grant_revoked", gettext_lazy("Freigabe widerrufen")
    GRANT_EXPIRED = "grant_expired", gettext_lazy("Freigabe abgelaufen")
    PLEDGE_RECORDED = "pledge_recorded", gettext_lazy("Verpflichtung erfasst")
    TABLE_REVIEW = "table_review", gettext_lazy("Tabelle geprüft")
    PUBLICATION = "publication", gettext_lazy("Tabelle veröffentlicht")
    PUBLICATION_WITHDRAWN = "publication_withdrawn", gettext_lazy("Veröffentlichung zurückgezogen")
    IMPORT_REVIEW = "import_review", gettext_lazy("Import geprüft")
    IMPORT_ROLLBACK = "import_rollback", gettext_lazy("Import zurückgenommen")
    ACCESS_DENIED = "access_denied", gettext_lazy("Zugriff verweigert")
    LOGIN_FAILED = "login_failed", gettext_lazy("Anmeldung fehlgeschlagen")
    AUDIT_LOG_EXPORT = "audit_log_export", gettext_lazy("Audit-Log exportiert")
    LOGIN_LOCKED_OUT = "login_locked_out", gettext_lazy("Anmeldung gesperrt")
    API_TOKEN_CREATED = "api_token_created", gettext_lazy("API-Token erzeugt")
    API_TOKEN_DELETED = "api_token_deleted", gettext_lazy("API-Token gelöscht")
    ROLLOUT_STAGE_CHANGE = "rollout_stage_change", gettext_lazy("Einführungsstufe geändert")
    BACKUP_CREATED = "backup_created", gettext_lazy("Sicherung erstellt")
    BACKUP_RESTORED = "backup_restored", gettext_lazy("Sicherung wiederhergestellt")
    SAMPLE_DESCRIBED = "sample_described", gettext_lazy("Beispieldatei beschrieben")
    CATALOGUE_CHANGED = "catalogue_changed", gettext_lazy("Katalog des Tabellenbaukastens geändert")


class Outcome(models.TextChoices):
    OK = "ok", gettext_lazy("erfolgreich")
    DENIED = "denied", gettext_lazy("abgelehnt")
    FAILED = "failed", gettext_lazy("fehlgeschlagen")


def _entries():
    return apps.get_model("statistics_office", "AuditEntry")


def _head():
    return apps.get_model("statistics_office", "AuditHead")


GENESIS_HASH = "0" * 64
HASH_FORMAT_VERSION = 1
# Any constant shared by all writers; "BIFA" in ASCII.
ADVISORY_LOCK_KEY = 0x42494641
HEAD_PK = 1

TRIGGERS = {
    "postgresql": ("statistics_office_auditentry_append_only",),
    "sqlite": (
        "statistics_office_auditentry_no_update",
        "statistics_office_auditentry_no_delete",
    ),
}


def record(
    *,
    action,
    user=None,
    obj=None,
    source=None,
    purpose="",
    outcome=Outcome.OK,
    details=None,
    request=None,
):
    """Append one entry to the audit log and return it.

    `action` is an `Action`, `outcome` an `Outcome`. `obj` is the model instance acted on
    (a grant, a published table, an import run …), `source` the DataSource whose microdata
    was touched. `purpose` is the purpose the person stated. `request` supplies the user
    (if `user` is not given) and the client address.

    `details` is a small JSON dict of ids, counts and names, e.g. the names of the filter
    columns or the number of rows exported. NEVER put microdata values into it (no
    individual's attributes, no filter values that single a person out): the audit log is
    read outside the sealed office.

    Call it outside a transaction that may roll back, or the entry is rolled back with it.
    """
    if request is not None and user is None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if details is None:
        details = {}
    if not isinstance(details, dict):
        raise TypeError("details must be a dict of ids, counts and names")
    # Store exactly what the hash saw: whatever the JSON column gives back on reading.
    details = json.loads(json.dumps(details, cls=DjangoJSONEncoder, allow_nan=False))

    entry = _entries()(
        action=Action(action),
        outcome=Outcome(outcome),
        user=user,
        username=user.get_username()[:150] if user is not None else "",
        purpose=purpose or "",
        details=details,
        ip_address=_client_address(request),
    )
    if obj is not None:
        if not isinstance(obj, models.Model):
            raise TypeError("obj must be a model instance")
        from django.contrib.contenttypes.models import ContentType

        entry.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_id = str(obj.pk)[:64]
        entry.object_repr = str(obj)[:300]
    if source is not None:
        entry.source = source
        entry.source_label = f"{source.name} ({source.slug})"[:300]

    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            return _append(entry)
        except OperationalError as error:
            # Retrying inside an outer transaction would write into a broken one.
            last = attempt == WRITE_ATTEMPTS or connection.in_atomic_block
            if not last:
                clock.sleep(0.05 * 2**attempt)
                continue
            if entry.outcome != Outcome.DENIED:
                raise  # no access without its entry: the request fails closed
            # A refusal stays a refusal; it must not turn into a 500. It is not lost
            # silently either: the log names the action and the user (no values).
            logger.error(
                "audit entry %s (denied) for user %r could not be written after %d tries: %s",
                entry.action,
                entry.username,
                attempt,
                type(error).__name__,
            )
            return None


def _append(entry):
    entry.pk = None
    with transaction.atomic(using="default"):
        _serialise_writers()
        head = _head().objects.select_for_update().filter(pk=HEAD_PK).first()
        if head is None:
            head = _head()(pk=HEAD_PK, sequence=0, entry_hash="")
        entry.sequence = head.sequence + 1
        entry.previous_hash = head.entry_hash or GENESIS_HASH
        entry.created_at = timezone.now()
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        head.sequence = entry.sequence
        head.entry_hash = entry.entry_hash
        head.save()
    return entry


def _serialise_writers():
    # Two writers reading the same head would fork the chain. On PostgreSQL a transaction
    # advisory lock queues them; SQLite allows one writer at a time anyway, and the unique
    # `sequence` is the last line of defence on both.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _client_address(request):
    # The same address the login lockout counts: X-Forwarded-For only as far as the
    # trusted reverse proxies wrote it (settings TRUSTED_PROXY_COUNT).
    from bif.security import client_address

    return client_address(request)[:45]


def canonical_payload(entry):
    """The fields the hash covers, as plain JSON values."""
    object_type = ""
    if entry.content_type_id is not None:
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_id(entry.content_type_id)
        object_type = f"{ct.app_label}.{ct.model}"
    return {
        "v": HASH_FORMAT_VERSION,
        "sequence": entry.sequence,
        "created_at": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": str(entry.action),
        "username": entry.username,
        "object_type": object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "source": entry.source_label,
        "purpose": entry.purpose,
        "outcome": str(entry.outcome),
        "details": entry.details,
        "ip_address": entry.ip_address,
        "previous_hash": entry.previous_hash,
    }


def compute_hash(entry):
    text = json.dumps(
        canonical_payload(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def verify_chain():
    """Walk the whole log in order and report every altered, removed or foreign entry."""
    problems = []
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    last = None
    entries = _entries().objects.order_by("sequence").iterator(chunk_size=2000)
    for entry in entries:
        checked += 1
        if entry.sequence != expected_sequence:
            problems.append(_missing(expected_sequence, entry.sequence - 1))
        elif entry.previous_hash != previous_hash:
            problems.append(
                _(
                    "Eintrag Nr. %(n)s: Der Verweis auf den Vorgänger stimmt nicht; "
                    "der Eintrag davor wurde verändert oder ersetzt."
                )
                % {"n": entry.sequence}
            )
        if compute_hash(entry) != entry.entry_hash:
            problems.append(
                _("Eintrag Nr. %(n)s wurde verändert: Die Prüfsumme stimmt nicht.")
                % {"n": entry.sequence}
            )
        previous_hash = entry.entry_hash
        expected_sequence = entry.sequence + 1
        last = entry
    problems.extend(_check_head(last))
    problems.extend(_check_triggers())
    return VerificationResult(ok=not problems, checked=checked, problems=problems)


def _missing(first, last):
    if first == last:
        return _("Eintrag Nr. %(n)s fehlt.") % {"n": first}
    return _("Einträge Nr. %(first)s bis %(last)s fehlen.") % {"first": first, "last": last}


def _check_head(last):
    head = _head().objects.filter(pk=HEAD_PK).first()
    head_sequence = head.sequence if head else 0
    last_sequence = last.sequence if last else 0
    if head is None and last is None:
        return []
    if head is None:
        return [
            _(
                "Der gespeicherte Stand des Audit-Logs fehlt, obwohl es Einträge gibt; "
                "ob am Ende Einträge entfernt wurden, lässt sich nicht prüfen."
            )
        ]
    if head_sequence > last_sequence:
        return [
            _(
                "Die letzten Einträge fehlen: Der gespeicherte Stand reicht bis Nr. %(head)s, "
                "vorhanden sind Einträge bis Nr. %(last)s."
            )
            % {"head": head_sequence, "last": last_sequence}
        ]
    if head_sequence < last_sequence:
        return [
            _(
                "Einträge nach Nr. %(head)s (bis Nr. %(last)s) wurden nicht über das "
                "Audit-Log geschrieben."
            )
            % {"head": head_sequence, "last": last_sequence}
        ]
    if head.entry_hash != last.entry_hash:
        return [
            _("Eintrag Nr. %(n)s passt nicht zum gespeicherten Stand des Audit-Logs.")
            % {"n": last_sequence}
        ]
    return []


def _check_triggers():
    expected = TRIGGERS.get(connection.vendor, ())
    table = _entries()._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'",
                [table],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
        else:
            return []
        present = {row[0] for row in cursor.fetchall()}
    return [
        _(
            "Der Schutz gegen Ändern und Löschen fehlt oder ist abgeschaltet "
            "(Trigger %(name)s). Migration statistics_office 0002 erneut anwenden."
        )
        % {"name": name}
        for name in expected
        if name not in present
    ]


def is_audit_reader(user):
    """Administrators (and superusers) read the audit log; nobody else."""
    return roles.has_role(user, roles.ADMINISTRATION)


def entries_for(
    user,
    *,
    action="",
    username="",
    date_from=None,
    date_to=None,
    text="",
    outcome="",
):
    """Audit entries the user may read, newest first, narrowed by the page's filters.

    `date_from` and `date_to` are dates, both inclusive, in the portal's time zone.
    """
    entries = _entries().objects.select_related("content_type").order_by("-sequence")
    if not is_audit_reader(user):
        return entries.none()
    if action:
        entries = entries.filter(action=action)
    if outcome:
        entries = entries.filter(outcome=outcome)
    if username:
        entries = entries.filter(username__icontains=username)
    if date_from:
        entries = entries.filter(created_at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_start_of(date_to + timedelta(days=1)))
    if text:
        entries = entries.filter(
            models.Q(object_repr__icontains=text)
            | models.Q(object_id=text)
            | models.Q(source_label__icontains=text)
        )
    return entries


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))
