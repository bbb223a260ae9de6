"""Routes the statistics office's microdata to the sealed database and nothing else there.

The `microdata` app (statistics_office/microdata) is the only app whose tables live in
`sealed`; every other model lives in `default`. A process without sealed credentials has no
`sealed` alias at all, so a stray query fails instead of falling back to `default`.
"""

SEALED_ALIAS = "sealed"
SEALED_APP_LABELS = frozenset({"microdata"})


def is_sealed_app(app_label):
    return app_label in SEALED_APP_LABELS


class SealedRouter:
    def db_for_read(self, model, **hints):
        return SEALED_ALIAS if is_sealed_app(model._meta.app_label) else "default"

    def db_for_write(self, model, **hints):
        return SEALED_ALIAS if is_sealed_app(model._meta.app_label) else "default"

    def allow_relation(self, obj1, obj2, **hints):
        # No foreign key may cross the seal; ids are stored as plain integers instead.
        return is_sealed_app(obj1._meta.app_label) == is_sealed_app(obj2._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == SEALED_ALIAS:
            return is_sealed_app(app_label)
        return not is_sealed_app(app_label)
