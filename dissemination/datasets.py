"""From a published version and its metadata to the pure `Dataset` every format writes.

Cells and statuses are read from the published table as they are (the selectors of
statistics_office.tables), so new statuses — e.g. origin signs of aggregate sources — reach
every format; a status without a known sign shows its own code (or BIF_CELL_SIGNS).
"""

from django.conf import settings
from django.utils.translation import gettext as _

from statistics_office.tables import exports

from .formats import Dataset, Dimension, Symbol
from .models import DL_DE_BY, TableMetadata

LICENCE_NAMES = {DL_DE_BY: "Datenlizenz Deutschland – Namensnennung – Version 2.0"}


def metadata_of(published):
    """The version's metadata (an unsaved default when the office wrote none)."""
    metadata = TableMetadata.objects.filter(computation_id=published.computation_id).first()
    return metadata or TableMetadata(computation_id=published.computation_id)


def symbols(table):
    out = {
        "secret": Symbol(exports.secret_sign(), _("Zahlenwert unbekannt oder geheim zu halten")),
        "zero": Symbol(
            exports.ZERO_SIGN,
            _("null nach Überlagerung") if table.method == "cellkey" else _("nichts vorhanden"),
            hides_value=False,
        ),
    }
    for flag, (sign, text, *hides) in getattr(settings, "BIF_CELL_SIGNS", {}).items():
        out[flag] = Symbol(sign, text, hides_value=bool(hides and hides[0]))
    return out


def permalink(table):
    return f"{settings.BIF_PUBLIC_BASE_URL}/api/v1/tables/{table.definition.slug}/"


def attribution(table, metadata=None):
    """The Quellenvermerk dl-de/by-2-0 asks for: provider, licence and the dataset's URI."""
    metadata = metadata or metadata_of(table)
    licence = LICENCE_NAMES.get(metadata.licence, metadata.licence)
    return _("%(provider)s (%(year)s): %(title)s, %(licence)s, %(url)s") % {
        "provider": settings.BIF_PUBLISHER_NAME,
        "year": table.published_at.year,
        "title": table.title,
        "licence": licence,
        "url": permalink(table),
    }


def footnotes(metadata, level):
    return [f for f in metadata.footnotes or [] if f.get("level") == level and f.get("text")]


# Without the office's choice, dimensions of these names are periods and areas.
TIME_NAMES = {"Jahr", "Berichtsjahr", "Stichtag", "Zeit", "Monat", "Quartal"}
GEO_NAMES = {"Stadtteil", "Stadtbezirk", "Statistischer Bezirk", "Bezirk", "Gebiet"}


def _role(name, metadata):
    time = metadata.time_dimension or (name if name in TIME_NAMES else "")
    geo = metadata.geo_dimension or (name if name in GEO_NAMES else "")
    return "time" if name == time else "geo" if name == geo else ""


def dataset_of(table):
    metadata = metadata_of(table)
    dims = []
    for d in table.dimensions:
        name = d["name"]
        value_notes = {}
        for note in footnotes(metadata, "value"):
            if note.get("dimension") == name:
                value_notes.setdefault(str(note.get("code")), []).append(note["text"])
        role = _role(name, metadata)
        dims.append(
            Dimension(
                id=name,
                codes=list(d.get("order") or d.get("labels", {}).keys()),
                labels=dict(d.get("labels", {})),
                note=[
                    f["text"]
                    for f in footnotes(metadata, "dimension")
                    if f.get("dimension") == name
                ],
                value_notes=value_notes,
                role=role,
            )
        )
    cells = []
    for cell in table.cells:
        if cell.get("flag") == "zero" and cell.get("value") is None:
            cell = {**cell, "value": 0}
        cells.append(cell)
    reference = metadata.reference_period or (
        table.reference_date.strftime("%d.%m.%Y") if table.reference_date else ""
    )
    contact = ", ".join(x for x in (metadata.contact_name, metadata.contact_email) if x)
    return Dataset(
        slug=table.definition.slug,
        title=table.title,
        dimensions=dims,
        cells=cells,
        symbols=symbols(table),
        version=table.version,
        updated=table.published_at,
        description=metadata.description or table.description,
        measure_label=table.measure_label,
        unit=metadata.unit or table.measure_label,
        decimals=exports.DECIMALS.get(table.measure, 0),
        reference_period=reference,
        source=metadata.source_note or attribution(table, metadata),
        contact=contact or settings.BIF_CONTACT_EMAIL,
        legal_basis=metadata.legal_basis,
        official=metadata.official_statistics,
        licence=metadata.licence,
        notes=[f["text"] for f in footnotes(metadata, "table")]
        + [str(exports.method_text(table.method, table.parameters))]
        + ([metadata.revision_note] if metadata.revision_note else []),
        cell_notes=[(dict(f.get("cell") or {}), f["text"]) for f in footnotes(metadata, "cell")],
        legend=[str(line) for line in exports.legend(table.method, table.parameters)],
        url=permalink(table),
        agency=settings.BIF_CITY_NAME.upper().replace(" ", "_"),
    )
