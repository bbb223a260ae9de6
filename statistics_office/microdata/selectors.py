"""Reads on the sealed side. Callers must hold the sealed credentials."""

from .models import MicrodataVersion


def current_versions():
    """Current version per source id: counts and dates only, never record values."""
    return {v.source_id: v for v in MicrodataVersion.objects.filter(is_current=True)}
