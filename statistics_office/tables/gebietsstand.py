"""The Gebietsstand a table is published on, and the footnote of a time series whose
versions lie on both sides of a boundary change (re-aggregated to today's boundaries)."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bif.geography import selectors as areas


def levels_of(dimensions):
    """The area levels a definition's dimensions use (their slugs)."""
    slugs = []
    for spec in dimensions or []:
        if spec.get("level"):
            slugs.append(spec["level"])
        if spec.get("kind") == "hierarchy" and "->" in spec.get("hierarchy", ""):
            slugs += [part.strip() for part in spec["hierarchy"].split("->")]
    return list(dict.fromkeys(slugs))


def describe(dimensions, reference_dates, today=None):
    """{"gebietsstand": ISO date or None, "area_note": footnote or ""} for the stats."""
    slugs = levels_of(dimensions)
    if not slugs:
        return {"gebietsstand": None, "area_note": ""}
    today = today or dt.date.today()
    stand = areas.gebietsstand(slugs, today)
    dates = sorted(d for d in reference_dates if d)
    note = ""
    if dates:
        found = [c for slug in slugs for c in areas.changes(slug, dates[0], today)]
        effective = sorted({c["effective"] for c in found})
        if effective:
            note = _(
                "Zeitreihe über eine Gebietsänderung (wirksam ab %(dates)s): die Stichtage "
                "davor sind auf den Gebietsstand vom %(stand)s umgerechnet."
            ) % {
                "dates": ", ".join(date_format(d, "d.m.Y") for d in effective),
                "stand": date_format(stand, "d.m.Y") if stand else "",
            }
            if any(c["share"] < 1 for c in found):
                note += " " + _(
                    "Geteilte Gebiete sind nach Anteilen umgerechnet; ihre Werte sind geschätzt "
                    "(s), gerundet so, dass die Summen erhalten bleiben."
                )
    return {"gebietsstand": stand.isoformat() if stand else None, "area_note": note}
