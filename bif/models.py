"""The base layer's one model: personal API tokens, stored as a hash of the key."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def digest(key):
    """SHA-256 of a key. Keys are 160 random bits, so no salt or slow hash is needed: the
    digest cannot be turned back into a key, and a stolen database opens no API access."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key():
    return secrets.token_hex(20)


class ApiToken(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    digest = models.CharField(_("Prüfwert des Tokens (SHA-256)"), max_length=64, unique=True)
    created = models.DateTimeField(_("erzeugt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")

    def __str__(self):
        return f"API-Token #{self.pk}"
