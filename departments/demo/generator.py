"""Synthetic demo data for the demo city Flensburg: the files department analysts would upload.

Pure Python (numpy/pandas), no Django. Every source writes one CSV per reference year in German
conventions (``;``, decimal comma, dd.mm.yyyy, header row, UTF-8). Residents are calibrated on
the published 2021 figures shipped in ``data/`` and simulated year by year, so the same person
keeps the same Personen-ID across years. ``residents`` is always the city's size at 31.12.2021;
other years follow the 2017-2021 trend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .calibration import STADTTEILE, load_stadtbezirke
from .sources import bau, einwohner, kfz, kita, sgb2

__all__ = [
    "DEMO_SOURCES",
    "STADTTEILE",
    "DemoSource",
    "generate_source",
    "get_source",
    "load_stadtbezirke",
    "write_demo_city",
    "write_source_csv",
]

CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class DemoSource:
    slug: str
    department_code: str
    department_name: str
    name: str
    fachverfahren: str
    kind: str  # "microdata" | "aggregate"
    update_cycle: str  # "monthly" | "quarterly" | "yearly"
    table_schema: dict
    description: str
    legal_basis: str
    encoding: str = "utf-8"
    delimiter: str = ";"
    decimal: str = ","
    date_format: str = "%d.%m.%Y"
    _records: Callable | None = field(default=None, repr=False, compare=False)
    _format: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.table_schema["fields"]]


DEMO_SOURCES: list[DemoSource] = [
    DemoSource(
        slug="einwohner",
        department_code="33",
        department_name="Einwohnermeldewesen",
        name="Einwohnerbestand (Hauptwohnsitz) zum Stichtag",
        fachverfahren="OK.EWO",
        kind="microdata",
        update_cycle="yearly",
        table_schema=einwohner.EINWOHNER_SCHEMA,
        description="Ein Datensatz je Einwohnerin/Einwohner mit Hauptwohnsitz in Flensburg am "
        "Stichtag 31.12.; Haushalts-ID aus der Haushaltegenerierung, kleinräumige Zuordnung zu "
        "Stadtteil und statistischem Bezirk.",
        legal_basis="§ 34 Abs. 5 BMG i. V. m. der Statistiksatzung der Stadt Flensburg",
        _records=einwohner.einwohner_records,
        _format=einwohner.einwohner_format,
    ),
    DemoSource(
        slug="kita",
        department_code="51",
        department_name="Kindertagesbetreuung",
        name="Betreuungsverträge in Kindertageseinrichtungen und Kindertagespflege",
        fachverfahren="KitaPlus",
        kind="microdata",
        update_cycle="quarterly",
        table_schema=kita.KITA_SCHEMA,
        description="Ein Datensatz je am Stichtag laufendem Betreuungsvertrag eines Kindes "
        "im Alter von 0 bis 6 Jahren, mit Einrichtung, Betreuungsumfang und Elternbeitrag.",
        legal_basis="§ 99 SGB VIII; KiTaG Schleswig-Holstein; Statistiksatzung",
        _records=kita.kita_records,
        _format=kita.kita_format,
    ),
    DemoSource(
        slug="sgb2",
        department_code="50",
        department_name="Sozialleistungen",
        name="Laufende Fälle Grundsicherung (SGB II / SGB XII)",
        fachverfahren="OPEN/PROSOZ",
        kind="microdata",
        update_cycle="monthly",
        table_schema=sgb2.SGB2_SCHEMA,
        description="Ein Datensatz je am Stichtag laufendem Leistungsfall (Bedarfsgemeinschaft "
        "nach SGB II bzw. Grundsicherung im Alter nach SGB XII) mit monatlichen Beträgen in EUR.",
        legal_basis="§ 51b SGB II; § 128 SGB XII; Statistiksatzung",
        _records=sgb2.sgb2_records,
        _format=sgb2.sgb2_format,
    ),
    DemoSource(
        slug="sgb2_ba",
        department_code="50",
        department_name="Sozialleistungen",
        name="SGB-II-Kennzahlen nach Stadtteilen (Statistik der Bundesagentur für Arbeit)",
        fachverfahren="BA-Statistik (kleinräumige Sonderauswertung)",
        kind="aggregate",
        update_cycle="yearly",
        table_schema=sgb2.SGB2_BA_SCHEMA,
        description="Bedarfsgemeinschaften und Regelleistungsberechtigte je Stadtteil, wie von "
        "der Statistik der Bundesagentur für Arbeit geliefert (Aggregat, keine Einzeldaten).",
        legal_basis="§ 53 SGB II; Vereinbarung mit der Statistik der BA",
        _records=sgb2.sgb2_ba_records,
        _format=sgb2.sgb2_ba_format,
    ),
    DemoSource(
        slug="bauantraege",
        department_code="63",
        department_name="Bauaufsicht",
        name="Bauanträge und Baugenehmigungen",
        fachverfahren="ProBauG",
        kind="microdata",
        update_cycle="quarterly",
        table_schema=bau.BAU_SCHEMA,
        description="Ein Datensatz je im Berichtsjahr eingegangenem Bauantrag mit Vorhaben, "
        "Wohneinheiten, Baukosten und Bearbeitungsstand am Stichtag.",
        legal_basis="Landesbauordnung Schleswig-Holstein; HBauStatG; Statistiksatzung",
        _records=bau.bau_records,
        _format=bau.bau_format,
    ),
    DemoSource(
        slug="kfz",
        department_code="36",
        department_name="Kfz-Zulassung",
        name="Fahrzeugbestand nach Halterwohnsitz",
        fachverfahren="VOIS|KFZ",
        kind="microdata",
        update_cycle="yearly",
        table_schema=kfz.KFZ_SCHEMA,
        description="Ein Datensatz je am Stichtag zugelassenem Fahrzeug mit Halter in "
        "Flensburg: Fahrzeugklasse, Antriebsart, Erstzulassung, Halterwohnsitz.",
        legal_basis="§ 45 StVG (Fahrzeugregister); Statistiksatzung",
        _records=kfz.kfz_records,
        _format=kfz.kfz_format,
    ),
]
_BY_SLUG = {src.slug: src for src in DEMO_SOURCES}


def get_source(slug: str) -> DemoSource:
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"unknown demo source {slug!r}; known: {sorted(_BY_SLUG)}") from None


def _check(year: int, residents: int) -> None:
    if not 2011 <= int(year) <= 2035:
        raise ValueError(f"year must be between 2011 and 2035, not {year}")
    if int(residents) < 1_000:
        raise ValueError("residents must be at least 1000")


def generate_source(slug: str, *, year: int, residents: int = 98_800, seed: int = 2021):
    """The rows of one source for one reference year (31.12.<year>), all values as strings."""
    _check(year, residents)
    src = get_source(slug)
    rec = src._records(int(year), int(residents), int(seed))
    frame = src._format(rec, slice(0, rec["n"]), int(year))
    return frame[src.columns].reset_index(drop=True)


def write_source_csv(
    slug: str, path, *, year: int, residents: int = 98_800, seed: int = 2021
) -> int:
    """Write one source's file (';', decimal comma, dd.mm.yyyy, header, UTF-8); returns rows.

    Records are formatted and written in chunks so memory stays flat for large cities.
    """
    _check(year, residents)
    src = get_source(slug)
    rec = src._records(int(year), int(residents), int(seed))
    n = int(rec["n"])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=src.encoding, newline="") as fh:
        if n == 0:
            fh.write(src.delimiter.join(src.columns) + "\n")
        for start in range(0, n, CHUNK_ROWS):
            frame = src._format(rec, slice(start, min(start + CHUNK_ROWS, n)), int(year))
            frame[src.columns].to_csv(
                fh, sep=src.delimiter, index=False, header=start == 0, lineterminator="\n"
            )
    return n


def write_demo_city(
    directory,
    *,
    residents: int = 98_800,
    years: Iterable[int] = (2021, 2022, 2023, 2024, 2025),
    seed: int = 2021,
) -> list[tuple[str, int, Path]]:
    """Write every demo source for every year as ``<directory>/<slug>/<slug>_<year>.csv``."""
    directory = Path(directory)
    written = []
    for year in sorted(years):
        for src in DEMO_SOURCES:
            path = directory / src.slug / f"{src.slug}_{year}.csv"
            write_source_csv(src.slug, path, year=year, residents=residents, seed=seed)
            written.append((src.slug, int(year), path))
    return written


def read_demo_csv(path) -> pd.DataFrame:
    """Read a written demo file back as strings (for checks; keeps leading zeros)."""
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
