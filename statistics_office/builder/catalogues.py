"""Catalogue templates the office starts from: what a residents' register offers."""

from .models import Catalogue

RESIDENT_ITEMS = [
    {
        "key": "stadtteil",
        "label": "Stadtteil",
        "group": "gebiet",
        "filter": True,
        "dimension": {"field": "Stadtteil", "kind": "code", "level": "stadtteil"},
    },
    {
        "key": "geschlecht",
        "label": "Geschlecht",
        "filter": True,
        "dimension": {"field": "Geschlecht", "kind": "code", "codelist": "geschlecht"},
    },
    {
        "key": "alter5",
        "label": "Alter (5-Jahres-Gruppen)",
        "group": "alter",
        "dimension": {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y95"},
    },
    {
        "key": "alter_planung",
        "label": "Alter (Planungsgruppen)",
        "group": "alter",
        "dimension": {"field": "Geburtsdatum", "kind": "age_band", "bands": "planning"},
    },
]


def offer_residents(source, **fields):
    """The residents' catalogue on ``source`` (kept as it is if the office has one)."""
    catalogue, _created = Catalogue.objects.get_or_create(
        source=source, defaults={"items": RESIDENT_ITEMS, **fields}
    )
    return catalogue
