"""Conventions shared by every API endpoint: error body, pagination, schema, API tokens."""
