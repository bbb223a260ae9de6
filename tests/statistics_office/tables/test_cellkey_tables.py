"""Cell key tables with the office's own perturbation table, the sparsity rule and the legend."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from statistics_office.disclosure.cellkey import as_ptable_frame, perturbation_table
from statistics_office.tables import exports, services
from statistics_office.tables.models import OfficePerturbationTable, TableComputation

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]

STADTTEIL = {"field": "Stadtteil", "kind": "code"}


def _compute(user, source, capture, **fields):
    definition = services.save_definition(
        user=user, sources=[source], method="cellkey", **{"title": "CKM", **fields}
    )
    with capture(execute=True):
        computation = services.request_computation(definition, user)
    computation.refresh_from_db()
    return computation


def test_a_definition_uses_the_office_perturbation_table(
    office, source, microdata, tmp_path, django_capture_on_commit_callbacks
):
    first, _second = office
    path = tmp_path / "ptable.csv"
    as_ptable_frame(perturbation_table(D=4, V=3.0, js=2)).to_csv(path, sep=";", index=False)
    out = io.StringIO()
    call_command("load_ptable", "stadt-d4", str(path), user=first.username, stdout=out)
    assert "D=4" in out.getvalue()
    assert OfficePerturbationTable.objects.get(name="stadt-d4").meets_variance

    computation = _compute(
        first,
        source,
        django_capture_on_commit_callbacks,
        dimensions=[STADTTEIL],
        parameters={"ptable": "stadt-d4"},
    )
    assert computation.status == TableComputation.Status.COMPUTED, computation.message
    ptable = computation.stats["versions"][0]["ptable"]
    assert ptable["own"] is True and ptable["D"] == 4
    assert all(abs(row["mean"]) < 1e-6 for row in ptable["rows"])
    assert "ptable_rows" not in computation.stats["parameters"]


def test_a_sparse_table_is_refused_with_a_suggestion(
    office, source, microdata, django_capture_on_commit_callbacks
):
    first, _second = office
    computation = _compute(
        first,
        source,
        django_capture_on_commit_callbacks,
        dimensions=[
            STADTTEIL,
            {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y95"},
            {"field": "Geschlecht", "kind": "code"},
        ],
        parameters={"max_sparse_share": 0.2},
    )
    assert computation.status == TableComputation.Status.FAILED
    assert "zu dünn besetzt" in computation.message
    assert "gröbere Gliederung" in computation.message


def test_the_legend_of_a_perturbed_table_says_its_values_are_perturbed(
    office, source, microdata, client, staff, django_capture_on_commit_callbacks
):
    first, second = office
    computation = _compute(
        first, source, django_capture_on_commit_callbacks, dimensions=[STADTTEIL]
    )
    services.review(computation, second, approve=True)
    computation.refresh_from_db()
    table = services.publish(computation, second)
    lines = " ".join(str(x) for x in exports.legend(table.method, table.parameters))
    assert "überlagert" in lines and "genau null" not in lines
    client.force_login(staff)
    detail = client.get(reverse("table-detail", args=[table.pk])).json()
    assert any("überlagert" in line for line in detail["legend"])
