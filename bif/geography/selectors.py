"""Reading the area structure: units valid on a day, parents, labels, GeoJSON, Gebietsstand."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .models import Address, AreaChange, AreaLevel, AreaUnit


def valid_on(day=None):
    day = day or dt.date.today()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def level(slug):
    return AreaLevel.objects.filter(slug=slug).select_related("parent").first()


def levels_with_geometry():
    """[(slug, name)] of every level that has geometry on today's Gebietsstand."""
    slugs = set(
        AreaUnit.objects.filter(valid_on(), geometry__isnull=False).values_list(
            "level__slug", flat=True
        )
    )
    return [(lv.slug, lv.name) for lv in AreaLevel.objects.filter(slug__in=slugs)]


def units(slug, day=None):
    return AreaUnit.objects.filter(valid_on(day), level__slug=slug).order_by("code")


def parents(child_slug, parent_slug, day=None):
    """{child code: code of its ancestor on the parent level} (several levels up too)."""
    chain = []
    current = level(child_slug)
    while current is not None and current.slug != parent_slug:
        chain.append(current.slug)
        current = current.parent
    if current is None:
        return None
    mapping = dict(units(child_slug, day).exclude(parent=None).values_list("code", "parent__code"))
    for slug in chain[1:]:
        up = dict(units(slug, day).exclude(parent=None).values_list("code", "parent__code"))
        mapping = {code: up.get(parent, parent) for code, parent in mapping.items()}
    return mapping


def hierarchy(name, day=None):
    """A hierarchy named "child level->parent level" (level slugs), or None."""
    child, sep, parent = name.partition("->")
    if not sep:
        return None
    return parents(child.strip(), parent.strip(), day)


def labels(slug):
    """{code: name} of a level, over every Gebietsstand (the newest name wins)."""
    rows = AreaUnit.objects.filter(level__slug=slug).order_by("valid_from")
    return dict(rows.values_list("code", "name"))


def geojson(slug, day=None):
    """The level's units on a day as a FeatureCollection (CRS84), properties code and name."""
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name},
            "geometry": geometry,
        }
        for code, name, geometry in units(slug, day)
        .exclude(geometry=None)
        .values_list("code", "name", "geometry")
    ]
    return {"type": "FeatureCollection", "features": features}


def gebietsstand(slugs, day=None):
    """The Gebietsstand (date of the newest boundary in force) of some levels on a day."""
    newest = (
        AreaUnit.objects.filter(valid_on(day), level__slug__in=list(slugs))
        .exclude(valid_from=None)
        .order_by("-valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    return newest


def changes(slug, after, until=None):
    """Boundary changes of a level that came into force after `after` (up to `until`)."""
    rows = AreaChange.objects.filter(level__slug=slug, effective__gt=after)
    if until:
        rows = rows.filter(effective__lte=until)
    return list(rows.values("effective", "old_code", "new_code", "share"))


def names_by_level(day=None):
    """{level name: [unit names]} on a day, e.g. {"Stadtteil": ["Altstadt", …]}."""
    found = {}
    rows = AreaUnit.objects.filter(valid_on(day)).order_by("level__depth", "code")
    for level_name, name in rows.values_list("level__name", "name"):
        found.setdefault(level_name, []).append(name)
    return found


def address_register():
    """The address register's rows as plain values (street key, street, numbers, codes,
    point)."""
    return list(
        Address.objects.order_by("id").values(
            "street_key", "street", "number", "suffix", "number_to", "codes", "lon", "lat"
        )
    )
