"""Onboarding a source without a developer: the sample page, the schema form, versions,
the API and the commands; only the statistics office and the administration may do it."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from departments import onboarding
from departments.models import DataSource

CORPUS = Path(__file__).parent / "importing" / "corpus"
SGB2 = CORPUS / "sgb2_regelleistungsberechtigte_stadtteile.csv"
KITA = CORPUS / "kita_einrichtungen.csv"

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])


def sample(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def management_data(description, changes=None):
    """The schema form's POST as the browser sends it, from the proposed fields."""
    from departments.forms import SchemaFieldForm

    fields = description["schema"]["fields"]
    data = {"form-TOTAL_FORMS": len(fields), "form-INITIAL_FORMS": len(fields)}
    for index, descriptor in enumerate(fields):
        initial = SchemaFieldForm.initial_for(descriptor)
        initial.update((changes or {}).get(descriptor["name"], {}))
        for key, value in initial.items():
            if key == "required" and not value:
                continue
            data[f"form-{index}-{key}"] = value
    return data


def test_administrator_may_add_a_schema_version_in_the_admin(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("admin:departments_schemaversion_add")).status_code == 200


@pytest.mark.parametrize("role", ["analyst", "staff"])
def test_only_office_and_administration_onboard_sources(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("departments:onboard-start")).status_code == 403
    answer = APIClient()
    answer.force_authenticate(request.getfixturevalue(role))
    response = answer.post("/api/v1/sources/describe/", {"file": sample(SGB2)}, format="multipart")
    assert response.status_code == 403


def test_office_uploads_a_sample_corrects_a_field_and_saves_version_one(
    client, statistician, department
):
    client.force_login(statistician)
    response = client.post(
        reverse("departments:onboard-start"),
        {
            "file": sample(SGB2),
            "name": "SGB II nach Stadtteilen",
            "slug": "sgb2",
            "department": department.pk,
            "kind": "aggregate",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert "Vorgeschlagenes Schema" in page.content.decode()
    assert "Jahre als Spalten" in page.content.decode()

    description = client.session["bif_onboarding"]["description"]
    data = management_data(description, {"anzahl": {"title": "Regelleistungsberechtigte"}})
    saved = client.post(reverse("departments:onboard-schema"), data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    source = DataSource.objects.get(slug="sgb2")
    schema = source.schemas.get(version=1).descriptor
    titles = {f["name"]: f.get("title") for f in schema["fields"]}
    assert titles["anzahl"] == "Regelleistungsberechtigte"
    assert schema["layout"]["wideToLong"]["key"] == "jahr"


def test_renaming_a_field_in_the_editor_stores_a_new_version_that_still_finds_its_column(
    client, administrator, department
):
    description = onboarding.describe_file(SGB2)
    source = onboarding.create_source(
        slug="sgb2", department=department, kind="aggregate", schema=description["schema"]
    )
    client.force_login(administrator)
    url = reverse("departments:schema-edit", args=[source.slug])
    assert client.get(url).status_code == 200
    data = management_data(description, {"anzahl": {"name": "empfaenger", "unit": "Personen"}})
    assert client.post(url, data).status_code == 302
    version = source.schemas.order_by("-version").first()
    assert version.version == 2
    renamed = next(f for f in version.descriptor["fields"] if f["name"] == "empfaenger")
    assert renamed["aliases"][0] == "Anzahl"
    assert renamed["unit"] == "Personen"
    assert source.schemas.get(version=1).descriptor == description["schema"]


def test_personal_columns_must_be_decided_in_the_form(client, statistician, department):
    client.force_login(statistician)
    client.post(
        reverse("departments:onboard-start"),
        {
            "file": sample(KITA),
            "name": "Kitas",
            "slug": "kitas",
            "department": department.pk,
            "kind": "microdata",
        },
    )
    description = client.session["bif_onboarding"]["description"]
    page = client.post(reverse("departments:onboard-schema"), management_data(description))
    assert page.status_code == 200
    assert "bitte entscheiden" in page.content.decode()
    assert not DataSource.objects.filter(slug="kitas").exists()

    decided = {flag["field"]: {"personal_decision": "drop"} for flag in description["flags"]}
    data = management_data(description, decided)
    saved = client.post(reverse("departments:onboard-schema"), data)
    assert saved.status_code == 302
    schema = DataSource.objects.get(slug="kitas").schemas.get().descriptor
    assert {f["name"] for f in schema["fields"] if f.get("personalDecision") == "drop"} == {
        "strasse",
        "telefon",
        "ansprechpartnerin",
    }


def test_api_describes_a_sample_and_creates_the_source(administrator, department):
    api = APIClient()
    api.force_authenticate(administrator)
    described = api.post("/api/v1/sources/describe/", {"file": sample(SGB2)}, format="multipart")
    assert described.status_code == 200
    body = described.json()
    assert body["layout"]["header"] is True
    assert body["row_count"] == 52
    request = {
        "slug": "sgb2",
        "department": department.code,
        "kind": "aggregate",
        "schema": body["schema"],
    }
    created = api.post("/api/v1/sources/", request, format="json")
    assert created.status_code == 201, created.json()
    assert DataSource.objects.get(slug="sgb2").schemas.get().version == 1
    again = api.post("/api/v1/sources/", request, format="json")
    assert again.status_code == 400
    assert "schon vergeben" in json.dumps(again.json(), ensure_ascii=False)


def test_api_refuses_a_broken_schema_with_reasons(administrator, department):
    api = APIClient()
    api.force_authenticate(administrator)
    response = api.post(
        "/api/v1/sources/",
        {
            "slug": "kaputt",
            "department": department.code,
            "kind": "aggregate",
            "schema": {"fields": [{"name": "x", "type": "zahl"}]},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "unbekannter Typ" in json.dumps(response.json(), ensure_ascii=False)


def test_commands_describe_a_file_and_create_a_source_from_their_output(tmp_path, department):
    out = io.StringIO()
    call_command("describe_file", str(SGB2), stdout=out)
    description = json.loads(out.getvalue())
    assert description["layout"]["wide_to_long"] is True
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(out.getvalue(), encoding="utf-8")
    call_command(
        "create_source",
        "sgb2",
        "--department",
        department.code,
        "--kind",
        "aggregate",
        "--schema",
        str(schema_file),
        stdout=io.StringIO(),
    )
    source = DataSource.objects.get(slug="sgb2")
    assert source.kind == "aggregate"
    assert source.schemas.get().descriptor == description["schema"]
    with pytest.raises(CommandError, match="schon vergeben"):
        call_command(
            "create_source",
            "sgb2",
            "--department",
            department.code,
            "--kind",
            "aggregate",
            "--schema",
            str(schema_file),
        )


def test_describing_an_unreadable_file_is_a_german_sentence_not_a_crash(tmp_path):
    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is no workbook")
    with pytest.raises(onboarding.SchemaRejected) as rejected:
        onboarding.describe_file(broken)
    assert rejected.value.problems


def test_describing_a_sample_writes_who_which_file_size_and_when_into_the_audit_log(
    administrator,
):
    from bif import audit
    from statistics_office.models import AuditEntry

    api = APIClient()
    api.force_authenticate(administrator)
    described = api.post("/api/v1/sources/describe/", {"file": sample(SGB2)}, format="multipart")
    assert described.status_code == 200
    entry = AuditEntry.objects.get(action=audit.Action.SAMPLE_DESCRIBED)
    assert entry.user == administrator
    assert entry.outcome == audit.Outcome.OK
    assert entry.created_at is not None
    assert entry.details == {
        "file_name": SGB2.name,
        "size_bytes": SGB2.stat().st_size,
        "rows": 52,
        "fields": len(described.json()["schema"]["fields"]),
    }
    # Names and counts only: not one cell of the sample is in the log.
    cells = {
        c.strip() for line in SGB2.read_text("utf-8").splitlines()[1:] for c in line.split(";")
    }
    logged = json.dumps(entry.details, ensure_ascii=False)
    assert not [c for c in cells if len(c) > 2 and c in logged]


def test_a_sample_that_cannot_be_described_is_logged_as_failed(tmp_path):
    from bif import audit
    from statistics_office.models import AuditEntry

    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is no workbook")
    with pytest.raises(onboarding.SchemaRejected):
        onboarding.describe_file(broken)
    entry = AuditEntry.objects.get(action=audit.Action.SAMPLE_DESCRIBED)
    assert entry.outcome == audit.Outcome.FAILED
    assert entry.details == {"file_name": "kaputt.xlsx", "size_bytes": broken.stat().st_size}
