"""Coordinates and addresses to area units, inside the sealed intake.

A source's schema may say ``"areaAssignment": {"x": "Rechtswert", "y": "Hochwert",
"crs": "EPSG:25832", "levels": {"Baublock": "baublock", "Stadtteil": "stadtteil"}}``: each
record gets the code of the unit of each named level that contains its point (the field on
the left, stored as text). Instead of x/y a source may name its address fields:
``"street": "Strasse"`` (or ``"street_key": "StrSchl"``), ``"number": "Hausnummer"`` and
optionally ``"suffix": "Zusatz"``; the record then gets the codes of its address in the
city's address register (bif.geography.addresses), from the register's own codes, the
codes of a finer level it names, or its point. Address or coordinate fields with the role
"auxiliary" are deleted after the assignment (the existing intake drop), and the deletion
is recorded as a finding in the run's report; a record in no unit, or with an address the
register does not know, is a finding with its row numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from bif.geography import selectors
from bif.geography.addresses import Register
from bif.geography.assign import AreaIndex
from departments.importing import findings as found
from departments.importing import schema as table_schema


def spec(declared):
    return declared.get("areaAssignment") or None


def stored_types(declared):
    """{field: "string"} of the area codes the intake adds to every record."""
    assignment = spec(declared)
    return dict.fromkeys((assignment or {}).get("levels", {}), "string")


def _index(level, day):
    rows = list(selectors.units(level, day).exclude(geometry=None).values_list("code", "geometry"))
    if not rows:
        return None
    return AreaIndex([c for c, _ in rows], [shapely.geometry.shape(g) for _, g in rows])


class Assigner:
    """The indexes of the levels a schema names, built once per run (today's Gebietsstand)."""

    def __init__(self, declared, day=None):
        self.spec = spec(declared)
        self.by_address = "x" not in self.spec
        inputs = ("street_key", "street", "number", "suffix") if self.by_address else ("x", "y")
        dropped = table_schema.dropped_at_intake(declared)
        self.deleted = [self.spec[k] for k in inputs if self.spec.get(k) in dropped]
        if self.by_address:
            self._build_register(day)
        else:
            self.indexes = {f: _index(lv, day) for f, lv in self.spec["levels"].items()}

    def _build_register(self, day):
        rows = selectors.address_register()
        key = "street_key" if self.spec.get("street_key") else "street"
        self.register = Register(
            [r[key] for r in rows],
            [r["number"] for r in rows],
            [r["suffix"] for r in rows],
            [r["number_to"] for r in rows],
        )
        present = {slug for r in rows for slug in r["codes"]}
        lon = np.array([np.nan if r["lon"] is None else r["lon"] for r in rows], dtype=float)
        lat = np.array([np.nan if r["lat"] is None else r["lat"] for r in rows], dtype=float)
        # {field: code per register row (None where the register cannot say)}
        self.register_codes = {}
        for field, level in self.spec["levels"].items():
            codes = np.array([r["codes"].get(level) for r in rows], dtype=object)
            for finer in present - {level}:
                parents = selectors.parents(finer, level, day)
                if not parents:
                    continue
                above = np.array([parents.get(r["codes"].get(finer)) for r in rows], dtype=object)
                codes = np.where(pd.isna(codes), above, codes)
            if pd.isna(codes).any() and np.isfinite(lon).any():
                index = _index(level, day)
                if index is not None:
                    codes = np.where(pd.isna(codes), index.codes_of(lon, lat), codes)
            self.register_codes[field] = codes

    def _codes(self, typed, row_numbers, findings):
        """({field: code per record}, records without any match in the register)."""
        unknown = np.zeros(len(typed), dtype=bool)
        if not self.by_address:
            x = pd.to_numeric(typed[self.spec["x"]], errors="coerce").to_numpy(dtype=float)
            y = pd.to_numeric(typed[self.spec["y"]], errors="coerce").to_numpy(dtype=float)
            crs = self.spec.get("crs", "CRS84")
            codes = {
                field: index.codes_of(x, y, crs=crs) if index is not None else np.full(len(x), None)
                for field, index in self.indexes.items()
            }
            return codes, unknown
        street = typed[self.spec.get("street_key") or self.spec["street"]].astype(object)
        suffix = typed[self.spec["suffix"]].astype(object) if self.spec.get("suffix") else None
        number = typed[self.spec["number"]].astype(object)
        at = self.register.match(street.to_numpy(), number.to_numpy(), suffix)
        unmatched = np.flatnonzero(at < 0)
        if len(unmatched):
            findings.append(
                found.warning(
                    "address_unmatched",
                    self.spec["number"],
                    count=len(unmatched),
                    rows=row_numbers[unmatched],
                )
            )
        out = {}
        for field, codes in self.register_codes.items():
            values = np.full(len(at), None, dtype=object)
            values[at >= 0] = codes[at[at >= 0]]
            out[field] = values
        return out, at < 0

    def apply(self, typed, row_numbers):
        """(typed with the area fields, findings)."""
        findings, typed = [], typed.copy()
        row_numbers = np.asarray(row_numbers)
        by_field, unknown = self._codes(typed, row_numbers, findings)
        for field, codes in by_field.items():
            typed[field] = pd.array(codes, dtype="string")
            # an address the register does not know is one finding, not one per level
            missing = np.flatnonzero(pd.isna(codes) & ~unknown)
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
