"""Reading a city's area files: levels and units (CSV) and their geometry (GeoJSON).

Pure (no Django): bytes in, plain records and findings out. Geometry in ETRS89/UTM 32N
(EPSG:25832) is converted to CRS84 (lon/lat), the one system maps and assignment use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

import shapely
from pyproj import Transformer

from .findings import Finding

LEVELS_FILE = "ebenen.csv"
UNITS_FILE = "gebiete.csv"
CRS84 = "CRS84"
UTM32N = "EPSG:25832"
CRS_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84": CRS84,
    "urn:ogc:def:crs:EPSG::4326": CRS84,
    "EPSG:4326": CRS84,
    "urn:ogc:def:crs:EPSG::25832": UTM32N,
    "EPSG:25832": UTM32N,
}


@dataclass
class LevelRow:
    slug: str
    name: str
    parent: str  # slug of the level above, "" at the top
    system: str  # the area system's name
    built_from: str  # slug of the base level whose units make up this level's units
    row: int


@dataclass
class UnitRow:
    level: str
    code: str
    name: str
    parent: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    members: list[str]
    row: int
    geometry: object = None  # shapely geometry in CRS84, or None


@dataclass
class AreaFiles:
    levels: list[LevelRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _rows(data, file_name, findings):
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for number, row in enumerate(reader, start=2):
        rows.append(
            (number, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
        )
    if not rows:
        findings.append(Finding("empty_file", file_name))
    return rows


def _required(rows, file_name, columns, findings):
    present = set(rows[0][1]) if rows else set()
    missing = [c for c in columns if c not in present]
    for column in missing:
        findings.append(Finding("missing_column", file_name, column=column))
    return not missing


def _date(value, file_name, row, column, findings):
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    findings.append(Finding("bad_date", file_name, row=row, column=column, value=value))
    return None


def read_levels(data, findings, file_name=LEVELS_FILE):
    rows = _rows(data, file_name, findings)
    if not _required(rows, file_name, ("ebene", "bezeichnung"), findings):
        return []
    return [
        LevelRow(
            slug=r["ebene"],
            name=r["bezeichnung"],
            parent=r.get("uebergeordnet", ""),
            system=r.get("system", "") or "Kleinräumige Gliederung",
            built_from=r.get("aufgebaut_aus", ""),
            row=n,
        )
        for n, r in rows
    ]


def read_units(data, findings, file_name=UNITS_FILE):
    rows = _rows(data, file_name, findings)
    if not _required(rows, file_name, ("ebene", "code", "name"), findings):
        return []
    units = []
    for n, r in rows:
        units.append(
            UnitRow(
                level=r["ebene"],
                code=r["code"],
                name=r["name"],
                parent=r.get("uebergeordnet", ""),
                valid_from=_date(r.get("gueltig_ab", ""), file_name, n, "gueltig_ab", findings),
                valid_to=_date(r.get("gueltig_bis", ""), file_name, n, "gueltig_bis", findings),
                members=r.get("bausteine", "").split(),
                row=n,
            )
        )
    return units


def crs_of(collection):
    name = ((collection.get("crs") or {}).get("properties") or {}).get("name", "")
    if not name:
        return CRS84  # RFC 7946: GeoJSON without a crs member is lon/lat
    return CRS_NAMES.get(name)


def read_geometry(data, file_name, findings, *, code_property="code"):
    """{code: (feature number, shapely geometry in CRS84)} of one GeoJSON file."""
    try:
        collection = json.loads(data)
        features = collection["features"]
    except (ValueError, KeyError, TypeError):
        findings.append(Finding("bad_geojson", file_name))
        return {}
    crs = crs_of(collection)
    if crs is None:
        findings.append(Finding("unknown_crs", file_name, value=collection["crs"]))
        return {}
    found = {}
    for number, feature in enumerate(features, start=1):
        code = str((feature.get("properties") or {}).get(code_property, "")).strip()
        if not code:
            findings.append(Finding("feature_without_code", file_name, row=number))
            continue
        try:
            geometry = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
            findings.append(Finding("bad_feature", file_name, row=number, unit=code))
            continue
        found[code] = (number, geometry)
    if crs == UTM32N and found:
        transformer = Transformer.from_crs(UTM32N, "OGC:CRS84", always_xy=True)
        for code, (number, geometry) in found.items():
            found[code] = (number, shapely.transform(geometry, _projector(transformer)))
    return found


def _projector(transformer):
    def project(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        coords[:, 0], coords[:, 1] = x, y
        return coords

    return project


def read_area_files(files, *, code_property="code"):
    """An area package: {file name: bytes} with ebenen.csv, gebiete.csv and one
    <ebene>.geojson per level that has geometry."""
    result = AreaFiles()
    if LEVELS_FILE not in files or UNITS_FILE not in files:
        for name in (LEVELS_FILE, UNITS_FILE):
            if name not in files:
                result.findings.append(Finding("missing_file", name))
        return result
    result.levels = read_levels(files[LEVELS_FILE], result.findings)
    result.units = read_units(files[UNITS_FILE], result.findings)
    by_level = {}
    for unit in result.units:
        by_level.setdefault(unit.level, {}).setdefault(unit.code, unit)
    for level in result.levels:
        name = f"{level.slug}.geojson"
        if name not in files:
            continue
        geometry = read_geometry(files[name], name, result.findings, code_property=code_property)
        units = by_level.get(level.slug, {})
        for code, (number, shape) in geometry.items():
            if code in units:
                units[code].geometry = shape
            else:
                result.findings.append(
                    Finding("geometry_without_unit", name, row=number, unit=code, level=level.slug)
                )
    return result
