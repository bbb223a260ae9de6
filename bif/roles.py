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
