"""The builder's answers: the same value for the same records, zeros, no small values,
sparsity, filter isolation, budget, related queries, audit."""

import pytest
from django.utils import timezone

from statistics_office.builder import services
from statistics_office.builder.models import BuilderQuery
from statistics_office.models import AuditEntry

pytestmark = [pytest.mark.django_db(databases=["default", "sealed"])]


def ask(user, source, capture, **spec):
    with capture(execute=True):
        query = services.ask(user, source, spec)
    query.refresh_from_db()
    return query


def cell(query, **codes):
    names = [d["name"] for d in query.dimensions]
    wanted = tuple(codes.get(n, "_T") for n in names)
    return next(c for c in query.cells if tuple(c[n] for n in names) == wanted)


def test_the_same_query_twice_gives_the_same_table(
    staff, source, catalogue, django_capture_on_commit_callbacks
):
    first = ask(
        staff,
        source,
        django_capture_on_commit_callbacks,
        rows=["stadtteil"],
        columns=["geschlecht"],
    )
    second = ask(
        staff,
        source,
        django_capture_on_commit_callbacks,
        rows=["stadtteil"],
        columns=["geschlecht"],
    )
    assert first.status == BuilderQuery.Status.DONE, first.message
    assert first.cells == second.cells and first.cells


def test_the_same_records_through_different_queries_give_the_same_value(
    staff, source, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.TABLE_BUILDER_RELATED_QUERIES = 5  # the filter below is asked on purpose
    capture = django_capture_on_commit_callbacks
    alone = ask(staff, source, capture, rows=["stadtteil"])
    crossed = ask(staff, source, capture, rows=["stadtteil"], columns=["alter5"])
    # every sex is in the filter: the same record set as without it
    filtered = ask(
        staff,
        source,
        capture,
        rows=["stadtteil"],
        filters=[{"item": "geschlecht", "values": ["m", "w", "d"]}],
    )
    by_sex = ask(staff, source, capture, rows=["geschlecht"], columns=["stadtteil"])
    for code in ("01", "02", "03", "04", "_T"):
        values = {
            cell(alone, Stadtteil=code)["value"],
            cell(crossed, Stadtteil=code)["value"],
            cell(filtered, Stadtteil=code)["value"],
            cell(by_sex, Stadtteil=code)["value"],
        }
        assert len(values) == 1, (code, values)


def test_a_builder_cell_equals_the_published_cell_over_the_same_records(
    office, staff, source, catalogue, django_capture_on_commit_callbacks
):
    from statistics_office.tables import services as tables

    first, second = office
    definition = tables.save_definition(
        user=first,
        sources=[source],
        title="Einwohner nach Stadtteil",
        method="cellkey",
        dimensions=[{"field": "Stadtteil", "kind": "code"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        computation = tables.request_computation(definition, first)
    computation.refresh_from_db()
    published = {c["Stadtteil"]: c["value"] for c in computation.cells}
    query = ask(
        staff,
        source,
        django_capture_on_commit_callbacks,
        rows=["stadtteil"],
        columns=["geschlecht"],
    )
    for code, value in published.items():
        assert cell(query, Stadtteil=code)["value"] == value


def test_zero_stays_zero_and_no_value_lies_in_one_to_js(
    staff, source, catalogue, residents, django_capture_on_commit_callbacks
):
    query = ask(
        staff,
        source,
        django_capture_on_commit_callbacks,
        rows=["stadtteil"],
        columns=["geschlecht"],
    )
    assert query.status == BuilderQuery.Status.DONE, query.message
    truth = residents.groupby(["Stadtteil", "Geschlecht"]).size()
    for code in ("01", "02", "03"):
        assert "d" not in truth.loc[code].index
        shown = cell(query, Stadtteil=code, Geschlecht="d")
        assert shown["flag"] == "zero" and shown["value"] is None
    values = [c["value"] for c in query.cells if c["value"] is not None]
    assert values and not any(1 <= v <= 2 for v in values)
    # the lone "d" of Stadtteil 04 never shows as 1 or 2
    lone = cell(query, Stadtteil="04", Geschlecht="d")
    assert lone["value"] is None or lone["value"] >= 3


def test_a_sparse_table_is_refused_with_a_coarser_suggestion(
    staff, source, catalogue, django_capture_on_commit_callbacks
):
    catalogue.max_sparse_share = 0.0
    catalogue.save()
    query = ask(
        staff,
        source,
        django_capture_on_commit_callbacks,
        rows=["stadtteil", "alter5"],
        columns=["geschlecht"],
    )
    assert query.status == BuilderQuery.Status.REFUSED
    assert query.refusal == BuilderQuery.Refusal.SPARSE
    assert "gröbere Gliederung" in query.message and query.cells == []


def test_a_filter_that_isolates_a_few_records_is_refused(
    staff, source, catalogue, django_capture_on_commit_callbacks
):
    # leaving out sex "d" removes exactly one person from Stadtteil 04
    query = ask(
        staff,
        source,
        django_capture_on_commit_callbacks,
        rows=["stadtteil"],
        filters=[{"item": "geschlecht", "values": ["m", "w"]}],
    )
    assert query.status == BuilderQuery.Status.REFUSED
    assert query.refusal == BuilderQuery.Refusal.ISOLATION
    assert "weniger Fälle aus" in query.message and query.cells == []


def test_a_filter_leaving_too_few_records_is_refused(
    staff, source, catalogue, django_capture_on_commit_callbacks
):
    query = ask(
        staff,
        source,
        django_capture_on_commit_callbacks,
        rows=["alter5"],
        filters=[{"item": "geschlecht", "values": ["d"]}],
    )
    assert query.refusal == BuilderQuery.Refusal.POPULATION
    assert "zu wenige Fälle" in query.message


def test_catalogue_rules_refuse_unknown_items_and_two_age_classifications(
    staff, source, catalogue, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    unknown = ask(staff, source, capture, rows=["einkommen"])
    assert unknown.refusal == BuilderQuery.Refusal.CATALOGUE and "einkommen" in unknown.message
    both = ask(staff, source, capture, rows=["alter5"], columns=["alter_planung"])
    assert both.refusal == BuilderQuery.Refusal.CATALOGUE
    catalogue.excluded_combinations = [["stadtteil", "geschlecht"]]
    catalogue.save()
    excluded = ask(staff, source, capture, rows=["stadtteil"], columns=["geschlecht"])
    assert "ausgeschlossen" in excluded.message


def test_an_exhausted_budget_gives_a_clear_german_message(
    staff, source, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE = 2
    capture = django_capture_on_commit_callbacks
    for _ in range(2):
        assert ask(staff, source, capture, rows=["stadtteil"]).status == BuilderQuery.Status.DONE
    refused = ask(staff, source, capture, rows=["stadtteil"])
    assert refused.refusal == BuilderQuery.Refusal.BUDGET
    assert "Tageskontingent von 2 Abfragen" in refused.message and "erschöpft" in refused.message
    assert services.remaining_budget(staff, source) == 0
    # a new day, a new budget
    BuilderQuery.objects.update(created_at=timezone.now() - timezone.timedelta(days=1))
    assert ask(staff, source, capture, rows=["stadtteil"]).status == BuilderQuery.Status.DONE


def test_the_personal_budget_counts_every_source(
    staff, source, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.TABLE_BUILDER_DAILY_QUERIES = 1
    ask(staff, source, django_capture_on_commit_callbacks, rows=["stadtteil"])
    refused = ask(staff, source, django_capture_on_commit_callbacks, rows=["geschlecht"])
    assert "Ihr Tageskontingent von 1 Abfragen im Tabellenbaukasten" in refused.message


def test_related_queries_beyond_the_limit_are_refused(
    staff, source, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.TABLE_BUILDER_RELATED_QUERIES = 2
    capture = django_capture_on_commit_callbacks
    answers = [
        ask(
            staff,
            source,
            capture,
            rows=["alter_planung"],
            filters=[{"item": "stadtteil", "values": values}],
        )
        for values in (["01", "02"], ["01", "03"], ["01", "04"])
    ]
    assert [a.status for a in answers[:2]] == [BuilderQuery.Status.DONE] * 2
    assert answers[2].refusal == BuilderQuery.Refusal.RELATED
    assert "überschneidenden Filtern" in answers[2].message
    # unrelated filters are still answered
    other = ask(
        staff,
        source,
        capture,
        rows=["alter_planung"],
        filters=[{"item": "stadtteil", "values": ["02"]}],
    )
    assert other.status == BuilderQuery.Status.DONE


def test_every_query_is_audited_without_filter_values(
    staff, source, catalogue, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    done = ask(staff, source, capture, rows=["stadtteil"])
    refused = ask(
        staff,
        source,
        capture,
        rows=["stadtteil"],
        filters=[{"item": "geschlecht", "values": ["m", "w"]}],
    )
    entries = AuditEntry.objects.filter(details__kind="table_builder").order_by("sequence")
    assert [e.details["query_id"] for e in entries] == [done.pk, refused.pk]
    ok, denied = entries
    assert ok.outcome == "ok" and ok.user == staff and ok.source == source
    assert ok.details["cells"] == len(done.cells) and ok.details["refused"] == ""
    assert denied.outcome == "denied" and denied.details["refused"] == "isolation"
    assert denied.details["filter_items"] == ["geschlecht"]
    assert "m" not in str(denied.details.get("filter_items")) and "values" not in denied.details


def test_only_staff_may_build(no_role_user, source, catalogue):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.ask(no_role_user, source, {"rows": ["stadtteil"]})
    assert not services.catalogues_for(no_role_user).exists()
