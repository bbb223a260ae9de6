"""Validation of an area package before anything is stored: codes, parents, geometry.

Pure (no Django). Children must cover their parent: what is left of the parent outside its
children (a gap), what two children share (an overlap) and what a child has outside its
parent count only beyond a tolerance, a share of the parent's area, since boundaries from
different surveys never meet exactly.
"""

from __future__ import annotations

from collections import defaultdict

import shapely

from .findings import Finding

TOLERANCE = 0.001  # 0.1 % of the parent's area


def validate(area_files, *, tolerance=TOLERANCE):
    findings = []
    levels = {}
    for level in area_files.levels:
        if level.slug in levels:
            findings.append(
                Finding("duplicate_level", "ebenen.csv", row=level.row, level=level.slug)
            )
        levels[level.slug] = level
    for level in area_files.levels:
        for other in (level.parent, level.built_from):
            if other and other not in levels:
                findings.append(
                    Finding(
                        "unknown_level", "ebenen.csv", row=level.row, level=level.slug, value=other
                    )
                )
    by_level = defaultdict(dict)
    for unit in area_files.units:
        if unit.level not in levels:
            findings.append(
                Finding(
                    "unknown_level", "gebiete.csv", row=unit.row, unit=unit.code, value=unit.level
                )
            )
            continue
        key = (unit.code, unit.valid_from)
        if key in by_level[unit.level]:
            findings.append(
                Finding(
                    "duplicate_code",
                    "gebiete.csv",
                    row=unit.row,
                    level=unit.level,
                    unit=unit.code,
                    extra={"first_row": by_level[unit.level][key].row},
                )
            )
            continue
        by_level[unit.level][key] = unit
    codes = {slug: {code for code, _ in units} for slug, units in by_level.items()}
    for slug, units in by_level.items():
        level = levels[slug]
        for unit in units.values():
            findings += _unit_findings(unit, level, codes)
    findings += _geometry_findings(area_files.units, levels, by_level, tolerance)
    return findings


def _unit_findings(unit, level, codes):
    found = []
    if level.parent:
        if not unit.parent:
            found.append(
                Finding("orphan", "gebiete.csv", row=unit.row, level=level.slug, unit=unit.code)
            )
        elif unit.parent not in codes.get(level.parent, set()):
            found.append(
                Finding(
                    "unknown_parent",
                    "gebiete.csv",
                    row=unit.row,
                    level=level.slug,
                    unit=unit.code,
                    value=unit.parent,
                )
            )
    if level.built_from:
        if not unit.members:
            found.append(
                Finding("no_members", "gebiete.csv", row=unit.row, level=level.slug, unit=unit.code)
            )
        for member in unit.members:
            if member not in codes.get(level.built_from, set()):
                found.append(
                    Finding(
                        "unknown_member",
                        "gebiete.csv",
                        row=unit.row,
                        level=level.slug,
                        unit=unit.code,
                        value=member,
                    )
                )
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        found.append(
            Finding("bad_validity", "gebiete.csv", row=unit.row, level=level.slug, unit=unit.code)
        )
    return found


def _geometry_findings(units, levels, by_level, tolerance):
    found, valid = [], {}
    for unit in units:
        if unit.geometry is None or unit.level not in levels:
            continue
        if not shapely.is_valid(unit.geometry):
            found.append(
                Finding(
                    "invalid_geometry",
                    f"{unit.level}.geojson",
                    level=unit.level,
                    unit=unit.code,
                    value=shapely.is_valid_reason(unit.geometry),
                )
            )
        elif unit.geometry.geom_type not in ("Polygon", "MultiPolygon"):
            found.append(
                Finding(
                    "not_a_polygon",
                    f"{unit.level}.geojson",
                    level=unit.level,
                    unit=unit.code,
                    value=unit.geometry.geom_type,
                )
            )
        else:
            valid[(unit.level, unit.code, unit.valid_from)] = unit
    for slug, level in levels.items():
        if not level.parent:
            continue
        children = defaultdict(list)
        for unit in by_level.get(slug, {}).values():
            if valid.get((slug, unit.code, unit.valid_from)) is unit:
                children[unit.parent].append(unit)
        parents = {u.code: u for u in by_level.get(level.parent, {}).values()}
        for parent_code, kids in sorted(children.items()):
            parent = parents.get(parent_code)
            if (
                parent is None
                or valid.get((level.parent, parent.code, parent.valid_from)) is not parent
            ):
                continue
            found += _cover(parent, kids, slug, tolerance)
    return found


def _cover(parent, kids, level, tolerance):
    """Gaps, overlaps and overhangs of one parent's children, each beyond the tolerance."""
    found = []
    limit = tolerance * parent.geometry.area
    union = shapely.union_all([k.geometry for k in kids])
    gap = shapely.difference(parent.geometry, union).area
    if gap > limit:
        found.append(
            Finding(
                "gap",
                f"{level}.geojson",
                level=level,
                unit=parent.code,
                value=round(100 * gap / parent.geometry.area, 2),
            )
        )
    geoms = [k.geometry for k in kids]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        shared = shapely.intersection(geoms[i], geoms[j]).area
        if shared > limit:
            found.append(
                Finding(
                    "overlap",
                    f"{level}.geojson",
                    level=level,
                    unit=kids[i].code,
                    value=kids[j].code,
                    extra={"share": round(100 * shared / parent.geometry.area, 2)},
                )
            )
    for kid in kids:
        outside = shapely.difference(kid.geometry, parent.geometry).area
        if outside > limit:
            found.append(
                Finding(
                    "outside_parent",
                    f"{level}.geojson",
                    level=level,
                    unit=kid.code,
                    value=parent.code,
                )
            )
    return found
