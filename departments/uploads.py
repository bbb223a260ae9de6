"""The department side of an import: receive an upload, queue its run, and ask for what the
statistics office then does (review, rollback, retry, cancel). Views, the API and
`import_file` call these.

The run itself (read, validate, plausibility, load, switch version) is the statistics
office's, on the sealed side: statistics_office/intake. It is sent by task name (bif.jobs),
so nothing here touches the sealed database.
"""

import errno
import hashlib
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bif import audit, backup_lock, jobs

from .models import DataSource, ImportRun

logger = logging.getLogger(__name__)
Status = ImportRun.Status
Stage = ImportRun.Stage


class ImportRejected(Exception):
    """The upload cannot even be queued (duplicate file, no schema, too large)."""


# --- Upload -------------------------------------------------------------------------


def _store_upload(chunks, original_name):
    suffix = Path(original_name).suffix.lower()[:10]
    directory = Path(settings.UPLOAD_ROOT) / timezone.now().strftime("%Y/%m")
    target = directory / f"{uuid.uuid4().hex}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > settings.IMPORT_MAX_UPLOAD_BYTES:
                    raise ImportRejected(
                        _("Die Datei ist größer als die erlaubten %(limit)d MB.")
                        % {"limit": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)}
                    )
                digest.update(chunk)
                out.write(chunk)
    except OSError as error:
        target.unlink(missing_ok=True)
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        logger.error("upload refused: no space left in the drop location after %d bytes", size)
        raise ImportRejected(
            _(
                "Die Datei „%(file)s“ konnte nicht gespeichert werden: Der Speicherplatz für "
                "Uploads ist voll. Es wurde nichts übernommen. Bitte versuchen Sie es später "
                "erneut oder wenden Sie sich an den IT-Betrieb."
            )
            % {"file": Path(original_name).name}
        ) from error
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, digest.hexdigest(), size


def _backup_running():
    return ImportRejected(
        _(
            "Gerade läuft eine Datensicherung; solange werden keine Importe angenommen. "
            "Bitte versuchen Sie es in einigen Minuten erneut."
        )
    )


def submit_upload(*, source, uploaded_by, file_name, chunks, sheet=""):
    """Store an upload in the drop location, create its job row and queue the run."""
    # A backup must not see a half-stored upload or a run that its copy would leave queued.
    try:
        with backup_lock.import_work(wait=False):
            return _submit_upload(
                source=source,
                uploaded_by=uploaded_by,
                file_name=file_name,
                chunks=chunks,
                sheet=sheet,
            )
    except backup_lock.BackupInProgress:
        raise _backup_running()


def _submit_upload(*, source, uploaded_by, file_name, chunks, sheet):
    if not source.schemas.exists():
        raise ImportRejected(
            _("Für die Datenquelle „%(source)s“ ist noch kein Schema hinterlegt.")
            % {"source": source.name}
        )
    path, checksum, size = _store_upload(chunks, file_name)
    duplicate = (
        ImportRun.objects.filter(source=source, checksum=checksum)
        .exclude(status__in=[Status.FAILED, Status.CANCELLED, Status.ROLLED_BACK, Status.WITHDRAWN])
        .first()
    )
    if duplicate:
        path.unlink(missing_ok=True)
        raise ImportRejected(
            _(
                "Diese Datei wurde bereits am %(date)s hochgeladen (Importlauf %(run)d). "
                "Dieselbe Datei wird nicht zweimal eingelesen."
            )
            % {
                "date": timezone.localtime(duplicate.created_at).strftime("%d.%m.%Y"),
                "run": duplicate.pk,
            }
        )
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                source=source,
                uploaded_by=uploaded_by,
                file_name=Path(file_name).name[:255],
                stored_path=str(path),
                checksum=checksum,
                size_bytes=size,
                sheet=sheet or "",
                schema_version=source.schemas.order_by("-version").first(),
            )
    except IntegrityError:
        path.unlink(missing_ok=True)
        raise ImportRejected(_("Diese Datei wird für die Datenquelle bereits eingelesen."))
    enqueue_run(run)
    return run


def submit_path(*, source, path, uploaded_by=None, sheet=""):
    def chunks():
        with open(path, "rb") as handle:
            while block := handle.read(1024 * 1024):
                yield block

    return submit_upload(
        source=source,
        uploaded_by=uploaded_by,
        file_name=Path(path).name,
        chunks=chunks(),
        sheet=sheet,
    )


def enqueue_run(run):
    transaction.on_commit(lambda: _send_run(run.pk))


def _send_run(run_id):
    def not_queued(error):
        # The broker is away (restart, outage) beyond the publish retries. The run must not
        # wait as "queued" for a task that was never sent: it ends failed, ready to retry.
        ImportRun.objects.filter(pk=run_id).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "Der Import konnte nicht gestartet werden, weil der Verarbeitungsdienst gerade "
                "nicht erreichbar ist. Es wurde nichts übernommen; bitte starten Sie den "
                "Import in einigen Minuten erneut."
            ),
        )

    jobs.enqueue("departments.run_import", run_id, on_unavailable=not_queued)


# --- Asking the statistics office ----------------------------------------------------


def _require_reviewer(run, user):
    from .selectors import can_review_imports

    if not can_review_imports(user, run):
        raise ImportRejected(
            _("Prüfen und Zurücknehmen setzt eine gültige Freigabe für diese Datenquelle voraus.")
        )


def review(run, *, user, accept, comment):
    """A statistician acknowledges the plausibility warnings (with a comment) or rejects."""
    _require_reviewer(run, user)
    if run.status != Status.AWAITING_REVIEW:
        raise ImportRejected(_("Dieser Importlauf wartet nicht auf eine Prüfung."))
    if not comment.strip():
        raise ImportRejected(_("Bitte begründen Sie Ihre Entscheidung in einem Prüfvermerk."))
    ImportRun.objects.filter(pk=run.pk).update(
        reviewed_by=user, reviewed_at=timezone.now(), review_comment=comment.strip()
    )
    audit.record(
        action=audit.Action.IMPORT_REVIEW,
        user=user,
        obj=run,
        source=run.source,
        purpose=comment.strip()[:500],
        details={"decision": "accept" if accept else "reject", "warnings": run.warning_count},
    )
    if accept:
        jobs.enqueue("departments.activate_import", run.pk)
    else:
        jobs.enqueue("departments.discard_import", run.pk, Status.ROLLED_BACK)


def withdraw(run, *, user):
    """The analyst who uploaded a run takes it back while it waits for review: its loaded
    version is dropped on the sealed side and the same file may be uploaded again."""
    if user is None or run.uploaded_by_id != user.pk:
        raise ImportRejected(_("Nur wer die Datei hochgeladen hat, kann den Import zurückziehen."))
    withdrawn = ImportRun.objects.filter(pk=run.pk, status=Status.AWAITING_REVIEW).update(
        status=Status.WITHDRAWN,
        finished_at=timezone.now(),
        message=_("Der Import wurde zurückgezogen; die Datei kann erneut hochgeladen werden."),
    )
    if not withdrawn:
        raise ImportRejected(
            _("Nur ein Import, der auf Prüfung wartet, kann zurückgezogen werden.")
        )
    audit.record(
        action=audit.Action.IMPORT_ROLLBACK,
        user=user,
        obj=run,
        source=run.source,
        details={"withdrawn": True},
    )
    jobs.enqueue("departments.discard_import", run.pk, Status.WITHDRAWN)


def rollback(run, *, user):
    """Withdraw the current accepted import; the one before it becomes current again."""
    _require_reviewer(run, user)
    if run.status != Status.ACCEPTED:
        raise ImportRejected(_("Nur ein angenommener Import kann zurückgenommen werden."))
    previous = (
        ImportRun.objects.filter(source=run.source, status=Status.SUPERSEDED)
        .order_by("-created_at")
        .first()
    )
    audit.record(
        action=audit.Action.IMPORT_ROLLBACK,
        user=user,
        obj=run,
        source=run.source,
        details={"restores_run": previous.pk if previous else None},
    )
    jobs.enqueue("departments.rollback_import", run.pk, previous.pk if previous else None)


def request_cancel(run):
    if run.is_finished:
        return False
    ImportRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    if run.status == Status.QUEUED:
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.CANCELLED,
            finished_at=timezone.now(),
            message=_("Der Import wurde abgebrochen."),
        )
    return True


def unmapped_columns(run):
    """(schema fields missing in the file, file columns no field claimed) of a failed run,
    from its findings on the sealed side (none where this process cannot reach it)."""
    from .selectors import run_findings

    findings = run_findings(run)
    missing = [
        f["params"].get("field") or f.get("column")
        for f in findings
        if f["rule"] == "column_missing" and f["severity"] == "error"
    ]
    extra = [f.get("column") for f in findings if f["rule"] == "column_extra"]
    return [m for m in missing if m], [e for e in extra if e]


def remap_and_retry(run, assignments):
    """Save {file column: schema field} for the source (a renamed column in a new release)
    and run the same file again: no new source, no new upload."""
    missing, extra = unmapped_columns(run)
    cleaned = {
        column: field
        for column, field in assignments.items()
        if column in extra and field in missing
    }
    if not cleaned:
        raise ImportRejected(_("Bitte ordnen Sie mindestens eine Spalte einem Feld zu."))
    source = DataSource.objects.get(pk=run.source_id)
    source.column_mapping = {**source.column_mapping, **cleaned}
    source.save(update_fields=["column_mapping"])
    retry(run)
    return cleaned


def retry(run):
    """Queue a failed or cancelled run again with the same file."""
    if run.status not in (Status.FAILED, Status.CANCELLED) or not Path(run.stored_path).exists():
        raise ImportRejected(_("Dieser Importlauf kann nicht wiederholt werden."))
    try:
        with backup_lock.import_work(wait=False):
            ImportRun.objects.filter(pk=run.pk).update(
                status=Status.QUEUED,
                stage=Stage.WAITING,
                progress=0,
                cancel_requested=False,
                finding_counts={},
                error_count=0,
                warning_count=0,
                message="",
                attempts=F("attempts") + 1,
            )
            enqueue_run(run)
    except backup_lock.BackupInProgress:
        raise _backup_running()
