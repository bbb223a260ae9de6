"""Sealed by credentials, not only by code: on PostgreSQL the portal's database role cannot
reach the microdata, whatever the portal's code would try."""

import numpy as np
import pandas as pd
import psycopg2
import pytest
from django.db import connections

from statistics_office.microdata import store

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

PORTAL_ROLE = "bif_portal_probe"


@pytest.fixture
def portal_role():
    """A login role like the portal's: owns the portal database's objects, nothing else."""
    sealed = connections["sealed"].settings_dict
    with connections["sealed"].cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {PORTAL_ROLE}")
        cursor.execute(f"CREATE ROLE {PORTAL_ROLE} LOGIN")
        # What deploy/postgres-init.sh does for the sealed database.
        cursor.execute(f'REVOKE ALL ON DATABASE "{sealed["NAME"]}" FROM PUBLIC')
    yield sealed
    with connections["sealed"].cursor() as cursor:
        cursor.execute(f'REVOKE ALL ON DATABASE "{sealed["NAME"]}" FROM {PORTAL_ROLE}')
        cursor.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{sealed["NAME"]}" TO PUBLIC')
        cursor.execute(f"DROP ROLE IF EXISTS {PORTAL_ROLE}")


def connect_as_portal(settings_dict):
    return psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=PORTAL_ROLE,
        host=settings_dict.get("HOST") or "127.0.0.1",
        port=settings_dict.get("PORT") or 5432,
    )


def load_marker_table():
    frame = pd.DataFrame({"Personen-ID": pd.array(["MARKER-4711"], dtype="string")})
    version = store.load_version(
        source_id=1,
        run_id=1,
        frame=frame,
        field_types={"Personen-ID": "string"},
        record_keys=np.array([0.5]),
    )
    return version.table_name


def test_portal_role_cannot_even_connect_to_the_sealed_database(portal_role):
    load_marker_table()
    with pytest.raises(psycopg2.OperationalError, match="permission denied"):
        connect_as_portal(portal_role)


def test_portal_role_cannot_read_a_microdata_table_even_when_connected(portal_role):
    table = load_marker_table()
    with connections["sealed"].cursor() as cursor:
        cursor.execute(f'GRANT CONNECT ON DATABASE "{portal_role["NAME"]}" TO {PORTAL_ROLE}')
    connection = connect_as_portal(portal_role)
    try:
        with connection.cursor() as cursor, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute(f"SELECT * FROM {table}")
    finally:
        connection.close()
