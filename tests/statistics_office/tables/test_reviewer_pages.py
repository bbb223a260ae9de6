"""The second statistician of the four-eyes rule may hold only PUBLISH_TABLES (as the demo's
`statistik2` does): the review must still be possible through the pages, not only the service.
Found by the browser journey (tests/e2e/test_full_journey.py)."""

import pytest
from django.urls import reverse

from statistics_office import access
from statistics_office.tables import services
from statistics_office.tables.models import TableComputation
from tests import factories

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])


@pytest.fixture
def author_and_reviewer(statistician, second_statistician, source, grant_to):
    grant_to(statistician, source, access.DEFINE_TABLES, access.PUBLISH_TABLES)
    grant_to(second_statistician, source, access.PUBLISH_TABLES)
    return statistician, second_statistician


@pytest.fixture
def computation(author_and_reviewer, source, microdata, django_capture_on_commit_callbacks):
    author, _reviewer = author_and_reviewer
    definition = services.save_definition(
        user=author,
        sources=[source],
        title="Einwohner nach Stadtteil",
        dimensions=[{"field": "Stadtteil", "kind": "code"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        computation = services.request_computation(definition, author)
    computation.refresh_from_db()
    assert computation.status == TableComputation.Status.COMPUTED
    return computation


def test_reviewer_with_publish_grant_only_reviews_and_publishes_through_the_pages(
    author_and_reviewer, computation, client
):
    _author, reviewer = author_and_reviewer
    definition = computation.definition
    client.force_login(reviewer)

    listing = client.get(reverse("tables:definition-list")).content.decode()
    assert definition.get_absolute_url() in listing
    detail = client.get(definition.get_absolute_url())
    assert detail.status_code == 200
    # Defining stays with DEFINE_TABLES: no edit or compute buttons, and the pages refuse.
    html = detail.content.decode()
    assert reverse("tables:definition-compute", args=[definition.pk]) not in html
    assert client.get(reverse("tables:definition-edit", args=[definition.pk])).status_code == 404
    compute_url = reverse("tables:definition-compute", args=[definition.pk])
    assert client.post(compute_url).status_code == 404

    preview = client.get(computation.get_absolute_url())
    assert preview.status_code == 200 and "Freigeben" in preview.content.decode()
    client.post(
        reverse("tables:computation-review", args=[computation.pk]),
        {"decision": "approve", "comment": "geprüft"},
    )
    computation.refresh_from_db()
    assert computation.status == TableComputation.Status.REVIEWED
    assert computation.reviewed_by == reviewer
    response = client.post(reverse("tables:computation-publish", args=[computation.pk]))
    assert response.status_code == 302
    assert computation.publications.get().published_by == reviewer


def test_statistician_without_table_grants_still_gets_404(computation, client):
    outsider = factories.statistician(username="ohne-tabellenrechte")
    client.force_login(outsider)
    assert client.get(computation.definition.get_absolute_url()).status_code == 404
    assert client.get(computation.get_absolute_url()).status_code == 404
    assert (
        computation.definition.get_absolute_url()
        not in client.get(reverse("tables:definition-list")).content.decode()
    )
