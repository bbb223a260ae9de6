"""Coordinates to area units, inside the sealed intake.

A source's schema may say ``"areaAssignment": {"x": "Rechtswert", "y": "Hochwert",
"crs": "EPSG:25832", "levels": {"Baublock": "baublock", "Stadtteil": "stadtteil"}}``: each
record gets the code of the unit of each named level that contains its point (the field on
the left, stored as text). Coordinate fields with the role "auxiliary" are deleted after the
assignment (the existing intake drop), and the deletion is recorded as a finding in the
run's report; a record in no unit is a finding with its row numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from bif.geography import selectors
from bif.geography.assign import AreaIndex
from departments.importing import findings as found
from departments.importing import schema as table_schema


def spec(declared):
    return declared.get("areaAssignment") or None


def stored_types(declared):
    """{field: "string"} of the area codes the intake adds to every record."""
    assignment = spec(declared)
    return dict.fromkeys((assignment or {}).get("levels", {}), "string")


class Assigner:
    """The indexes of the levels a schema names, built once per run (today's Gebietsstand)."""

    def __init__(self, declared, day=None):
        self.spec = spec(declared)
        self.indexes = {}
        self.deleted = [
            name
            for name in (self.spec["x"], self.spec["y"])
            if name in table_schema.dropped_at_intake(declared)
        ]
        for field, level in self.spec["levels"].items():
            rows = list(
                selectors.units(level, day).exclude(geometry=None).values_list("code", "geometry")
            )
            codes = [code for code, _ in rows]
            geometries = [shapely.geometry.shape(geometry) for _, geometry in rows]
            self.indexes[field] = AreaIndex(codes, geometries) if rows else None

    def apply(self, typed, row_numbers):
        """(typed with the area fields, findings)."""
        x = pd.to_numeric(typed[self.spec["x"]], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(typed[self.spec["y"]], errors="coerce").to_numpy(dtype=float)
        crs = self.spec.get("crs", "CRS84")
        findings, typed = [], typed.copy()
        row_numbers = np.asarray(row_numbers)
        for field, index in self.indexes.items():
            codes = index.codes_of(x, y, crs=crs) if index is not None else np.full(len(x), None)
            typed[field] = pd.array(codes, dtype="string")
            missing = np.flatnonzero(pd.isna(codes))
            if len(missing):
                findings.append(
                    found.warning(
                        "area_unassigned",
                        field,
                        count=len(missing),
                        rows=row_numbers[missing],
                        params={"level": self.spec["levels"][field]},
                    )
                )
        if self.deleted:
            findings.append(
                found.warning(
                    "coordinates_deleted",
                    count=len(typed),
                    params={"fields": ", ".join(self.deleted)},
                )
            )
        return typed, findings
