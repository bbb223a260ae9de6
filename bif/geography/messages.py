"""The German sentence for each finding about an area file (gettext, German first)."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def _pct(value):
    return number_format(value, 1)


TEXTS = {
    "missing_file": lambda f: _("Die Datei „%(file)s“ fehlt im Gebietsstand.") % {"file": f.file},
    "empty_file": lambda f: _("Die Datei „%(file)s“ ist leer.") % {"file": f.file},
    "missing_column": lambda f: (
        _("In „%(file)s“ fehlt die Spalte „%(column)s“.") % {"file": f.file, "column": f.column}
    ),
    "bad_date": lambda f: (
        _(
            "%(file)s, Zeile %(row)s, Spalte „%(column)s“: „%(value)s“ ist kein Datum "
            "(JJJJ-MM-TT oder TT.MM.JJJJ)."
        )
        % {"file": f.file, "row": f.row, "column": f.column, "value": f.value}
    ),
    "bad_geojson": lambda f: (
        _("„%(file)s“ ist keine GeoJSON-FeatureCollection; bitte die Datei prüfen.")
        % {"file": f.file}
    ),
    "unknown_crs": lambda f: (
        _(
            "„%(file)s“: unbekanntes Koordinatensystem %(value)s; erlaubt sind CRS84 "
            "(WGS 84, Länge/Breite) und ETRS89/UTM 32N (EPSG:25832)."
        )
        % {"file": f.file, "value": f.value}
    ),
    "feature_without_code": lambda f: (
        _("%(file)s, Objekt %(row)s: die Eigenschaft „code“ fehlt.")
        % {"file": f.file, "row": f.row}
    ),
    "bad_feature": lambda f: (
        _("%(file)s, Objekt %(row)s (%(unit)s): keine lesbare Geometrie.")
        % {"file": f.file, "row": f.row, "unit": f.unit}
    ),
    "geometry_without_unit": lambda f: (
        _(
            "%(file)s, Objekt %(row)s: den Code „%(unit)s“ gibt es in gebiete.csv auf der Ebene "
            "„%(level)s“ nicht."
        )
        % {"file": f.file, "row": f.row, "unit": f.unit, "level": f.level}
    ),
    "duplicate_level": lambda f: (
        _("%(file)s, Zeile %(row)s: die Ebene „%(level)s“ gibt es doppelt.")
        % {"file": f.file, "row": f.row, "level": f.level}
    ),
    "unknown_level": lambda f: (
        _("%(file)s, Zeile %(row)s: die Ebene „%(value)s“ ist in ebenen.csv nicht definiert.")
        % {"file": f.file, "row": f.row, "value": f.value}
    ),
    "duplicate_code": lambda f: (
        _(
            "%(file)s, Zeile %(row)s: der Code „%(unit)s“ kommt auf der Ebene „%(level)s“ doppelt "
            "vor (zuerst in Zeile %(first)s). Codes müssen je Ebene eindeutig sein."
        )
        % {
            "file": f.file,
            "row": f.row,
            "unit": f.unit,
            "level": f.level,
            "first": f.extra["first_row"],
        }
    ),
    "orphan": lambda f: (
        _(
            "%(file)s, Zeile %(row)s: „%(unit)s“ (Ebene „%(level)s“) hat kein übergeordnetes "
            "Gebiet; bitte die Spalte „uebergeordnet“ füllen."
        )
        % {"file": f.file, "row": f.row, "unit": f.unit, "level": f.level}
    ),
    "unknown_parent": lambda f: (
        _(
            "%(file)s, Zeile %(row)s: das übergeordnete Gebiet „%(value)s“ von „%(unit)s“ gibt es "
            "nicht."
        )
        % {"file": f.file, "row": f.row, "unit": f.unit, "value": f.value}
    ),
    "no_members": lambda f: (
        _("%(file)s, Zeile %(row)s: „%(unit)s“ braucht Bausteine (Spalte „bausteine“).")
        % {"file": f.file, "row": f.row, "unit": f.unit}
    ),
    "unknown_member": lambda f: (
        _("%(file)s, Zeile %(row)s: den Baustein „%(value)s“ von „%(unit)s“ gibt es nicht.")
        % {"file": f.file, "row": f.row, "unit": f.unit, "value": f.value}
    ),
    "bad_validity": lambda f: (
        _(
            "%(file)s, Zeile %(row)s: „%(unit)s“ endet vor seinem Beginn "
            "(gueltig_bis vor gueltig_ab)."
        )
        % {"file": f.file, "row": f.row, "unit": f.unit}
    ),
    "invalid_geometry": lambda f: (
        _(
            "%(file)s: die Geometrie von „%(unit)s“ ist ungültig (%(value)s), z. B. eine sich "
            "selbst schneidende Grenze; bitte im GIS reparieren."
        )
        % {"file": f.file, "unit": f.unit, "value": f.value}
    ),
    "not_a_polygon": lambda f: (
        _("%(file)s: „%(unit)s“ ist keine Fläche, sondern %(value)s.")
        % {"file": f.file, "unit": f.unit, "value": f.value}
    ),
    "gap": lambda f: (
        _(
            "%(file)s: die Gebiete der Ebene „%(level)s“ decken „%(unit)s“ nicht ganz ab "
            "(Lücke: %(value)s %% der Fläche)."
        )
        % {"file": f.file, "level": f.level, "unit": f.unit, "value": _pct(f.value)}
    ),
    "overlap": lambda f: (
        _(
            "%(file)s: „%(unit)s“ und „%(value)s“ überlappen sich (%(share)s %% der Fläche des "
            "übergeordneten Gebiets)."
        )
        % {"file": f.file, "unit": f.unit, "value": f.value, "share": _pct(f.extra["share"])}
    ),
    "outside_parent": lambda f: (
        _("%(file)s: „%(unit)s“ ragt über sein übergeordnetes Gebiet „%(value)s“ hinaus.")
        % {"file": f.file, "unit": f.unit, "value": f.value}
    ),
    "bad_house_number": lambda f: (
        _("%(file)s, Zeile %(row)s, Spalte „%(column)s“: „%(value)s“ ist keine Hausnummer.")
        % {"file": f.file, "row": f.row, "column": f.column, "value": f.value}
    ),
    "unknown_area_code": lambda f: (
        _(
            "%(file)s, Zeile %(row)s, Spalte „%(column)s“: das Gebiet „%(value)s“ gibt es auf "
            "dieser Ebene nicht; bitte zuerst den Gebietsstand laden."
        )
        % {"file": f.file, "row": f.row, "column": f.column, "value": f.value}
    ),
    "bad_point": lambda f: (
        _("%(file)s, Zeile %(row)s: x und y müssen Zahlen sein.") % {"file": f.file, "row": f.row}
    ),
    "address_without_area": lambda f: (
        _(
            "%(file)s, Zeile %(row)s: die Adresse hat weder einen Gebietscode noch "
            "Koordinaten (x, y)."
        )
        % {"file": f.file, "row": f.row}
    ),
    "duplicate_address": lambda f: (
        _("%(file)s, Zeile %(row)s: die Adresse „%(value)s“ steht doppelt im Adressregister.")
        % {"file": f.file, "row": f.row, "value": f.value}
    ),
}


def sentence(finding):
    return TEXTS[finding.rule](finding)
