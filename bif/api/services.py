"""API tokens: each person has at most one; creating, replacing and deleting it is audited.

Only a hash of the key is stored (bif.models.ApiToken). The key itself is shown once, on the
page that made it, and never written to the database or the audit log."""

from django.db import transaction

from bif import audit
from bif.models import ApiToken, digest, new_key


def token_of(user):
    return ApiToken.objects.filter(user=user).first()


def issue_token(user, *, request=None):
    """Create the user's token, or replace the existing one (the old key stops working at
    once). Returns the new ApiToken with its key in `.key`, for showing once."""
    key = new_key()
    with transaction.atomic():
        rotated = ApiToken.objects.filter(user=user).delete()[0] > 0
        token = ApiToken.objects.create(user=user, digest=digest(key))
    token.key = key
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
    deleted = ApiToken.objects.filter(user=user).delete()[0] > 0
    if deleted:
        audit.record(action=audit.Action.API_TOKEN_DELETED, user=user, obj=user, request=request)
    return deleted
