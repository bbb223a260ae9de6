"""Dashboards: published, disclosure-controlled figures for all staff (filled by issue 6)."""
