"""Every format by its name in URLs (`?format=…`): writer, media type, file extension."""

from .jsonstat import to_jsonstat
from .px import to_px
from .sdmx import to_sdmx_csv
from .tabular import to_german_csv, to_parquet, to_xlsx

FORMATS = {
    "json-stat": (to_jsonstat, "application/json; charset=utf-8", "json"),
    "sdmx-csv": (to_sdmx_csv, "application/vnd.sdmx.data+csv; version=2.0.0", "csv"),
    "px": (to_px, "application/octet-stream", "px"),
    "parquet": (to_parquet, "application/vnd.apache.parquet", "parquet"),
    "csv": (to_german_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (
        to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}


def write(dataset, name):
    writer, media_type, extension = FORMATS[name]
    return writer(dataset), media_type, extension
