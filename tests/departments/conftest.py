"""Fixtures of the department side's tests: a source with the residents' schema."""

import pytest

from departments import services
from tests.factories import RESIDENT_SCHEMA


@pytest.fixture
def resident_source(source):
    services.set_schema(source, RESIDENT_SCHEMA)
    return source


@pytest.fixture
def chunked(settings):
    """Every CSV is read in chunks of 7 records, as a file larger than memory would be."""
    settings.IMPORT_CHUNK_BYTES = 0
    settings.IMPORT_CHUNK_ROWS = 7
