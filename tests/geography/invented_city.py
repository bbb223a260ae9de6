"""An invented city, Seeburg, purely as data files: three levels named and coded unlike
Flensburg's, in ETRS89/UTM 32N, plus a school-district system built from its blocks."""

import json

X0, Y0, SIDE = 500_000.0, 6_000_000.0, 1_000.0  # metres, UTM 32N

LEVELS_CSV = (
    "ebene;bezeichnung;uebergeordnet;system;aufgebaut_aus\n"
    "ortsbezirk;Ortsbezirk;;Kleinräumige Gliederung;\n"
    "quartier;Quartier;ortsbezirk;Kleinräumige Gliederung;\n"
    "baublock;Baublock;quartier;Kleinräumige Gliederung;\n"
    "schulbezirk;Grundschulbezirk;;Schulbezirke;baublock\n"
)


def square(x, y, w, h):
    return [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]


def units():
    """(level, code, name, parent, ring) of every unit: 2 Ortsbezirke, 4 Quartiere, 8 Blöcke."""
    out = []
    for b in range(2):  # Ortsbezirk OB-1 west, OB-2 east, each 2 km × 2 km
        bx = X0 + b * 2 * SIDE
        ob = f"OB-{b + 1}"
        out.append(
            (
                "ortsbezirk",
                ob,
                f"Ortsbezirk {['West', 'Ost'][b]}",
                "",
                square(bx, Y0, 2 * SIDE, 2 * SIDE),
            )
        )
        for q in range(2):  # Quartier south, north
            qy = Y0 + q * SIDE
            qc = f"Q{b + 1}{q + 1}"
            out.append(("quartier", qc, f"Quartier {qc}", ob, square(bx, qy, 2 * SIDE, SIDE)))
            for k in range(2):  # Block west, east
                code = f"{b + 1}{q + 1}0{k + 1}"
                out.append(
                    ("baublock", code, f"Block {code}", qc, square(bx + k * SIDE, qy, SIDE, SIDE))
                )
    return out


def package(*, units_=None, extra_rows="", crs="EPSG:25832", changes=None):
    """{file name: bytes} of the area package (`units_` to break it)."""
    rows = units_ if units_ is not None else units()
    csv = ["ebene;code;name;uebergeordnet;gueltig_ab;gueltig_bis;bausteine"]
    by_level = {}
    for level, code, name, parent, ring in rows:
        csv.append(f"{level};{code};{name};{parent};2020-01-01;;")
        if ring is not None:
            by_level.setdefault(level, []).append(
                {
                    "type": "Feature",
                    "properties": {"code": code},
                    "geometry": {"type": "Polygon", "coordinates": ring},
                }
            )
    csv.append("schulbezirk;GS1;Grundschule am See;;2020-01-01;;1101 1102 1201 1202")
    csv.append("schulbezirk;GS2;Grundschule Ost;;2020-01-01;;2101 2102 2201 2202")
    files = {
        "ebenen.csv": LEVELS_CSV.encode(),
        "gebiete.csv": ("\n".join(csv) + "\n" + extra_rows).encode(),
    }
    crs_name = {"EPSG:25832": "urn:ogc:def:crs:EPSG::25832"}.get(crs, crs)
    for level, features in by_level.items():
        collection = {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": crs_name}},
            "features": features,
        }
        files[f"{level}.geojson"] = json.dumps(collection).encode()
    if changes:
        files["aenderungen.csv"] = changes.encode()
    return files
