"""Pages: the office's metadata form, the release calendar, stable table URLs by slug."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from statistics_office.tables import selectors as table_selectors

from . import selectors, services
from .forms import MetadataForm


@login_required
def metadata_form(request, pk):
    computation = table_selectors.computation_for(request.user, pk)
    try:
        metadata = services.metadata_for_editing(request.user, computation)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(computation.get_absolute_url())
    form = MetadataForm(request.POST or None, instance=metadata)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        release_at = data.pop("release_at", None)
        try:
            services.save_metadata(request.user, computation, **data)
            if release_at and release_at != metadata.release_at:
                services.schedule_release(request.user, computation, release_at)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Metadaten gespeichert."))
            return redirect(computation.get_absolute_url())
    return render(
        request,
        "dissemination/metadata_form.html",
        {"form": form, "computation": computation, "definition": computation.definition},
    )


@login_required
def release_calendar(request):
    return render(
        request,
        "dissemination/release_calendar.html",
        {"entries": selectors.release_calendar(request.user)},
    )


@login_required
def table_page(request, slug):
    """A stable address per table: always the current version (or ?version=N)."""
    version = request.GET.get("version")
    table = selectors.table_for(
        request.user, slug, version=int(version) if version and version.isdigit() else None
    )
    return redirect(table.get_absolute_url())
