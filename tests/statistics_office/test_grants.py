"""Grants of the sealed statistics office: four eyes for microdata, expiry, revocation,
pledge and training, all checked at access time; and the administration's pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.models import DataSourceUserObjectPermission
from statistics_office import grants
from statistics_office.grants import GrantError
from statistics_office.models import AuditAction, AuditEntry, AuditOutcome, Grant
from statistics_office.tasks import expire_grants as expire_grants_task
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)


def qualify(person, by, *, training_valid_until=None):
    """Pledge and training recorded, as the administration does before any grant works."""
    grants.record_pledge(
        person,
        pledge_date=TODAY - timedelta(days=30),
        training_date=TODAY - timedelta(days=30),
        training_valid_until=training_valid_until or TODAY + timedelta(days=365),
        by=by,
    )
    return person


@pytest.fixture
def qualified_statistician(statistician, administrator):
    return qualify(statistician, administrator)


@pytest.fixture
def second_admin(db):
    return factories.administrator(username="admin-zwei")


def make_grant(user, source, granted_by, permission="view_microdata", **overrides):
    values = {
        "purpose": "Bevölkerungsfortschreibung 2026",
        "legal_basis": "§ 4 Statistiksatzung",
        "valid_from": TODAY - timedelta(days=1),
        "valid_until": TODAY + timedelta(days=90),
        **overrides,
    }
    return grants.request_grant(
        user=user, source=source, permission=permission, granted_by=granted_by, **values
    )


def approved_grant(user, source, granted_by, approver, **overrides):
    grant = make_grant(user, source, granted_by, **overrides)
    return grants.approve_grant(grant, approver=approver)


def guardian_row_exists(user, source, codename="view_microdata"):
    return DataSourceUserObjectPermission.objects.filter(
        user=user, content_object=source, permission__codename=codename
    ).exists()


def backdate(grant, **fields):
    """Move a grant's period into the past, as time passing would."""
    Grant.objects.filter(pk=grant.pk).update(**fields)


def entries(action, **filters):
    return AuditEntry.objects.filter(action=action, **filters)


# --- four eyes ------------------------------------------------------------------------------


def test_microdata_grant_has_no_effect_until_a_second_administrator_approves(
    qualified_statistician, source, administrator, second_admin
):
    grant = make_grant(qualified_statistician, source, administrator)

    assert grant.needs_approval
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")
    assert not guardian_row_exists(qualified_statistician, source)
    assert list(grants.pending_approvals()) == [grant]

    grants.approve_grant(grant, approver=second_admin)

    assert grants.has_grant(qualified_statistician, source, "view_microdata")
    assert guardian_row_exists(qualified_statistician, source)
    assert list(grants.pending_approvals()) == []
    assert qualified_statistician.has_perm("departments.view_microdata", source)


def test_the_granting_administrator_cannot_approve_their_own_grant(
    qualified_statistician, source, administrator
):
    grant = make_grant(qualified_statistician, source, administrator)

    with pytest.raises(GrantError, match="zweite Person aus der Administration"):
        grants.approve_grant(grant, approver=administrator)

    grant.refresh_from_db()
    assert grant.approved_at is None
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")
    refused = entries(AuditAction.GRANT_APPROVED, outcome=AuditOutcome.DENIED)
    assert refused.count() == 1


def test_only_administration_may_approve(qualified_statistician, source, administrator):
    grant = make_grant(qualified_statistician, source, administrator)
    other_statistician = factories.statistician(username="statistiker-zwei")

    with pytest.raises(GrantError):
        grants.approve_grant(grant, approver=other_statistician)
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")


def test_only_administration_may_grant(qualified_statistician, source, statistician):
    other = factories.statistician(username="statistiker-zwei")
    with pytest.raises(GrantError, match="Administration"):
        make_grant(other, source, statistician)
    assert not Grant.objects.exists()


def test_grants_go_only_to_members_of_the_statistics_office(staff, source, administrator):
    with pytest.raises(GrantError, match="Statistikstelle"):
        make_grant(staff, source, administrator)


def test_a_grant_needs_purpose_and_legal_basis(qualified_statistician, source, administrator):
    with pytest.raises(GrantError, match="Zweck"):
        make_grant(qualified_statistician, source, administrator, purpose="  ")
    with pytest.raises(GrantError, match="Rechtsgrundlage"):
        make_grant(qualified_statistician, source, administrator, legal_basis="")


def test_table_permissions_take_effect_without_approval(
    qualified_statistician, source, administrator
):
    for permission in ("define_tables", "publish_tables"):
        grant = make_grant(qualified_statistician, source, administrator, permission=permission)

        assert not grant.needs_approval
        assert grant.is_effective()
        assert grants.has_grant(qualified_statistician, source, permission)
        assert guardian_row_exists(qualified_statistician, source, permission)
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")


# --- expiry, revocation, pledge -------------------------------------------------------------


def test_expired_grant_hides_microdata_at_once_and_expiry_is_audited_once(
    qualified_statistician, source, administrator, second_admin
):
    grant = approved_grant(qualified_statistician, source, administrator, second_admin)
    backdate(grant, valid_from=TODAY - timedelta(days=30), valid_until=YESTERDAY)

    # Before the beat task runs: the guardian row is still there, access is not.
    assert guardian_row_exists(qualified_statistician, source)
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")
    assert list(grants.granted_sources(qualified_statistician, "view_microdata")) == []

    assert grants.expire_grants() == 1
    assert not guardian_row_exists(qualified_statistician, source)
    assert not qualified_statistician.has_perm("departments.view_microdata", source)

    assert expire_grants_task.delay().get() == 0
    expired = entries(AuditAction.GRANT_EXPIRED)
    assert expired.count() == 1
    assert expired.get().details["reason"] == "ended"
    grant.refresh_from_db()
    assert grant.expired_recorded_at is not None


def test_revoked_grant_stops_working_at_once(
    qualified_statistician, source, administrator, second_admin
):
    grant = approved_grant(qualified_statistician, source, administrator, second_admin)

    grants.revoke_grant(grant, by=second_admin, reason="Projekt beendet")

    assert not grants.has_grant(qualified_statistician, source, "view_microdata")
    assert not guardian_row_exists(qualified_statistician, source)
    revoked = entries(AuditAction.GRANT_REVOKED).get()
    assert revoked.username == "admin-zwei"
    with pytest.raises(GrantError):
        grants.revoke_grant(grant, by=second_admin, reason="nochmal")


def test_revoking_one_grant_keeps_another_current_grant_for_the_same_source(
    qualified_statistician, source, administrator, second_admin
):
    first = approved_grant(qualified_statistician, source, administrator, second_admin)
    approved_grant(
        qualified_statistician, source, administrator, second_admin, purpose="Kleinräumige Prognose"
    )

    grants.revoke_grant(first, by=administrator, reason="Zweck erfüllt")

    assert guardian_row_exists(qualified_statistician, source)
    assert grants.has_grant(qualified_statistician, source, "view_microdata")


def test_lapsed_training_hides_microdata_even_with_an_approved_grant(
    qualified_statistician, source, administrator, second_admin
):
    approved_grant(qualified_statistician, source, administrator, second_admin)
    member = qualified_statistician.office_member
    type(member).objects.filter(pk=member.pk).update(training_valid_until=YESTERDAY)

    assert not grants.has_grant(qualified_statistician, source, "view_microdata")

    assert grants.expire_grants() == 1
    assert entries(AuditAction.GRANT_EXPIRED).get().details["reason"] == "not_qualified"

    # Training renewed: the grant works again without a new approval.
    qualify(qualified_statistician, administrator)
    assert grants.has_grant(qualified_statistician, source, "view_microdata")
    assert guardian_row_exists(qualified_statistician, source)


def test_grant_without_pledge_has_no_effect(statistician, source, administrator, second_admin):
    approved_grant(statistician, source, administrator, second_admin)

    assert not grants.has_grant(statistician, source, "view_microdata")
    assert not guardian_row_exists(statistician, source)

    qualify(statistician, administrator)
    assert grants.has_grant(statistician, source, "view_microdata")
    assert entries(AuditAction.PLEDGE_RECORDED).count() == 1


def test_recording_a_lapsed_training_removes_access_at_once(
    qualified_statistician, source, administrator, second_admin
):
    approved_grant(qualified_statistician, source, administrator, second_admin)

    qualify(qualified_statistician, administrator, training_valid_until=YESTERDAY)

    assert not guardian_row_exists(qualified_statistician, source)
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")


def test_a_grant_starting_later_takes_effect_when_the_beat_task_runs_on_its_first_day(
    qualified_statistician, source, administrator
):
    tomorrow = TODAY + timedelta(days=1)
    grant = make_grant(
        qualified_statistician,
        source,
        administrator,
        permission="define_tables",
        valid_from=tomorrow,
    )
    assert not grants.has_grant(qualified_statistician, source, "define_tables")
    assert grant.status() == Grant.Status.NOT_YET_VALID

    grants.expire_grants(today=tomorrow)

    assert guardian_row_exists(qualified_statistician, source, "define_tables")
    assert grant.is_effective(on=tomorrow)


def test_superuser_has_no_implicit_microdata_access(source, administrator, second_admin):
    boss = factories.UserFactory(username="chef", is_superuser=True)
    qualify(boss, administrator)

    assert not grants.has_grant(boss, source, "view_microdata")
    assert list(grants.granted_sources(boss, "view_microdata")) == []


def test_guardian_row_alone_grants_nothing(qualified_statistician, source):
    from guardian.shortcuts import assign_perm

    assign_perm("departments.view_microdata", qualified_statistician, source)

    assert not grants.has_grant(qualified_statistician, source, "view_microdata")
    assert grants.expire_grants() == 1
    assert not guardian_row_exists(qualified_statistician, source)


def test_granted_sources_lists_only_granted_sources_in_one_query(
    qualified_statistician,
    source,
    other_source,
    administrator,
    second_admin,
    django_assert_num_queries,
):
    approved_grant(qualified_statistician, source, administrator, second_admin)
    make_grant(qualified_statistician, other_source, administrator)  # not approved
    third = factories.DataSourceFactory(name="Baugenehmigungen", slug="bau")
    make_grant(qualified_statistician, third, administrator, permission="define_tables")

    with django_assert_num_queries(1):
        sources = list(grants.granted_sources(qualified_statistician, "view_microdata"))

    assert sources == [source]
    assert list(grants.granted_sources(qualified_statistician, "define_tables")) == [third]


def test_audit_log_records_the_grant_procedure_without_microdata(
    qualified_statistician, source, administrator, second_admin
):
    grant = approved_grant(qualified_statistician, source, administrator, second_admin)

    created = entries(AuditAction.GRANT_CREATED).get()
    approved = entries(AuditAction.GRANT_APPROVED, outcome=AuditOutcome.OK).get()
    assert created.username == "admin-bif"
    assert approved.username == "admin-zwei"
    assert created.object_id == str(grant.pk)
    assert created.source_id == source.pk
    assert created.purpose == "Bevölkerungsfortschreibung 2026"
    assert created.details["person"] == "statistikerin"
    assert created.details["permission"] == "view_microdata"


# --- pages ----------------------------------------------------------------------------------


PAGE_NAMES = [
    "grants:grant-list",
    "grants:grant-create",
    "grants:grant-pending",
    "grants:member-list",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_grant_pages_are_not_found_for_staff_and_statisticians(client, staff, statistician, name):
    for person in (staff, statistician):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 404
    assert entries(AuditAction.ACCESS_DENIED).count() == 2


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_grant_pages_open_for_administration(
    client, administrator, qualified_statistician, source, second_admin, name
):
    approved_grant(qualified_statistician, source, second_admin, administrator)
    make_grant(qualified_statistician, source, second_admin, purpose="Schulentwicklungsplanung")
    client.force_login(administrator)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert b"<caption>" in response.content or b"<form" in response.content


def test_grant_list_filters_by_person_and_source(
    client, administrator, second_admin, qualified_statistician, source, other_source
):
    approved_grant(qualified_statistician, source, administrator, second_admin)
    make_grant(qualified_statistician, other_source, administrator, permission="define_tables")
    client.force_login(administrator)

    response = client.get(reverse("grants:grant-list"), {"source": "kita"})

    assert [g.source for g in response.context["grants"]] == [other_source]


def test_administrator_requests_and_a_second_one_approves_via_the_pages(
    client, administrator, second_admin, qualified_statistician, source
):
    client.force_login(administrator)
    response = client.post(
        reverse("grants:grant-create"),
        {
            "user": qualified_statistician.pk,
            "source": source.pk,
            "permission": "view_microdata",
            "purpose": "Bevölkerungsfortschreibung",
            "legal_basis": "§ 4 Statistiksatzung",
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    grant = Grant.objects.get()

    # The same administrator's approval is refused.
    client.post(reverse("grants:grant-approve", args=[grant.pk]))
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")

    client.force_login(second_admin)
    response = client.post(reverse("grants:grant-approve", args=[grant.pk]))

    assert response.status_code == 302
    assert grants.has_grant(qualified_statistician, source, "view_microdata")
    assert entries(AuditAction.GRANT_APPROVED, outcome=AuditOutcome.OK).count() == 1


def test_request_form_rejects_an_end_before_the_start(
    client, administrator, qualified_statistician, source
):
    client.force_login(administrator)
    response = client.post(
        reverse("grants:grant-create"),
        {
            "user": qualified_statistician.pk,
            "source": source.pk,
            "permission": "define_tables",
            "purpose": "Tabellenprogramm",
            "legal_basis": "§ 4 Statistiksatzung",
            "valid_from": TODAY.isoformat(),
            "valid_until": YESTERDAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Das Ende der Freigabe liegt vor ihrem Beginn." in response.content.decode()
    assert not Grant.objects.exists()


def test_approve_is_post_only(client, second_admin, administrator, qualified_statistician, source):
    grant = make_grant(qualified_statistician, source, administrator)
    client.force_login(second_admin)

    assert client.get(reverse("grants:grant-approve", args=[grant.pk])).status_code == 405
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")


def test_revoke_page_revokes_with_a_reason(
    client, administrator, second_admin, qualified_statistician, source
):
    grant = approved_grant(qualified_statistician, source, administrator, second_admin)
    client.force_login(administrator)
    url = reverse("grants:grant-revoke", args=[grant.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200  # reason required
    assert grants.has_grant(qualified_statistician, source, "view_microdata")

    response = client.post(url, {"reason": "Auftrag zurückgezogen"})

    assert response.status_code == 302
    assert not grants.has_grant(qualified_statistician, source, "view_microdata")
    grant.refresh_from_db()
    assert grant.revoke_reason == "Auftrag zurückgezogen"


def test_member_page_records_pledge_and_training(client, administrator, statistician):
    client.force_login(administrator)

    response = client.get(reverse("grants:member-list"))
    assert "statistikerin" in response.content.decode()

    response = client.post(
        reverse("grants:member-edit", args=[statistician.pk]),
        {
            "pledge_date": TODAY.isoformat(),
            "pledge_reference": "10.2-Stat/2026/7",
            "training_date": TODAY.isoformat(),
            "training_valid_until": (TODAY + timedelta(days=365)).isoformat(),
            "notes": "",
        },
    )

    assert response.status_code == 302
    statistician.refresh_from_db()
    assert statistician.office_member.is_qualified()
    assert statistician.office_member.pledge_reference == "10.2-Stat/2026/7"
    assert entries(AuditAction.PLEDGE_RECORDED).get().username == "admin-bif"


def test_member_edit_is_not_found_for_people_outside_the_office(client, administrator, staff):
    client.force_login(administrator)
    assert client.get(reverse("grants:member-edit", args=[staff.pk])).status_code == 404


def test_grant_list_query_count_does_not_grow_with_grants(
    client, administrator, second_admin, source, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_grants(start, count):
        for i in range(start, start + count):
            person = qualify(factories.statistician(username=f"stat-{i}"), administrator)
            approved_grant(person, source, administrator, second_admin)

    def queries_of_the_list():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("grants:grant-list")).status_code == 200
        return len(queries)

    add_grants(0, 6)
    client.force_login(administrator)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("grants:grant-list")).status_code == 200
    with_six = queries_of_the_list()
    add_grants(6, 6)
    assert queries_of_the_list() == with_six
