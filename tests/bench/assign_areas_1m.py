"""assign_areas_1m: 1,000,000 coordinates (inside the city, ETRS89/UTM 32N as a register
delivers them) assigned to the 41 Stadtbezirke by bif.geography.assign. Goal: at most 3 s.
No database: the districts come from the demo city's area package, read by the loader."""

import time
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from bif.geography import files
from bif.geography.assign import UTM32N, AreaIndex

from .common import peak_rss_mb, report

AREAS = Path(__file__).resolve().parents[2] / "departments" / "demo" / "data" / "areas"
POINTS = 1_000_000


def coordinates(geometries, n, seed=17):
    """n points uniformly inside the union of the units, as UTM 32N easting/northing."""
    city = shapely.union_all(geometries)
    shapely.prepare(city)
    x0, y0, x1, y1 = city.bounds
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    while sum(len(x) for x in xs) < n:
        x, y = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
        inside = shapely.contains_xy(city, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
    lon, lat = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    return Transformer.from_crs("OGC:CRS84", UTM32N, always_xy=True).transform(lon, lat)


def main():
    package = {p.name: p.read_bytes() for p in AREAS.iterdir() if p.suffix in (".csv", ".geojson")}
    parsed = files.read_area_files(package)
    districts = [u for u in parsed.units if u.level == "stadtbezirk"]
    east, north = coordinates([u.geometry for u in districts], POINTS)
    started = time.perf_counter()
    index = AreaIndex([u.code for u in districts], [u.geometry for u in districts])
    assigned = index.assign(east, north, crs=UTM32N)
    seconds = time.perf_counter() - started
    report(
        "assign_areas_1m",
        seconds=round(seconds, 3),
        points=POINTS,
        units=len(districts),
        unassigned=int((assigned < 0).sum()),
        goal_seconds=3.0,
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
