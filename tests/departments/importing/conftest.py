"""Shared schema and helpers for the import-core tests: a small resident register."""

from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"

STADTTEILE = [f"{n:02d}" for n in range(1, 14)]

RESIDENT_SCHEMA = {
    "fields": [
        {
            "name": "person_id",
            "type": "string",
            "title": "Personen-ID",
            "aliases": ["PersNr"],
            "constraints": {"required": True, "unique": True, "pattern": r"\d{6}"},
        },
        {
            "name": "geburtsdatum",
            "type": "date",
            "constraints": {"required": True, "minimum": "1890-01-01"},
        },
        {
            "name": "geschlecht",
            "type": "string",
            "constraints": {"required": True, "enum": ["m", "w", "d"]},
        },
        {
            "name": "stadtteil",
            "type": "string",
            "constraints": {"required": True, "enum": STADTTEILE},
        },
        {"name": "staatsangehoerigkeit", "type": "string", "title": "Staatsangehörigkeit"},
        {
            "name": "haushalt_personen",
            "type": "integer",
            "title": "Personen im Haushalt",
            "constraints": {"minimum": 1, "maximum": 99},
        },
        {"name": "miete", "type": "number", "constraints": {"minimum": 0}},
        {"name": "deutsch", "type": "boolean"},
    ],
    "primaryKey": ["person_id"],
    "missingValues": [""],
}


@pytest.fixture
def schema():
    return RESIDENT_SCHEMA
