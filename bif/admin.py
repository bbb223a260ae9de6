"""API tokens are secrets: no admin page lists them (DRF's would show every key, so whoever
sees it could act as anyone). People manage their own at /konto/api-token/."""

from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
