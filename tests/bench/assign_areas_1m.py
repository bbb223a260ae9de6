"""assign_areas_1m: 1,000,000 coordinates (inside the city, ETRS89/UTM 32N as a register
delivers them) assigned to the 41 Stadtbezirke by bif.geography.assign. Goal: at most 3 s.
No database: the districts come from the demo city's area package, read by the loader.
Also reported, in the same run: 1,000,000 addresses (street spellings varied, suffixes)
matched against an invented register of 30,000 addresses and ranges (address_seconds)."""

import time
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from bif.geography import addresses, files
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


def address_match(n=POINTS, streets=600, seed=17):
    """Seconds to match n addresses against a register of 50 numbers per street (every
    tenth street as two ranges, one per side), and how many stayed unmatched."""
    rng = np.random.default_rng(seed)
    names = [f"Beispielstraße {i}" for i in range(streets)]
    reg_streets, reg_numbers, reg_last = [], [], []
    for i, name in enumerate(names):
        if i % 10 == 0:
            reg_streets += [name, name]
            reg_numbers += ["1", "2"]
            reg_last += ["99", "100"]
        else:
            reg_streets += [name] * 50
            reg_numbers += [str(k) for k in range(1, 51)]
            reg_last += [""] * 50
    register = addresses.Register(reg_streets, reg_numbers, None, reg_last)
    spellings = np.array(
        [[n, n.replace("straße", "str."), n.upper().replace("ß", "SS")] for n in names]
    )
    street = spellings[rng.integers(0, streets, n), rng.integers(0, 3, n)]
    number = rng.integers(1, 55, n).astype(str).astype(object)
    number[::7] = number[::7] + "a"
    started = time.perf_counter()
    found = register.match(street, number)
    return time.perf_counter() - started, int((found < 0).sum()), len(reg_streets)


def main():
    package = {p.name: p.read_bytes() for p in AREAS.iterdir() if p.suffix in (".csv", ".geojson")}
    parsed = files.read_area_files(package)
    districts = [u for u in parsed.units if u.level == "stadtbezirk"]
    east, north = coordinates([u.geometry for u in districts], POINTS)
    started = time.perf_counter()
    index = AreaIndex([u.code for u in districts], [u.geometry for u in districts])
    assigned = index.assign(east, north, crs=UTM32N)
    seconds = time.perf_counter() - started
    address_seconds, address_unmatched, register_rows = address_match()
    report(
        "assign_areas_1m",
        seconds=round(seconds, 3),
        points=POINTS,
        units=len(districts),
        unassigned=int((assigned < 0).sum()),
        goal_seconds=3.0,
        address_seconds=round(address_seconds, 3),
        address_unmatched=address_unmatched,
        register_rows=register_rows,
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
