"""A source carries its data description document (Datensatzbeschreibung): PDF, TXT or
DOCX, recognised by content, size-limited, versioned and shown on the source's page."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments import descriptions

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def post(client, source, name, data):
    return client.post(
        reverse("departments:source-description-upload", args=[source.slug]),
        {"document": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_the_office_uploads_versions_and_the_page_shows_them(client, statistician, source):
    client.force_login(statistician)
    post(client, source, "Datensatzbeschreibung_2024.pdf", PDF)
    page = post(client, source, "Datensatzbeschreibung_2025.docx", docx_bytes())
    html = page.content.decode()
    assert "Version 2" in html and "Datensatzbeschreibung_2025.docx" in html
    assert "Version 1" in html
    assert [d.version for d in source.descriptions.all()] == [2, 1]
    response = client.get(reverse("departments:source-description", args=[source.slug, 1]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("beschreibung.pdf", b"MZ\x90\x00 not a pdf", "keine gültige PDF-Datei"),
        ("beschreibung.docx", b"PK\x03\x04broken", "keine gültige DOCX-Datei"),
        ("beschreibung.txt", b"\x00\x01\x02binary", "keine gültige TXT-Datei"),
        ("beschreibung.exe", PDF, "erlaubt sind PDF, TXT und DOCX"),
    ],
)
def test_a_document_of_another_type_is_refused_with_a_german_message(
    client, statistician, source, name, data, message
):
    client.force_login(statistician)
    html = post(client, source, name, data).content.decode()
    assert message in html
    assert not source.descriptions.exists()


def test_a_document_above_the_limit_is_refused(client, statistician, source, settings):
    settings.DATA_DESCRIPTION_MAX_BYTES = 1000
    client.force_login(statistician)
    html = post(client, source, "gross.txt", b"a" * 2000).content.decode()
    assert "zu groß" in html and not source.descriptions.exists()
    with pytest.raises(descriptions.DescriptionRejected, match="höchstens"):
        descriptions.add(source, user=None, file_name="gross.txt", data=b"a" * 2000)


def test_staff_without_rights_cannot_upload_but_see_the_document(
    client, staff, statistician, source
):
    descriptions.add(source, user=statistician, file_name="liesmich.txt", data="Größe".encode())
    client.force_login(staff)
    html = client.get(reverse("departments:source-detail", args=[source.slug])).content.decode()
    assert "liesmich.txt" in html and 'name="document"' not in html
    post(client, source, "anders.txt", b"text")
    assert source.descriptions.count() == 1
