"""DCAT-AP.de: every open table is a dataset with the properties GovData requires, every
format a distribution with licence and Quellenvermerk; closed tables stay out. The Atom feed
lists new versions with their revision notes."""

import xml.etree.ElementTree as ET

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from dissemination.catalogue import DCATDE
from dissemination.formats import registry

pytestmark = pytest.mark.django_db

DATASET_REQUIRED = [
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.publisher,
    DCTERMS.issued,
    DCTERMS.modified,
    DCTERMS.temporal,
    DCTERMS.spatial,
    DCTERMS.accrualPeriodicity,
    DCATDE.politicalGeocodingURI,
    DCATDE.politicalGeocodingLevelURI,
    DCATDE.contributorID,
    DCAT.contactPoint,
    DCAT.distribution,
]
DISTRIBUTION_REQUIRED = [
    DCAT.accessURL,
    DCTERMS.license,
    DCATDE.licenseAttributionByText,
    DCTERMS["format"],
]


@pytest.fixture
def open_and_closed(publish, definition, statistician, source):
    from statistics_office.tables.models import TableDefinition

    open_table = publish(is_open=True, contact_email="statistik@musterstadt.de")
    closed = TableDefinition.objects.create(
        title="Geschlossen", slug="geschlossen", created_by=statistician, dimensions=[]
    )
    return open_table, closed


def catalogue(client, fmt):
    response = client.get(f"/api/v1/catalogue.{fmt}")
    assert response.status_code == 200, response.content
    graph = Graph()
    graph.parse(data=response.content.decode(), format="turtle" if fmt == "ttl" else "json-ld")
    return graph


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_every_dataset_and_distribution_has_the_required_properties(
    client, staff, open_and_closed, settings, fmt
):
    from dissemination import services

    services.set_city(name="Musterstadt", municipality_key="09999999")
    client.force_login(staff)
    graph = catalogue(client, fmt)
    found = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert found == [URIRef("http://testserver/api/v1/tables/einwohner-jahr/")]
    for dataset in found:
        for prop in DATASET_REQUIRED:
            assert graph.value(dataset, prop) is not None, prop
        assert graph.value(dataset, DCATDE.politicalGeocodingURI) == URIRef(
            "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/09999999"
        )
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) == len(registry.FORMATS)
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            for prop in DISTRIBUTION_REQUIRED:
                assert graph.value(distribution, prop) is not None, (distribution, prop)
            assert graph.value(distribution, DCTERMS.license) == URIRef(
                "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
            )
            text = str(graph.value(distribution, DCATDE.licenseAttributionByText))
            assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in text
            assert str(dataset) in text
        period = graph.value(dataset, DCTERMS.temporal)
        assert str(graph.value(period, DCAT.startDate)) == "2022-01-01"
        assert str(graph.value(period, DCAT.endDate)) == "2023-12-31"


def test_no_city_key_is_assumed_the_citys_data_says_it(client, staff, open_and_closed):
    """No municipality key in code: none until the city's data (its CityProfile, the demo
    seed's Flensburg) says it, and then that one."""
    from django.conf import settings as django_settings

    from dissemination import services

    assert django_settings.BIF_CITY_AGS == ""
    client.force_login(staff)
    graph = catalogue(client, "ttl")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert graph.value(dataset, DCATDE.politicalGeocodingURI) is None
    services.set_city(name="Flensburg", municipality_key="01001000")
    graph = catalogue(client, "ttl")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert graph.value(dataset, DCATDE.politicalGeocodingURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/01001000"
    )
    assert "Statistik Flensburg" in {str(t) for t in graph.objects(None, DCTERMS.title)}


def test_a_municipality_key_has_eight_digits(db):
    from django.core.exceptions import ValidationError

    from dissemination import services

    with pytest.raises(ValidationError):
        services.set_city(name="Flensburg", municipality_key="1001")


def test_tables_not_marked_open_are_not_in_the_catalogue(client, staff, publish):
    publish(is_open=False)
    client.force_login(staff)
    assert list(catalogue(client, "ttl").subjects(RDF.type, DCAT.Dataset)) == []


def test_unknown_catalogue_format_is_404(client, staff):
    client.force_login(staff)
    assert client.get("/api/v1/catalogue.rdfxml").status_code == 404


def test_new_data_feed_lists_versions_with_revision_notes(client, staff, publish):
    publish(at="2026-01-15 10:00")
    publish(at="2026-03-01 10:00", revision_note="2023 berichtigt")
    client.force_login(staff)
    response = client.get("/api/v1/feeds/neue-daten/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    atom = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    entries = root.findall("a:entry", atom)
    titles = [e.find("a:title", atom).text for e in entries]
    assert titles == [
        "Einwohner nach Jahr und Stadtteil (Version 2)",
        "Einwohner nach Jahr und Stadtteil (Version 1)",
    ]
    assert entries[0].find("a:summary", atom).text == "2023 berichtigt"
    assert entries[0].find("a:link", atom).get("href").endswith("?version=2")
