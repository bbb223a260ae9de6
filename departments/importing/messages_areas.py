"""The sentences of the area assignment's findings (statistics_office/intake/areas.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

AREA_MESSAGES = {
    "area_unassigned": (
        ngettext_lazy(
            "%(count)s Datensatz liegt in keinem Gebiet der Ebene „%(level)s“",
            "%(count)s Datensätze liegen in keinem Gebiet der Ebene „%(level)s“",
            "count",
        ),
        _("Bitte die Koordinaten prüfen (Koordinatensystem, vertauschte Rechts-/Hochwerte)."),
    ),
    "address_unmatched": (
        ngettext_lazy(
            "%(count)s Datensatz hat eine Adresse, die das Adressregister nicht kennt",
            "%(count)s Datensätze haben eine Adresse, die das Adressregister nicht kennt",
            "count",
        ),
        _(
            "Bitte Straße und Hausnummer prüfen (Schreibweise, Hausnummernzusatz) oder das "
            "Adressregister ergänzen."
        ),
    ),
    "coordinates_deleted": (
        ngettext_lazy(
            "Die Hilfsmerkmale %(fields)s von %(count)s Datensatz wurden nach der Zuordnung zu "
            "Gebieten gelöscht",
            "Die Hilfsmerkmale %(fields)s von %(count)s Datensätzen wurden nach der Zuordnung "
            "zu Gebieten gelöscht",
            "count",
        ),
        None,
    ),
}
