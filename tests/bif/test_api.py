"""The API's conventions: one schema for every endpoint, login for schema and docs, one
error body, paginated lists, documented filters, and personal API tokens (audited)."""

import hashlib
import io
import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, resolve

from bif.api import services as tokens
from bif.models import ApiToken
from statistics_office.models import AuditAction, AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    """The schema as `manage.py spectacular --validate --fail-on-warn` writes it: the command
    raises on any warning or error, so getting here means there were none."""
    out, err = io.StringIO(), io.StringIO()
    with django_db_blocker.unblock():
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
            stdout=out, stderr=err,
        )  # fmt: skip
    assert "Warning" not in err.getvalue() and "Error" not in err.getvalue(), err.getvalue()
    return json.loads(out.getvalue())


def api_views(patterns=None, prefix=""):
    """The view of every URL below /api/ except the schema and its docs page."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern.url_patterns, route)
        elif route.startswith("api/") and pattern.name not in ("api-schema", "api-docs"):
            yield pattern.callback


def sample(path):
    return re.sub(r"\{(\w+)\}", lambda m: "x" if m.group(1) == "slug" else "1", path)


def test_schema_has_no_warnings_and_documents_every_api_url(schema):
    documented = {resolve(sample(path)).func for path in schema["paths"]}
    served = set(api_views())
    assert len(served) == 22 and documented == served
    assert schema["info"]["title"] == "BIF API"
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_every_operation_documents_the_error_body(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for code in ("401", "403", "404"):
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method)
            if method in ("post", "put", "patch"):
                assert "400" in operation["responses"], (path, method)
    error = schema["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["status", "code", "message", "fields"]


# Single documents, not lists (issue 20): the DCAT-AP.de catalogue and the Atom feed.
DOCUMENTS = {"/api/v1/catalogue/", "/api/v1/feeds/neue-daten/"}


def test_every_list_is_paginated_and_filters_are_documented(schema):
    lists = {
        path: item["get"]
        for path, item in schema["paths"].items()
        if "get" in item and "{" not in path and path not in DOCUMENTS
    }
    assert len(lists) == 6
    for path, operation in lists.items():
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.startswith("#/components/schemas/Paginated"), path
        names = {p["name"] for p in operation.get("parameters", [])}
        assert {"page", "page_size"} <= names, path
    sources = {p["name"]: p for p in lists["/api/v1/sources/"]["parameters"]}
    assert {"department", "stage", "q"} <= set(sources)
    assert "live" in sources["stage"]["schema"]["enum"]


def test_schema_and_docs_need_a_login(client, staff):
    response = client.get("/api/schema/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/konto/login/")

    client.force_login(staff)
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="swagger-ui"' in html
    # No inline script: the page's own script is a separate file (CSP without unsafe-inline).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "fields"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


def test_not_logged_in_is_401_with_the_error_body(client):
    response = client.get("/api/v1/sources/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["code"] == "not_authenticated"


def test_unknown_objects_and_addresses_are_404_with_the_error_body(client, staff):
    client.force_login(staff)
    error = error_of(client.get("/api/v1/sources/gibt-es-nicht/"))
    assert error["code"] == "not_found" and error["message"] == "Nicht gefunden."
    unknown = client.get("/api/v1/nichts-hier/")
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/json"
    assert error_of(unknown)["code"] == "not_found"
    # An id too large for the database is simply not found.
    assert client.get("/api/v1/imports/99999999999999999999999/").status_code == 404
    # Asked for CSV, an error still comes as JSON.
    csv_error = client.get("/api/v1/tables/424242/?format=csv")
    assert csv_error.status_code == 404 and error_of(csv_error)["code"] == "not_found"


def test_an_invalid_filter_is_400_naming_the_parameter(client, staff):
    client.force_login(staff)
    response = client.get("/api/v1/sources/", {"stage": "erfunden"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"stage"}
    assert "stage" in error["message"]


def test_validation_errors_name_every_field(client, statistician, source):
    client.force_login(statistician)
    response = client.post(
        "/api/v1/table-definitions/",
        {"title": "", "sources": ["gibt-es-nicht"], "dimensions": "Stadtteil"},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert {"title", "sources", "dimensions"} <= set(fields)
    nested = client.post(
        "/api/v1/table-definitions/",
        {"title": "T", "sources": [source.slug], "dimensions": [{"field": "x"}],
         "parameters": {"min_frequency": "viele"}},
        content_type="application/json",
    )  # fmt: skip
    assert error_of(nested)["fields"] == {
        "parameters.min_frequency": ["Eine gültige Ganzzahl ist erforderlich."]
    }


def test_wrong_method_is_405_with_the_error_body(client, staff):
    client.force_login(staff)
    response = client.delete("/api/v1/sources/einwohner/")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_a_crash_is_500_without_the_exception_text(client, staff, monkeypatch):
    from departments import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("Musterfrau, Erika, 12.03.1961")

    monkeypatch.setattr(selectors, "catalog", broken)
    client.raise_request_exception = False
    client.force_login(staff)
    response = client.get("/api/v1/sources/")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "Musterfrau" not in response.content.decode()


def test_lists_page_by_page_size_and_cap_it(client, staff, department):
    for n in range(3):
        factories.DataSourceFactory(department=department, slug=f"quelle-{n}")
    client.force_login(staff)
    first = client.get("/api/v1/sources/", {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    assert len(client.get(first["next"]).json()["results"]) == 1
    assert client.get("/api/v1/sources/", {"page_size": 10_000}).status_code == 200
    assert error_of(client.get("/api/v1/sources/", {"page": 99}))["code"] == "not_found"


def test_filters_narrow_the_catalog(client, staff, source, other_source):
    client.force_login(staff)
    slugs = [
        s["slug"] for s in client.get("/api/v1/sources/", {"department": "kita"}).json()["results"]
    ]
    assert slugs == [other_source.slug]
    found = client.get("/api/v1/sources/", {"q": "Einwohner"}).json()["results"]
    assert [s["slug"] for s in found] == [source.slug]


# --- Personal API tokens ---------------------------------------------------------------


def audit_entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


def shown_key(page):
    return re.search(r'id="new-token-value" type="text" value="(\w+)"', page.content.decode())[1]


def test_the_database_keeps_only_a_hash_of_the_key(client, staff):
    """Whoever reads the database (a backup, a DBA) gets no key that opens the API."""
    key = tokens.issue_token(staff).key
    stored = ApiToken.objects.filter(user=staff).values().get()
    assert key not in json.dumps(stored, default=str)
    assert stored["digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert client.get("/api/v1/sources/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    digest_as_key = {"HTTP_AUTHORIZATION": f"Token {stored['digest']}"}
    assert client.get("/api/v1/sources/", **digest_as_key).status_code == 401


def test_the_browsable_api_is_off_unless_debug(client, staff):
    client.force_login(staff)
    response = client.get("/api/v1/sources/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("application/json")
    assert "<html" not in response.content.decode()


def test_the_token_page_needs_a_login(client):
    response = client.get("/konto/api-token/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_a_new_token_is_shown_once_and_works_with_the_users_rights(client, analyst, source):
    client.force_login(analyst)
    page = client.get("/konto/api-token/")
    assert "Sie haben noch kein API-Token." in page.content.decode()

    created = client.post("/konto/api-token/", {"action": "issue"})
    key = shown_key(created)
    assert key in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    assert key not in client.get("/konto/api-token/").content.decode()

    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/v1/imports/", **auth).status_code == 200
    assert client.get(f"/api/v1/sources/{source.slug}/", **auth).json()["slug"] == source.slug
    # The token does not open the portal's pages: those need a session.
    assert client.get("/katalog/", **auth).status_code == 302

    (entry,) = audit_entries(AuditAction.API_TOKEN_CREATED)
    assert entry.username == analyst.username and entry.details == {"rotated": False}
    assert key not in json.dumps([entry.object_id, entry.object_repr, entry.details])


def test_rotating_replaces_the_key_and_deleting_revokes_it(client, staff):
    client.force_login(staff)
    old = shown_key(client.post("/konto/api-token/", {"action": "issue"}))
    page = client.post("/konto/api-token/", {"action": "issue"})
    new = shown_key(page)
    assert new != old
    assert [e.details["rotated"] for e in audit_entries(AuditAction.API_TOKEN_CREATED)] == [
        False,
        True,
    ]

    client.logout()
    assert client.get("/api/v1/sources/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    assert client.get("/api/v1/sources/", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200

    client.force_login(staff)
    deleted = client.post("/konto/api-token/", {"action": "delete"}, follow=True)
    assert "Ihr API-Token wurde gelöscht." in deleted.content.decode()
    assert not ApiToken.objects.filter(user=staff).exists()
    assert len(audit_entries(AuditAction.API_TOKEN_DELETED)) == 1
    client.logout()
    assert client.get("/api/v1/sources/", HTTP_AUTHORIZATION=f"Token {new}").status_code == 401


def test_deleting_without_a_token_writes_no_audit_entry(staff):
    assert tokens.delete_token(staff) is False
    assert audit_entries(AuditAction.API_TOKEN_DELETED) == []


def test_the_user_menu_links_to_the_token_page(client, no_role_user):
    client.force_login(no_role_user)
    assert 'href="/konto/api-token/"' in client.get("/").content.decode()


def test_schema_yaml_is_served_to_token_users(client, staff):
    key = tokens.issue_token(staff).key
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_no_admin_page_lists_api_tokens(admin_client):
    tokens.issue_token(factories.staff_user(username="mit-token"))
    index = admin_client.get("/admin/").content.decode()
    assert "tokenproxy" not in index.lower()
    assert admin_client.get("/admin/authtoken/tokenproxy/").status_code == 404


def test_a_title_without_letters_is_a_400_on_the_slug_not_a_500(client, statistician, source):
    factories.grant(statistician, source, "define_tables")
    client.force_login(statistician)
    response = client.post(
        "/api/v1/table-definitions/",
        {"title": "!!!", "sources": [source.slug], "dimensions": [{"field": "Stadtteil"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"slug"}
