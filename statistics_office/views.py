"""Pages of the statistics office. Microdata pages need the sealed database."""

from django.contrib.auth.decorators import user_passes_test
from django.shortcuts import render

from bif import roles
from departments.selectors import data_sources_for

from .microdata import selectors as microdata_selectors
from .sealed import requires_sealed


def is_statistician(user):
    return roles.has_role(user, roles.STATISTICIAN)


@user_passes_test(is_statistician)
@requires_sealed
def microdata_overview(request):
    sources = data_sources_for(request.user, "view")
    versions = microdata_selectors.current_versions()
    rows = [(source, versions.get(source.id)) for source in sources]
    return render(request, "statistics_office/microdata_overview.html", {"rows": rows})
