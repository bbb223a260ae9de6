"""Make the audit log append-only in the database itself.

Both PostgreSQL and SQLite refuse UPDATE and DELETE on statistics_office_auditentry. The one
exception is Django's on_delete=SET_NULL: when a user or data source is deleted, `user_id`
or `source_id` may become NULL while every other column stays as it is (the hash covers the
readable copies `username` and `source_label`, not the foreign keys).

PostgreSQL: TRUNCATE is not blocked (Django's test flush uses it); truncating the log is still
detected by `manage.py verify_audit_log` through the AuditHead high-water mark.

SQLite: changing a column of this table in a later migration makes Django rebuild the table,
which drops these triggers. Such a migration must run CREATE TRIGGER again (copy the SQL
below, with the new column list).
"""

from django.db import migrations

TABLE = "statistics_office_auditentry"

# Every column except the two foreign keys that on_delete=SET_NULL may clear.
FIXED_COLUMNS = (
    "id",
    "sequence",
    "created_at",
    "action",
    "username",
    "content_type_id",
    "object_id",
    "object_repr",
    "source_label",
    "purpose",
    "outcome",
    "details",
    "ip_address",
    "previous_hash",
    "entry_hash",
)

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION statistics_office_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'user_id' - 'source_id') = (to_jsonb(OLD) - 'user_id' - 'source_id')
       AND (NEW.user_id IS NULL OR NEW.user_id IS NOT DISTINCT FROM OLD.user_id)
       AND (NEW.source_id IS NULL OR NEW.source_id IS NOT DISTINCT FROM OLD.source_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on {TABLE} refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER statistics_office_auditentry_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION statistics_office_audit_append_only();
"""

POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS statistics_office_auditentry_append_only ON {TABLE};
DROP FUNCTION IF EXISTS statistics_office_audit_append_only();
"""

_UNCHANGED = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in FIXED_COLUMNS)

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER statistics_office_auditentry_no_update
BEFORE UPDATE ON {TABLE}
WHEN NOT ({_UNCHANGED}
          AND (NEW.user_id IS NULL OR NEW.user_id IS OLD.user_id)
          AND (NEW.source_id IS NULL OR NEW.source_id IS OLD.source_id))
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
""",
    f"""
CREATE TRIGGER statistics_office_auditentry_no_delete
BEFORE DELETE ON {TABLE}
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS statistics_office_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS statistics_office_auditentry_no_delete;",
]


def _run(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    # params=None: the SQL contains a literal % (plpgsql's RAISE placeholder).
    if vendor == "postgresql":
        schema_editor.execute(postgres, params=None)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement, params=None)
    else:
        raise RuntimeError(f"No append-only triggers for the audit log on {vendor}.")


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARD, SQLITE_FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_BACKWARD, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("statistics_office", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
