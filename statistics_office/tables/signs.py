"""The origin's statistical signs (Destatis), as a table from an aggregate source keeps them."""

from django.utils.translation import gettext_lazy as _

# The origin's signs that stop a sum, strongest first (a sum of a blocked and a secret
# cell is blocked).
NOT_COMPUTABLE = ("x", ".", "/", "...")
SIGN_ALIASES = {"…": "...", "–": "-"}
ZERO = "-"
STATUS_SUFFIX = "__status"
# The legend of signs as Destatis defines them, for tables, exports and dashboards.
LEGEND = {
    "-": _("nichts vorhanden (genau null)"),
    ".": _("Zahlenwert unbekannt oder geheim zu halten"),
    "x": _("Tabellenfach gesperrt, weil Aussage nicht sinnvoll"),
    "/": _("keine Angabe, da Zahlenwert nicht sicher genug"),
    "...": _("Angabe fällt später an"),
    "0": _("weniger als die Hälfte von 1 in der letzten besetzten Stelle"),
}
