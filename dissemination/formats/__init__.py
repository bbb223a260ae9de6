"""Pure writers: one protected table (a `Dataset`) to the bytes of a dissemination format.

No Django here (import contract "pure-cores"): every format is written from the same cells,
statuses and metadata, so a figure and its sign read the same in JSON-stat, SDMX-CSV, PX,
Parquet, CSV and XLSX.
"""

from .dataset import Dataset, Dimension, Symbol  # noqa: F401
