"""The import-core tests' schema as a fixture (the schema itself: tests/factories.py)."""

import pytest

from tests.factories import RESIDENT_FILES_SCHEMA


@pytest.fixture
def schema():
    return RESIDENT_FILES_SCHEMA
