"""API tokens: each person has at most one; creating, replacing and deleting it is audited.

The key itself is shown once, on the page that made it, and never written to the audit log
(DRF's Token uses the key as primary key, so the token is never the audited object)."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from bif import audit


def token_of(user):
    return Token.objects.filter(user=user).first()


def issue_token(user, *, request=None):
    """Create the user's token, or replace the existing one (the old key stops working at
    once). Returns the new Token; its key is for showing once."""
    with transaction.atomic():
        rotated = Token.objects.filter(user=user).delete()[0] > 0
        token = Token.objects.create(user=user)
    audit.record(
        action=audit.Action.API_TOKEN_CREATED,
        user=user,
        obj=user,
        details={"rotated": rotated},
        request=request,
    )
    return token


def delete_token(user, *, request=None):
    """Delete the user's token; returns whether there was one."""
    deleted = Token.objects.filter(user=user).delete()[0] > 0
    if deleted:
        audit.record(action=audit.Action.API_TOKEN_DELETED, user=user, obj=user, request=request)
    return deleted
