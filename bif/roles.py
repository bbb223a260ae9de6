"""The four roles of BIF, as Django groups (created by departments' migration 0002)."""

from django.utils.translation import gettext_lazy as _

STAFF = "Mitarbeitende"
ANALYST = "Fachbereich-Analyse"
STATISTICIAN = "Statistikstelle"
ADMINISTRATION = "Administration"

ALL_ROLES = (STAFF, ANALYST, STATISTICIAN, ADMINISTRATION)

ROLE_DESCRIPTIONS = {
    STAFF: _("Veröffentlichte Dashboards und Tabellen ansehen"),
    ANALYST: _("Exporte für Datenquellen des eigenen Fachbereichs hochladen"),
    STATISTICIAN: _("Mit Freigabe: Einzeldaten, Plausibilisierung, Tabellen, Veröffentlichung"),
    ADMINISTRATION: _("Benutzer, Fachbereiche, Katalog und Freigaben verwalten"),
}


def has_role(user, role):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Groups are cached per request object so navigation does not query per check.
    names = getattr(user, "_bif_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._bif_role_names = names
    return role in names


# Model permissions per role; object permissions (grants, uploads) come on top.
ROLE_PERMISSIONS = {
    STAFF: [],
    ANALYST: [],
    STATISTICIAN: [],
    ADMINISTRATION: [
        ("departments", "add_department"),
        ("departments", "change_department"),
        ("departments", "view_department"),
        ("departments", "add_datasource"),
        ("departments", "change_datasource"),
        ("departments", "view_datasource"),
        ("departments", "add_departmentmembership"),
        ("departments", "change_departmentmembership"),
        ("departments", "delete_departmentmembership"),
        ("departments", "view_departmentmembership"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_user"),
        ("auth", "view_group"),
    ],
}


# Added after departments' migration 0002, which creates the roles from ROLE_PERMISSIONS as
# they were then; ensure_roles (after every migrate) gives them these too.
LATER_ROLE_PERMISSIONS = {
    # Schemas are versions: added, never changed (the admin page and the schema editor).
    ADMINISTRATION: [
        ("departments", "add_schemaversion"),
        ("departments", "view_schemaversion"),
        # The city's area structure (Gebietsstand): loaded and kept by the administration.
        ("geography", "add_areaunit"),
        ("geography", "change_areaunit"),
        ("geography", "view_areaunit"),
        ("geography", "view_arealevel"),
        ("geography", "view_areasystem"),
        ("geography", "view_areachange"),
        ("geography", "view_address"),
        ("geography", "view_classification"),
        ("geography", "view_classificationversion"),
    ],
}


def ensure_roles(**kwargs):
    """Create the role groups with their permissions; idempotent (runs after every migrate
    and after a test database flush, via post_migrate)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        perms = [*perms, *LATER_ROLE_PERMISSIONS.get(role, [])]
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [
            Permission.objects.filter(content_type__app_label=app, codename=codename).first()
            for app, codename in perms
        ]
        group.permissions.add(*[p for p in wanted if p is not None])
