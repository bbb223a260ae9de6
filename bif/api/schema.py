"""The OpenAPI document: every operation lists the error answers it can give, all with the
one `Error` body of bif.api.errors."""

from .errors import ERROR_SCHEMA
from .filters import ID_PATTERN

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_DESCRIPTIONS = {
    "400": "Ungültige Anfrage; `fields` nennt die Felder / invalid request, see `fields`",
    "401": "Nicht angemeldet / not authenticated (token or session)",
    "403": "Keine Berechtigung / not permitted",
    "404": "Nicht gefunden oder nicht sichtbar / not found or not visible to you",
}


def error_codes(method, operation):
    """Which errors an operation can answer with. Everything needs a login (401, 403) and
    anything the user may not see is a 404 (also a page past the end of a list); requests
    with a body or query parameters can be invalid (400)."""
    codes = ["401", "403", "404"]
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if "requestBody" in operation or has_query or method in ("post", "put", "patch"):
        codes.insert(0, "400")
    return codes


# Ids in paths are matched by ID_PATTERN (bif.api.filters); clients see them as integers.
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}


def postprocess_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the `Error` component and the error answers;
    document ids in paths as integers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("pattern") == (
                    f"^{ID_PATTERN}$"
                ):
                    parameter["schema"] = dict(ID_SCHEMA)
            for code in error_codes(method, operation):
                operation["responses"].setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return result
