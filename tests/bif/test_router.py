"""The seal between the portal database and the statistics office's database."""

import pytest
from django.apps import apps
from django.db import connections, router

from bif.db_router import SEALED_ALIAS, SEALED_APP_LABELS
from departments.models import DataSource
from statistics_office.microdata.models import MicrodataVersion


def all_models():
    return list(apps.get_models(include_auto_created=True))


def test_router_never_sends_a_sealed_model_to_default():
    sealed = [m for m in all_models() if m._meta.app_label in SEALED_APP_LABELS]
    assert sealed, "the sealed app must have models"
    for model in sealed:
        assert router.db_for_read(model) == SEALED_ALIAS
        assert router.db_for_write(model) == SEALED_ALIAS
        assert not router.allow_migrate_model("default", model)


def test_router_never_sends_a_portal_model_to_sealed():
    portal = [m for m in all_models() if m._meta.app_label not in SEALED_APP_LABELS]
    for model in portal:
        assert router.db_for_read(model) == "default", model
        assert router.db_for_write(model) == "default", model
        assert not router.allow_migrate_model(SEALED_ALIAS, model)


def test_no_relation_may_cross_the_seal():
    assert router.allow_relation(MicrodataVersion(), DataSource()) is False


@pytest.mark.django_db(databases=["default", "sealed"])
def test_sealed_tables_exist_only_in_the_sealed_database():
    sealed_tables = connections["sealed"].introspection.table_names()
    portal_tables = connections["default"].introspection.table_names()
    assert MicrodataVersion._meta.db_table in sealed_tables
    assert MicrodataVersion._meta.db_table not in portal_tables
    assert DataSource._meta.db_table in portal_tables
    assert DataSource._meta.db_table not in sealed_tables
    assert "auth_user" not in sealed_tables


@pytest.mark.django_db(databases=["default", "sealed"])
def test_sealed_model_rows_are_written_to_the_sealed_database():
    MicrodataVersion.objects.create(source_id=1, import_run_id=1, table_name="md_1_1", row_count=3)
    assert MicrodataVersion.objects.using(SEALED_ALIAS).count() == 1
    with connections["default"].cursor() as cursor:
        tables = connections["default"].introspection.table_names(cursor)
    assert MicrodataVersion._meta.db_table not in tables
