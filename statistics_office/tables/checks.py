"""What every table service checks first: the office's rights on each source, and the
error a request that cannot be carried out raises (its message is for people)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bif import audit
from statistics_office import access

# Checks an upper layer registers (ARCHITECTURE.md: the upper layer registers itself with the
# lower one): publication.publish calls each as guard(computation) and a guard raises
# TableError to refuse — dissemination refuses a table before its release time (embargo).
PUBLISH_GUARDS = []


class TableError(ValueError):
    """A request that cannot be carried out; the message is for people (German)."""


def require(user, permission, sources, *, obj=None):
    for source in sources:
        if not access.may(user, permission, source):
            audit.record(
                action=audit.Action.ACCESS_DENIED,
                user=user,
                obj=obj,
                source=source,
                outcome=audit.Outcome.DENIED,
                details={"permission": permission},
            )
            raise PermissionDenied(
                _("Ihnen fehlt die Freigabe „%(perm)s“ für die Datenquelle „%(source)s“.")
                % {"perm": permission, "source": source.name}
            )
