"""Protection that holds across every published table of a source (issue 12).

Each scenario publishes tables one after another through the services (define, compute,
review by a second statistician, publish) and then lets an attacker, written independently
in ``independent_audit``, combine everything published.
"""

import itertools
import uuid

import numpy as np
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from statistics_office import access
from statistics_office.microdata import store
from statistics_office.tables import services
from statistics_office.tables.models import PublishedTable, TableComputation
from tests import factories

from .conftest import FIELD_TYPES, REFERENCE_DATE, residents_frame
from .independent_audit import Published

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]

STADTTEIL = {"field": "Stadtteil", "kind": "code", "level": "stadtteil"}
SEX = {"field": "Geschlecht", "kind": "code"}
BROAD = [[0, 17], [18, 64], [65, None]]
TWO = [[0, 17], [18, None]]


def _age(bands):
    return {"field": "Geburtsdatum", "kind": "age_band", "bands": bands}


def publish(office, source, capture, **fields):
    """Define, compute, review and publish; returns the computation (published or not)."""
    first, second = office
    fields.setdefault("title", fields.get("slug", "Tabelle"))
    definition = services.save_definition(user=first, sources=[source], **fields)
    with capture(execute=True):
        computation = services.request_computation(definition, first)
    computation.refresh_from_db()
    if computation.status == TableComputation.Status.COMPUTED:
        services.review(computation, second, approve=True, comment="geprüft")
        computation.refresh_from_db()
        services.publish(computation, second)
        computation.refresh_from_db()
    return computation


_RUN_IDS = itertools.count(70_000)


def attacker(source, frame=None):
    tables = [
        (p.spec, p.cells, p.method, float(p.parameters.get("ptable_D", 2)))
        for p in PublishedTable.objects.filter(definition__sources=source).order_by("pk")
    ]
    frame = residents_frame() if frame is None else frame
    return Published(frame, tables, REFERENCE_DATE)


def test_a_filter_that_leaves_out_a_small_group_cannot_reveal_it(
    office, source, microdata, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    by_sex = publish(office, source, capture, slug="st-sex", dimensions=[STADTTEIL, SEX])
    assert by_sex.status == TableComputation.Status.PUBLISHED
    # Stadtteil 04 has exactly one resident of sex "d": its row is protected in by_sex.
    assert attacker(source).disclosed() == []

    filtered = publish(
        office,
        source,
        capture,
        slug="st-mw",
        dimensions=[STADTTEIL],
        filters=[{"field": "Geschlecht", "op": "in", "values": ["m", "w"]}],
    )
    assert filtered.status == TableComputation.Status.PUBLISHED
    cells = {c["Stadtteil"]: c for c in filtered.cells}
    # Published alone it would need nothing; next to by_sex, Stadtteil 04 minus its m and w
    # residents would be the one "d": so 04 (and a partner) are secret in the new table.
    assert cells["04"]["flag"] == "secret"
    assert filtered.stats["versions"][0]["joint"]["added"] >= 2
    published = attacker(source)
    assert published.disclosed() == []
    assert published.inconsistent_record_sets() == []


@pytest.mark.parametrize("order", [("three", "two"), ("two", "three")])
def test_linked_age_tables_in_either_order_keep_every_small_cell_protected(
    order, office, source, microdata, django_capture_on_commit_callbacks
):
    bands = {"three": BROAD, "two": TWO}
    for name in order:
        computation = publish(
            office,
            source,
            django_capture_on_commit_callbacks,
            slug=f"alter-{name}",
            dimensions=[
                STADTTEIL,
                {"field": "Geburtsdatum", "kind": "age_band", "bands": bands[name]},
            ],
        )
        assert computation.status == TableComputation.Status.PUBLISHED, computation.message
    published = attacker(source)
    assert published.disclosed() == []
    assert published.inconsistent_record_sets() == []


def test_a_cell_with_the_records_of_a_published_cell_keeps_its_value_and_status(
    office, source, microdata, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first = publish(office, source, capture, slug="a", dimensions=[STADTTEIL, SEX])
    second = publish(office, source, capture, slug="b", dimensions=[SEX, STADTTEIL])
    assert second.status == TableComputation.Status.PUBLISHED
    key = lambda c: (c["Stadtteil"], c["Geschlecht"])  # noqa: E731
    before = {key(c): (c["flag"], c["value"]) for c in first.cells}
    after = {key(c): (c["flag"], c["value"]) for c in second.cells}
    assert before == after


def test_the_cell_key_method_refuses_a_filter_that_leaves_out_a_small_group(
    demo_areas, office, source, microdata, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    publish(office, source, capture, slug="ck-st", dimensions=[STADTTEIL], method="cellkey")
    refused = publish(
        office,
        source,
        capture,
        slug="ck-mw",
        dimensions=[STADTTEIL],
        filters=[{"field": "Geschlecht", "op": "in", "values": ["m", "w"]}],
        method="cellkey",
    )
    assert refused.status == TableComputation.Status.FAILED
    assert "weniger als 3 Personen" in refused.message
    assert "Stadtteil: Westliche Höhe" in refused.message  # the Stadtteil with one "d"


def test_publishing_is_refused_when_another_table_was_published_since_computing(
    office, source, microdata, django_capture_on_commit_callbacks
):
    first, second = office
    capture = django_capture_on_commit_callbacks
    early = services.save_definition(
        user=first, sources=[source], title="früh", slug="frueh", dimensions=[STADTTEIL, SEX]
    )
    with capture(execute=True):
        waiting = services.request_computation(early, first)
    publish(office, source, capture, slug="dazwischen", dimensions=[SEX])
    waiting.refresh_from_db()
    services.review(waiting, second, approve=True)
    waiting.refresh_from_db()
    with pytest.raises(services.TableError, match="neu berechnen"):
        services.publish(waiting, second)


def test_the_limit_on_atoms_is_an_explained_refusal(
    office, source, microdata, django_capture_on_commit_callbacks, settings
):
    settings.BIF_JOINT_MAX_ATOMS = 10
    capture = django_capture_on_commit_callbacks
    publish(office, source, capture, slug="x", dimensions=[STADTTEIL, SEX])
    refused = publish(
        office,
        source,
        capture,
        slug="y",
        dimensions=[STADTTEIL, {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y"}],
    )
    assert refused.status == TableComputation.Status.FAILED
    assert "mehr als 10 Atome" in refused.message


# --- Property: any sequence of tables, published in order --------------------------------

DIMENSION_CHOICES = {
    "stadtteil": STADTTEIL,
    "sex": SEX,
    "broad": _age(BROAD),
    "two": _age(TWO),
    "planning": _age("planning"),
}
FILTER_CHOICES = {
    "none": [],
    "mw": [{"field": "Geschlecht", "op": "in", "values": ["m", "w"]}],
    "not03": [{"field": "Stadtteil", "op": "ne", "value": "03"}],
    "young": [{"field": "Geburtsdatum", "op": "gt", "value": "1990-06-30"}],
}


@st.composite
def table_sequences(draw):
    tables = []
    for _ in range(draw(st.integers(3, 6))):
        names = draw(
            st.lists(
                st.sampled_from(sorted(DIMENSION_CHOICES)), min_size=1, max_size=2, unique=True
            )
        )
        if sum(n in ("broad", "two", "planning") for n in names) > 1:
            names = [n for n in names if n not in ("two", "planning")] or ["broad"]
        tables.append(
            (
                [DIMENSION_CHOICES[n] for n in names],
                FILTER_CHOICES[draw(st.sampled_from(sorted(FILTER_CHOICES)))],
                draw(st.sampled_from(["suppression", "suppression", "cellkey"])),
            )
        )
    return draw(st.integers(0, 10_000)), draw(st.integers(60, 160)), tables


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=table_sequences())
def test_any_sequence_of_published_tables_discloses_no_small_group(
    case, office, grant_to, django_capture_on_commit_callbacks
):
    seed, size, tables = case
    print("CASE", case)
    source = factories.DataSourceFactory(
        slug=f"prop-{seed}-{size}-{len(tables)}-{uuid.uuid4().hex[:6]}"
    )
    for user in office:
        grant_to(user, source, access.DEFINE_TABLES, access.PUBLISH_TABLES)
    frame = residents_frame(n=size, seed=seed)
    frame["Stadtteil"] = frame["Stadtteil"].replace({"04": "03"})
    run_id = next(_RUN_IDS)
    store.load_version(
        source_id=source.pk,
        run_id=run_id,
        frame=frame,
        field_types=FIELD_TYPES,
        record_keys=np.random.default_rng(seed).integers(0, 2**32, len(frame)) / 2**32,
        reference_date=REFERENCE_DATE,
    )
    store.make_current(run_id)
    for k, (dimensions, filters, method) in enumerate(tables):
        computation = publish(
            office,
            source,
            django_capture_on_commit_callbacks,
            slug=f"{source.slug}-{k}",
            dimensions=dimensions,
            filters=filters,
            method=method,
        )
        assert computation.status in (
            TableComputation.Status.PUBLISHED,
            TableComputation.Status.FAILED,
        )
        if computation.status == TableComputation.Status.FAILED:
            assert computation.message  # a refusal says why
    published = attacker(source, frame)
    assert published.disclosed() == []
    assert published.inconsistent_record_sets() == []


def test_the_filter_scenario_through_the_api_and_the_pages(
    office, source, microdata, staff, client, django_capture_on_commit_callbacks
):
    """Define and compute through the REST API, review and publish on the office's pages
    (a second statistician), read as staff through the API: nothing small can be derived."""
    first, second = office
    published_ids = []
    for slug, dimensions, filters in [
        ("api-st-sex", [STADTTEIL, SEX], []),
        ("api-st-mw", [STADTTEIL], [{"field": "Geschlecht", "op": "in", "values": ["m", "w"]}]),
    ]:
        client.force_login(first)
        created = client.post(
            reverse("table-definition-list"),
            {
                "title": slug,
                "slug": slug,
                "sources": [source.slug],
                "dimensions": dimensions,
                "filters": filters,
                "measure": "count",
                "method": "suppression",
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        with django_capture_on_commit_callbacks(execute=True):
            queued = client.post(reverse("table-definition-compute", args=[created.json()["id"]]))
        assert queued.status_code == 202
        computation = TableComputation.objects.get(pk=queued.json()["id"])
        assert computation.status == TableComputation.Status.COMPUTED, computation.message
        client.force_login(second)
        page = client.get(reverse("tables:computation-detail", args=[computation.pk]))
        assert "Gemeinsam geprüft mit veröffentlichten Tabellen" in page.content.decode()
        reviewed = client.post(
            reverse("tables:computation-review", args=[computation.pk]),
            {"decision": "approve", "comment": "Vier Augen"},
        )
        assert reviewed.status_code == 302
        client.post(reverse("tables:computation-publish", args=[computation.pk]))
        published_ids.append(PublishedTable.objects.get(computation=computation).pk)

    client.force_login(staff)
    tables = []
    for pk in published_ids:
        detail = client.get(reverse("table-detail", args=[pk])).json()
        table = PublishedTable.objects.get(pk=pk)
        tables.append((table.spec, detail["cells"], table.method, 2.0))
    attack = Published(residents_frame(), tables, REFERENCE_DATE)
    assert attack.disclosed() == []
    filtered = {c["Stadtteil"]: c for c in tables[1][1]}
    assert filtered["04"]["flag"] == "secret"
