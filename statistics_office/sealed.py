"""Whether this process holds the sealed database's credentials, and a guard for views."""

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

SEALED_UNAVAILABLE_MESSAGE = _(
    "Die Einzeldaten der Statistikstelle sind in diesem Portal nicht erreichbar. "
    "Sie liegen in der abgeschotteten Datenbank der Statistikstelle und sind nur über "
    "deren eigenen Zugang einsehbar."
)


def sealed_available():
    return bool(settings.SEALED_DATABASE_AVAILABLE) and "sealed" in settings.DATABASES


def requires_sealed(view):
    """Answer with a clear page (503) instead of an error where the sealed side is absent."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not sealed_available():
            return render(
                request,
                "statistics_office/sealed_unavailable.html",
                {"message": SEALED_UNAVAILABLE_MESSAGE},
                status=503,
            )
        return view(request, *args, **kwargs)

    return wrapper
