"""Which published versions a request may see, found by slug, version or date.

The portal: every logged-in person sees the current publications (statistics_office's own
selector, so withdrawals and new statuses apply here too). Open-data mode: anyone, but only
tables whose current version the office marked open.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from statistics_office.tables import selectors as table_selectors
from statistics_office.tables.models import PublishedTable, TableComputation

from .models import CityProfile, PlannedRelease, TableMetadata


def city():
    """(name, Amtlicher Gemeindeschlüssel) of the publishing city: its CityProfile row, else
    the settings (a deployment without the row); the key may be empty."""
    profile = CityProfile.objects.order_by("pk").first()
    if profile is not None:
        return profile.name, profile.municipality_key or settings.BIF_CITY_AGS
    return settings.BIF_CITY_NAME, settings.BIF_CITY_AGS


def open_data_mode():
    return bool(getattr(settings, "BIF_OPEN_DATA_MODE", False))


def _open_definitions():
    """Definitions whose newest version is marked open (one query)."""
    newest = {}
    rows = PublishedTable.objects.filter(withdrawn_at__isnull=True).values_list(
        "definition_id", "version", "computation__metadata__is_open"
    )
    for definition_id, version, is_open in rows:
        if version > newest.get(definition_id, (0, False))[0]:
            newest[definition_id] = (version, bool(is_open))
    return [d for d, (_v, is_open) in newest.items() if is_open]


def open_definitions():
    """Ids of the table definitions whose current version is open data."""
    return _open_definitions()


def visible_tables(user):
    """Every version the request may see (withdrawn ones never)."""
    if open_data_mode():
        return PublishedTable.objects.filter(
            withdrawn_at__isnull=True, definition_id__in=_open_definitions()
        ).select_related("definition")
    return table_selectors.published_tables_for(user)


def current_tables(user):
    """The newest version of each visible table, by title."""
    tables = visible_tables(user).defer("cells")
    newest = tables.values("definition_id").annotate(v=Max("version"))
    wanted = {(r["definition_id"], r["v"]) for r in newest}
    return sorted(
        (t for t in tables if (t.definition_id, t.version) in wanted), key=lambda t: t.title
    )


def parse_as_of(text):
    """A date (end of that day, local time) or an ISO date-time; None if it is neither."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            end = dt.datetime.combine(day, dt.time.max)
            return timezone.make_aware(end)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def table_for(user, slug, *, version=None, as_of=None):
    """The current version of `slug`, or version N, or the version current at `as_of`."""
    tables = visible_tables(user).filter(definition__slug=slug)
    if version is not None:
        tables = tables.filter(version=version)
    if as_of is not None:
        tables = tables.filter(published_at__lte=as_of)
    # The cells load only when a format is written (rendered files are cached).
    table = tables.defer("cells").order_by("-version").first()
    if table is None:
        raise Http404
    return table


def versions_of(user, slug):
    return visible_tables(user).filter(definition__slug=slug).defer("cells").order_by("-version")


def release_calendar(user, now=None):
    """Planned dates and embargoed versions ahead, for logged-in people (titles, no cells)."""
    if not user.is_authenticated and not open_data_mode():
        return []
    now = now or timezone.now()
    entries = [
        {
            "title": p.definition.title,
            "slug": p.definition.slug,
            "at": p.planned_at,
            "note": p.note,
            "embargo": False,
        }
        for p in PlannedRelease.objects.filter(planned_at__gte=now).select_related("definition")
    ]
    embargoed = TableMetadata.objects.filter(
        release_at__gte=now, computation__status=TableComputation.Status.REVIEWED
    ).select_related("computation__definition")
    entries += [
        {
            "title": m.computation.definition.title,
            "slug": m.computation.definition.slug,
            "at": m.release_at,
            "note": m.revision_note,
            "embargo": True,
        }
        for m in embargoed
    ]
    return sorted(entries, key=lambda e: e["at"])


def open_tables():
    """The current version of each table marked open (the catalogue's datasets)."""
    ids = _open_definitions()
    tables = PublishedTable.objects.filter(withdrawn_at__isnull=True, definition_id__in=ids)
    newest = {
        r["definition_id"]: r["v"]
        for r in tables.values("definition_id").annotate(v=Max("version"))
    }
    chosen = [
        t
        for t in tables.select_related("definition").defer("cells")
        if newest[t.definition_id] == t.version
    ]
    return sorted(chosen, key=lambda t: t.title)


def first_published(tables):
    """{definition id: when its first version came out} (dct:issued)."""
    from django.db.models import Min

    rows = PublishedTable.objects.filter(definition_id__in=[t.definition_id for t in tables])
    return {
        r["definition_id"]: r["first"]
        for r in rows.values("definition_id").annotate(first=Min("published_at"))
    }
