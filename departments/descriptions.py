"""A source's data description document (Datensatzbeschreibung): checked, versioned, served.

Only PDF, plain text and DOCX are taken, recognised by their content (not by the name
alone), up to DATA_DESCRIPTION_MAX_BYTES. The document is served as a download with its
detected type, never rendered inline.
"""

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .models import DataDescription

MAX_BYTES_DEFAULT = 10 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SUFFIXES = {".pdf": "pdf", ".txt": "txt", ".docx": "docx"}


class DescriptionRejected(Exception):
    pass


def max_bytes():
    return int(getattr(settings, "DATA_DESCRIPTION_MAX_BYTES", MAX_BYTES_DEFAULT))


def detect(name: str, data: bytes) -> str:
    """The document's type from its content; it must agree with the file name's suffix."""
    claimed = SUFFIXES.get(Path(name).suffix.lower())
    if claimed is None:
        raise DescriptionRejected(_("„%(name)s“: erlaubt sind PDF, TXT und DOCX.") % {"name": name})
    if data.startswith(b"%PDF-"):
        found = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        found = "docx" if _is_docx(data) else None
    elif _is_text(data):
        found = "txt"
    else:
        found = None
    if found != claimed:
        raise DescriptionRejected(
            _(
                "„%(name)s“ ist keine gültige %(kind)s-Datei; bitte die Datensatzbeschreibung "
                "als PDF, TXT oder DOCX hochladen."
            )
            % {"name": name, "kind": claimed.upper()}
        )
    return found


def _is_docx(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names


def _is_text(data):
    if b"\x00" in data[:65536]:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def add(source, *, user, file_name: str, data: bytes) -> DataDescription:
    """Store a new version of the source's data description document."""
    if not data:
        raise DescriptionRejected(_("„%(name)s“ ist leer.") % {"name": file_name})
    if len(data) > max_bytes():
        raise DescriptionRejected(
            _("„%(name)s“ ist %(size)s MB groß; erlaubt sind höchstens %(limit)s MB.")
            % {
                "name": file_name,
                "size": round(len(data) / 1048576, 1),
                "limit": round(max_bytes() / 1048576, 1),
            }
        )
    kind = detect(file_name, data)
    for _attempt in range(3):
        latest = source.descriptions.aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                return DataDescription.objects.create(
                    source=source,
                    version=latest + 1,
                    file_name=Path(file_name).name[:255],
                    kind=kind,
                    size_bytes=len(data),
                    content=data,
                    uploaded_by=user,
                )
        except IntegrityError:  # two uploads at once: take the next number
            continue
    raise DescriptionRejected(_("Bitte die Datei noch einmal hochladen."))


def content_type(description) -> str:
    return CONTENT_TYPES[description.kind]
