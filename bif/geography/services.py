"""Loading a Gebietsstand: read, validate, then store all of it or nothing.

One way in: `manage.py load_areas`, the admin page and the demo city call `load_areas`.
"""

from __future__ import annotations

from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from . import classifications
from . import files as area_files
from .messages import sentence
from .models import Address, AreaChange, AreaLevel, AreaSystem, AreaUnit
from .register_files import ADDRESS_FILE, read_register
from .validation import TOLERANCE, validate  # noqa: F401 - TOLERANCE for callers

CHANGES_FILE = "aenderungen.csv"


class AreaFilesRejected(Exception):
    """The package has findings; ``problems`` are German sentences naming file and row."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def read_folder(folder):
    """{file name: bytes} of an area package folder (ebenen.csv, gebiete.csv, *.geojson)."""
    folder = Path(folder)
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.suffix.lower() in (".csv", ".geojson", ".json")
    }


def check(files, *, tolerance=TOLERANCE):
    """(parsed package, [German sentences]) without storing anything."""
    if ADDRESS_FILE in files and not {area_files.LEVELS_FILE, area_files.UNITS_FILE} & set(files):
        return None, _read_register(files[ADDRESS_FILE], [])[1]
    parsed = area_files.read_area_files(files)
    findings = list(parsed.findings)
    if not findings:
        findings += validate(parsed, tolerance=tolerance)
    problems = [sentence(f) for f in findings]
    if ADDRESS_FILE in files and not problems:
        problems += _read_register(files[ADDRESS_FILE], parsed.units)[1]
    return parsed, problems


def load_areas(files, *, tolerance=TOLERANCE):
    """Store a package; an existing unit (same level, code and valid_from) is replaced.
    With adressen.csv the address register is replaced too (alone: only the register)."""
    if ADDRESS_FILE in files and not {area_files.LEVELS_FILE, area_files.UNITS_FILE} & set(files):
        return load_register(files[ADDRESS_FILE])
    parsed, problems = check(files, tolerance=tolerance)
    register = None
    if ADDRESS_FILE in files and not problems:
        register = _read_register(files[ADDRESS_FILE], parsed.units)[0]
    changes = []
    if CHANGES_FILE in files:
        changes, change_problems = _read_changes(
            files[CHANGES_FILE], {lv.slug for lv in parsed.levels}
        )
        problems += change_problems
    if problems:
        raise AreaFilesRejected(problems)
    with transaction.atomic():
        levels = _store_levels(parsed.levels)
        units = _store_units(parsed.units, levels)
        for change in changes:
            AreaChange.objects.update_or_create(
                level=levels[change["ebene"]],
                effective=change["wirksam_ab"],
                old_code=change["alt"],
                new_code=change["neu"],
                defaults={"share": change["anteil"]},
            )
        if register is not None:
            _store_register(register)
    return {
        "levels": len(levels),
        "units": len(units),
        "changes": len(changes),
        "addresses": len(register.rows) if register is not None else 0,
    }


def load_register(data):
    """Replace the address register (adressen.csv) on today's area structure."""
    register, problems = _read_register(data, [])
    if problems:
        raise AreaFilesRejected(problems)
    with transaction.atomic():
        _store_register(register)
    return {"levels": 0, "units": 0, "changes": 0, "addresses": len(register.rows)}


def _read_register(data, package_units):
    known = {}
    for slug, code in AreaUnit.objects.values_list("level__slug", "code"):
        known.setdefault(slug, set()).add(code)
    for unit in package_units:
        known.setdefault(unit.level, set()).add(unit.code)
    register = read_register(data, known)
    return register, [sentence(f) for f in register.findings]


def _store_register(register):
    Address.objects.all().delete()
    Address.objects.bulk_create(
        [
            Address(
                street_key=row["street_key"],
                street=row["street"],
                number=row["number"],
                suffix=row["suffix"],
                number_to=row["number_to"],
                codes=row["codes"],
                lon=row["x"],
                lat=row["y"],
            )
            for row in register.rows
        ],
        batch_size=2000,
    )


def load_package(files, *, tolerance=TOLERANCE, check_only=False):
    """A city's package, all or nothing: its Gebietsstand (and address register, and
    boundary changes) and klassifikationen.csv, in any combination. ``check_only``: the
    findings, nothing kept. Raises AreaFilesRejected with every problem."""
    files = dict(files)
    codes = files.pop(classifications.FILE, None)
    if not files and codes is None:
        raise AreaFilesRejected([_("Bitte mindestens eine Datei wählen.")])
    counts = {"levels": 0, "units": 0, "changes": 0, "addresses": 0, "classifications": 0}
    try:
        with transaction.atomic():
            if files:
                counts.update(load_areas(files, tolerance=tolerance))
            if codes is not None:
                try:
                    counts["classifications"] = classifications.load(codes)
                except classifications.ClassificationRejected as rejected:
                    raise AreaFilesRejected(rejected.problems) from None
            if check_only:
                raise _CheckedOnly
    except _CheckedOnly:
        pass
    return counts


class _CheckedOnly(Exception):
    """Rolls back a check: everything was read and validated, nothing is kept."""


def _store_levels(rows):
    levels = {}
    by_slug = {r.slug: r for r in rows}

    def depth(row, seen=()):
        if not row.parent or row.parent in seen or row.parent not in by_slug:
            return 0
        return 1 + depth(by_slug[row.parent], (*seen, row.slug))

    for row in sorted(rows, key=lambda r: (bool(r.built_from), depth(r))):
        system, _ = AreaSystem.objects.get_or_create(name=row.system)
        levels[row.slug], _ = AreaLevel.objects.update_or_create(
            slug=row.slug,
            defaults={
                "system": system,
                "name": row.name,
                "depth": depth(row),
                "parent": levels.get(row.parent) if row.parent else None,
                "built_from": levels.get(row.built_from) if row.built_from else None,
            },
        )
    return levels


def _store_units(rows, levels):
    stored = {}
    # Levels built from others come after every level of the base structure.
    ordered = sorted(rows, key=lambda r: (bool(levels[r.level].built_from), levels[r.level].depth))
    for row in ordered:
        level = levels[row.level]
        parent = None
        if row.parent and level.parent:
            parent = stored.get((level.parent.slug, row.parent)) or _current(
                level.parent, row.parent
            )
        members = []
        if level.built_from:
            members = [
                stored.get((level.built_from.slug, code)) or _current(level.built_from, code)
                for code in row.members
            ]
        geometry = row.geometry
        if geometry is None and members and all(m.geometry for m in members):
            geometry = shapely.union_all([shapely.geometry.shape(m.geometry) for m in members])
        unit, _ = AreaUnit.objects.update_or_create(
            level=level,
            code=row.code,
            valid_from=row.valid_from,
            defaults={
                "name": row.name,
                "parent": parent,
                "valid_to": row.valid_to,
                "geometry": shapely.geometry.mapping(geometry) if geometry is not None else None,
            },
        )
        if level.built_from:
            unit.members.set(members)
        stored[(level.slug, row.code)] = unit
    return stored


def _current(level, code):
    return AreaUnit.objects.filter(level=level, code=code).order_by("-valid_from").first()


def _read_changes(data, package_levels):
    """aenderungen.csv: ebene; wirksam_ab; alt; neu; anteil (share of the old unit, 0–1)."""
    findings = []
    rows = area_files._rows(data, CHANGES_FILE, findings)
    if not area_files._required(
        rows, CHANGES_FILE, ("ebene", "wirksam_ab", "alt", "neu"), findings
    ):
        return [], [sentence(f) for f in findings]
    changes, problems = [], []
    known = set(AreaLevel.objects.values_list("slug", flat=True)) | set(package_levels)
    for number, row in rows:
        day = area_files._date(row["wirksam_ab"], CHANGES_FILE, number, "wirksam_ab", findings)
        try:
            share = float((row.get("anteil") or "1").replace(",", "."))
        except ValueError:
            share = -1.0
        if not 0 < share <= 1:
            problems.append(
                _("%(file)s, Zeile %(row)s: der Anteil muss zwischen 0 und 1 liegen.")
                % {"file": CHANGES_FILE, "row": number}
            )
        changes.append({**row, "wirksam_ab": day, "anteil": share, "row": number})
    problems += [sentence(f) for f in findings]
    totals = {}
    for change in changes:
        key = (change["ebene"], change["wirksam_ab"], change["alt"])
        totals.setdefault(key, []).append(change)
    for (_level, _day, old), parts in totals.items():
        if len(parts) > 1 and abs(sum(p["anteil"] for p in parts) - 1) > 0.001:
            problems.append(
                _(
                    "%(file)s, Zeilen %(rows)s: die Anteile von „%(old)s“ ergeben zusammen "
                    "%(sum)s statt 1; ein geteiltes Gebiet muss ganz verteilt werden."
                )
                % {
                    "file": CHANGES_FILE,
                    "rows": ", ".join(str(p["row"]) for p in parts),
                    "old": old,
                    "sum": f"{sum(p['anteil'] for p in parts):.3f}".replace(".", ","),
                }
            )
    for change in changes:
        if change["ebene"] not in known:
            problems.append(
                _("%(file)s, Zeile %(row)s: die Ebene „%(level)s“ gibt es nicht.")
                % {"file": CHANGES_FILE, "row": change["row"], "level": change["ebene"]}
            )
    return changes, problems
