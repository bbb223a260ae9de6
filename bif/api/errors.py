"""One error body for every 4xx and 5xx answer of the API:

    {"error": {"status": 404, "code": "not_found", "message": "Nicht gefunden.", "fields": {}}}

`message` is translated (German first), `code` is stable for programs, `fields` names every
invalid field of a request with its messages. Bodies hold our own messages only: never an
exception's text from below (a database error can quote a row), never microdata.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

# The body as JSON Schema; bif.api.schema puts it into the OpenAPI document as `Error`.
ERROR_SCHEMA = {
    "type": "object",
    "description": "Fehler / error (every 4xx and 5xx answer of the API)",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "description": "HTTP status code"},
                "code": {
                    "type": "string",
                    "description": "stable machine-readable code, e.g. `not_found`, `invalid`",
                },
                "message": {"type": "string", "description": "translated message for people"},
                "fields": {
                    "type": "object",
                    "description": "invalid fields (dotted paths for nested ones) and messages",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["status", "code", "message", "fields"],
        }
    },
    "required": ["error"],
}


def error_body(status_code, code, message, fields=None):
    return {
        "error": {
            "status": status_code,
            "code": str(code),
            "message": str(message),
            "fields": fields or {},
        }
    }


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception of an API view becomes the error body."""
    if isinstance(exc, Http404):
        # Django's text names the model and the lookup; ours says only "not found".
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)

    request = context.get("request")
    _answer_errors_in_json(request)
    if not isinstance(exc, exceptions.APIException):
        view = context.get("view")
        logger.exception("Unhandled error in API view %s", type(view).__name__)
        set_rollback()
        return Response(
            error_body(500, "server_error", server_error_message()),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{exc.wait:d}"
    set_rollback()
    return Response(body_for(exc), status=exc.status_code, headers=headers)


def body_for(exc):
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten(exc.detail)
        general = fields.pop(api_settings.NON_FIELD_ERRORS_KEY, [])
        if fields:
            message = _("Bitte die Angaben prüfen: %(fields)s.") % {"fields": ", ".join(fields)}
        else:
            message = " ".join(general) or _("Die Anfrage ist ungültig.")
        if general and fields:
            fields[api_settings.NON_FIELD_ERRORS_KEY] = general
        return error_body(exc.status_code, "invalid", message, fields)
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    detail = exc.detail
    if isinstance(detail, dict | list):
        message = " ".join(sum(flatten(detail).values(), [])) or str(exc.default_detail)
    else:
        message = str(detail)
    return error_body(exc.status_code, code, message)


def flatten(detail, prefix=""):
    """{"a": {"b": ["x"]}, "c": [{}, {"d": ["y"]}]} -> {"a.b": ["x"], "c.1.d": ["y"]}."""
    here = prefix or api_settings.NON_FIELD_ERRORS_KEY
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {here: [str(item) for item in detail]} if detail else {}
        out = {}
        for index, item in enumerate(detail):
            out.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {here: [str(detail)]}


def server_error_message():
    return _(
        "Interner Fehler. Er wurde protokolliert; bitte später erneut versuchen oder den "
        "IT-Betrieb informieren."
    )


def _answer_errors_in_json(request):
    # A `?format=csv` request that fails is still answered in JSON, as the schema says.
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format not in ("json", "api"):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def is_api_request(request):
    return request.path.startswith(API_PREFIX)


def handler404(request, exception):
    """Unknown addresses below /api/ get the error body; all others the portal's 404 page."""
    if is_api_request(request):
        return JsonResponse(error_body(404, "not_found", _("Nicht gefunden.")), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if is_api_request(request):
        return JsonResponse(error_body(500, "server_error", server_error_message()), status=500)
    return defaults.server_error(request)
