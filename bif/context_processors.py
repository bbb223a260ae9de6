"""Template context shared by every page: the navigation the user's roles allow."""

from django.conf import settings

from . import roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "catalog": True,
            "dashboards": True,
            "uploads": roles.has_role(user, roles.ANALYST),
            "table_builder": roles.has_role(user, roles.STAFF),
            "statistics_office": roles.has_role(user, roles.STATISTICIAN),
            "administration": roles.has_role(user, roles.ADMINISTRATION) or user.is_staff,
        },
        "sealed_available": settings.SEALED_DATABASE_AVAILABLE,
        "secret_sign": settings.BIF_SECRET_SIGN,
    }
