"""DCAT-AP.de catalogue of the tables marked open (Turtle and JSON-LD, one rdflib graph).

Each table is a dcat:Dataset at its permalink, each format a dcat:Distribution with licence
dl-de/by-2-0 and the Quellenvermerk that licence asks for (dcatde:licenseAttributionByText).
"""

import datetime as dt

from django.conf import settings
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from . import datasets, selectors
from .formats import registry

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LICENCES = {"dl-de/by-2-0": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"}
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
# EU file types (authority table "file-type") of each format; PX has none of its own.
FORMAT_TYPES = {
    "json-stat": "JSON",
    "sdmx-csv": "CSV",
    "px": "BIN",
    "parquet": "PARQUET",
    "csv": "CSV",
    "xlsx": "XLSX",
}


def _geocoding():
    """The municipality key as URI and level (dcatde:politicalGeocoding…) from the city's
    data (selectors.city); None while the city has not said its key."""
    _name, ags = selectors.city()
    if not ags:
        return None
    return (
        URIRef(f"{GEOCODING}municipalityKey/{ags}"),
        URIRef(f"{GEOCODING}Level/municipality"),
    )


def _temporal(graph, table, dataset):
    time = next((d for d in dataset.dimensions if d.role == "time"), None)
    years = sorted(c for c in (time.codes if time else []) if c.isdigit() and len(c) == 4)
    if years:
        start, end = dt.date(int(years[0]), 1, 1), dt.date(int(years[-1]), 12, 31)
    elif table.reference_date:
        start = end = table.reference_date
    else:
        return
    period = BNode()
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))
    return period


def _publisher(graph):
    publisher = URIRef(settings.BIF_PUBLISHER_URL)
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(settings.BIF_PUBLISHER_NAME, lang="de")))
    return publisher


def _contact(graph, metadata):
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(metadata.contact_name or settings.BIF_PUBLISHER_NAME)))
    email = metadata.contact_email or settings.BIF_CONTACT_EMAIL
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    return contact


def add_dataset(graph, catalog, table, first_issued, publisher):
    metadata = datasets.metadata_of(table)
    dataset = datasets.dataset_of(table)
    uri = URIRef(datasets.permalink(table))
    geocoding = _geocoding()
    graph.add((catalog, DCAT.dataset, uri))
    graph.add((uri, RDF.type, DCAT.Dataset))
    graph.add((uri, DCTERMS.identifier, Literal(table.definition.slug)))
    graph.add((uri, DCTERMS.title, Literal(table.title, lang="de")))
    description = dataset.description or table.title
    graph.add((uri, DCTERMS.description, Literal(description, lang="de")))
    graph.add((uri, DCTERMS.publisher, publisher))
    graph.add((uri, DCTERMS.issued, Literal(first_issued, datatype=XSD.dateTime)))
    graph.add((uri, DCTERMS.modified, Literal(table.published_at, datatype=XSD.dateTime)))
    period = _temporal(graph, table, dataset)
    if period is not None:
        graph.add((uri, DCTERMS.temporal, period))
    if geocoding is not None:
        graph.add((uri, DCTERMS.spatial, geocoding[0]))
        graph.add((uri, DCATDE.politicalGeocodingURI, geocoding[0]))
        graph.add((uri, DCATDE.politicalGeocodingLevelURI, geocoding[1]))
    graph.add((uri, DCTERMS.accrualPeriodicity, URIRef(FREQUENCY + metadata.accrual_periodicity)))
    graph.add((uri, DCATDE.contributorID, URIRef(settings.BIF_CONTRIBUTOR_ID)))
    graph.add((uri, DCAT.contactPoint, _contact(graph, metadata)))
    if metadata.legal_basis:
        graph.add((uri, DCATDE.legalBasis, Literal(metadata.legal_basis, lang="de")))
    licence = URIRef(LICENCES.get(metadata.licence, metadata.licence))
    attribution = Literal(datasets.attribution(table, metadata), lang="de")
    for name, (_writer, media_type, _ext) in registry.FORMATS.items():
        distribution = URIRef(f"{uri}?format={name}")
        graph.add((uri, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(f"{table.title} ({name})", lang="de")))
        graph.add((distribution, DCAT.accessURL, distribution))
        graph.add((distribution, DCAT.downloadURL, distribution))
        graph.add((distribution, DCAT.mediaType, Literal(media_type.split(";")[0])))
        graph.add((distribution, DCTERMS["format"], URIRef(FILE_TYPE + FORMAT_TYPES[name])))
        graph.add((distribution, DCTERMS.license, licence))
        graph.add((distribution, DCATDE.licenseAttributionByText, attribution))
        graph.add(
            (distribution, DCTERMS.modified, Literal(table.published_at, datatype=XSD.dateTime))
        )


def catalogue_graph():
    """Every table whose current version is marked open, whoever asks (open data only)."""
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("dcatde", DCATDE),
        ("foaf", FOAF),
        ("vcard", VCARD),
    ):
        graph.bind(prefix, namespace)
    catalog = URIRef(f"{settings.BIF_PUBLIC_BASE_URL}/api/v1/catalogue/")
    publisher = _publisher(graph)
    city, _ags = selectors.city()
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(f"Statistik {city}", lang="de")))
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal(f"Offene Tabellen der Statistikstelle der Stadt {city}", lang="de"),
        )
    )
    graph.add((catalog, DCTERMS.publisher, publisher))
    tables = selectors.open_tables()
    first = selectors.first_published(tables)
    for table in tables:
        add_dataset(graph, catalog, table, first[table.definition_id], publisher)
    return graph


def serialise(fmt):
    graph = catalogue_graph()
    if fmt == "jsonld":
        return graph.serialize(format="json-ld").encode("utf-8"), "application/ld+json"
    return graph.serialize(format="turtle").encode("utf-8"), "text/turtle; charset=utf-8"
