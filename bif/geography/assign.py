"""Coordinates to area units: vectorised point-in-polygon with an STRtree (pure, no Django).

A point on the boundary of two units goes to the first of them in code order, so that
every point has at most one unit; a point in no unit is unassigned (-1).
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

UTM32N = "EPSG:25832"


class AreaIndex:
    """The units of one level: codes and geometries (CRS84), with their search tree."""

    def __init__(self, codes, geometries):
        order = np.argsort(np.asarray(codes, dtype=object).astype(str), kind="stable")
        self.codes = np.asarray(codes, dtype=object)[order]
        self.geometries = np.asarray(geometries, dtype=object)[order]
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    def assign(self, x, y, *, crs="CRS84"):
        """Index into ``codes`` per point, -1 where no unit contains it (or a coordinate is
        missing). ``x``/``y``: lon/lat, or easting/northing with crs="EPSG:25832"."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if crs == UTM32N:
            x, y = Transformer.from_crs(UTM32N, "OGC:CRS84", always_xy=True).transform(x, y)
        result = np.full(len(x), -1, dtype=np.int64)
        present = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if not len(present):
            return result
        px, py = x[present], y[present]
        # The tree gives candidates by bounding box in one vectorised query; the exact test is
        # then one prepared-geometry call per unit over its candidates only.
        point_idx, unit_idx = self.tree.query(shapely.points(px, py))
        order = np.argsort(unit_idx, kind="stable")
        point_idx, unit_idx = point_idx[order], unit_idx[order]
        starts = np.searchsorted(unit_idx, np.arange(len(self.codes) + 1))
        assigned = np.full(len(px), -1, dtype=np.int64)
        for unit in range(len(self.codes)):  # code order: the first unit wins on a boundary
            candidates = point_idx[starts[unit] : starts[unit + 1]]
            candidates = candidates[assigned[candidates] < 0]
            if len(candidates):
                geometry = self.geometries[unit]
                inside = shapely.intersects_xy(geometry, px[candidates], py[candidates])
                assigned[candidates[inside]] = unit
        result[present] = assigned
        return result

    def codes_of(self, x, y, *, crs="CRS84"):
        """The code per point (None where unassigned)."""
        idx = self.assign(x, y, crs=crs)
        out = np.empty(len(idx), dtype=object)
        hit = idx >= 0
        out[hit] = self.codes[idx[hit]]
        return out
