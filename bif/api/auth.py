"""`Authorization: Token <key>` against the stored hash of the key (bif.models.ApiToken)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from bif.models import ApiToken, digest


class HashedTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
            if key
            else None
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Ungültiges Token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Benutzer inaktiv oder gelöscht."))
        return (token.user, token)
