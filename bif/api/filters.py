"""Filtering convention: each list endpoint declares its query parameters as a small
serializer. The same class documents them in the schema (`extend_schema(parameters=[…])`)
and validates them, so a bad value is a 400 naming the parameter, never a 500."""

from django.urls import converters
from rest_framework import serializers

# Ids in URLs: at most 18 digits, so a huge number is a 404 and never overflows the database.
ID_PATTERN = "[0-9]{1,18}"


class IdConverter(converters.IntConverter):
    regex = ID_PATTERN


def query_filters(serializer_class, request):
    """The validated query parameters of `request` (400 with the field names if invalid)."""
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return {name: value for name, value in filters.validated_data.items() if value not in ("",)}


class SearchField(serializers.CharField):
    """A free-text search term: short, trimmed, empty means no filter."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)
