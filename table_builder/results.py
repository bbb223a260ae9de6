"""What a person sees of an answered query: the grid, the legend, the downloads. Only the
job row's protected cells are read; writers are dissemination.formats'."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dissemination.formats import Dataset, Dimension, Symbol
from dissemination.formats.registry import write
from statistics_office.tables import exports

DOWNLOADS = ("csv", "xlsx", "json-stat")
MEASURE = "Anzahl"


def legend():
    return [str(line) for line in exports.legend("cellkey")] + [
        _(
            "Die Werte sind im Tabellenbaukasten auf Anfrage berechnet und überlagert; sie "
            "stimmen mit allen veröffentlichten Tabellen über dieselben Fälle überein. Keine "
            "amtliche Veröffentlichung."
        )
    ]


def grid(query):
    """The page's grid: labels and shown text (German numbers and signs) per cell."""
    g = exports.grid(query.cells, query.dimensions, _("Anzahl"))
    rows = [
        (
            labels,
            [(exports.format_value(c, 0) if c else "", (c or {}).get("flag", "")) for c in values],
            depth,
        )
        for labels, values, depth in g.rows
    ]
    return {"row_names": g.row_names, "columns": g.columns, "rows": rows}


def title_of(query):
    names = [d["name"] for d in query.dimensions]
    return _("%(source)s nach %(dims)s") % {"source": query.source.name, "dims": ", ".join(names)}


def dataset(query):
    dims = [
        Dimension(
            id=d["name"],
            codes=list(d.get("order") or d.get("labels", {}).keys()),
            labels=dict(d.get("labels", {})),
        )
        for d in query.dimensions
    ]
    cells = [
        {**c, "value": 0} if c.get("flag") == "zero" and c.get("value") is None else c
        for c in query.cells
    ]
    reference = query.reference_date.strftime("%d.%m.%Y") if query.reference_date else ""
    return Dataset(
        slug=f"baukasten-{query.pk}",
        title=title_of(query),
        dimensions=dims,
        cells=cells,
        symbols={
            "zero": Symbol(exports.ZERO_SIGN, _("null nach Überlagerung"), hides_value=False),
            "secret": Symbol(exports.secret_sign(), _("geheim zu halten")),
        },
        version=1,
        updated=query.heartbeat_at or timezone.now(),
        measure_label=_("Anzahl"),
        unit=_("Anzahl"),
        reference_period=reference,
        source=_("%(office)s, Tabellenbaukasten, Abfrage %(id)s")
        % {"office": settings.BIF_PUBLISHER_NAME, "id": query.pk},
        contact=settings.BIF_CONTACT_EMAIL,
        official=False,
        notes=[str(exports.method_text("cellkey", {}))],
        legend=legend(),
    )


def download(query, fmt):
    """(content, media type, file name) of a download in one of DOWNLOADS."""
    content, media_type, extension = write(dataset(query), fmt)
    return content, media_type, f"tabellenbaukasten-{query.pk}.{extension}"
