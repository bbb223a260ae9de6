"""Department checklists gating the stages, the built-in rollout dashboard, evidence files
and the audit trail of stage changes."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bif import audit
from departments import services as catalog
from departments.models import DataSource
from rollout import figures, selectors, services
from rollout.models import Checklist, StaffInvolvement
from statistics_office.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _complete_up_to(checklist, stage, user):
    order = ["verified", "plausible", "live"]
    for item in checklist.items.select_related("item_template"):
        if order.index(item.item_template.required_for_stage) <= order.index(stage):
            services.complete_item(item, user, evidence_text="erledigt")


def test_department_template_is_shipped_with_its_own_items():
    template = services.current_template("department")
    keys = list(template.items.values_list("key", flat=True))
    assert keys[0] == "fb-leitung"
    assert {"fb-personalrat", "fb-geschult", "fb-informiert"} <= set(keys)
    # The source template is still the study's 13 items.
    assert services.current_template().items.count() == 13


def test_department_checklist_is_created_once(department):
    first = services.create_checklist(department=department)
    again = services.create_checklist(department=department)
    assert first == again
    assert first.is_department_checklist
    assert first.template.scope == "department"
    assert Checklist.objects.filter(department=department, source__isnull=True).count() == 1


def test_open_department_items_block_every_source_of_the_department(
    source, department, administrator
):
    _complete_up_to(services.create_checklist(source), "plausible", administrator)
    department_checklist = services.create_checklist(department=department)

    with pytest.raises(services.RolloutError) as error:
        services.advance_stage(source, DataSource.Stage.VERIFIED, administrator)
    # No head is named in BIF: the department's first item names what is missing.
    assert "Fachbereichsleitung und Ansprechperson benannt (Fachbereich)" in error.value.message
    source.refresh_from_db()
    assert source.stage == DataSource.Stage.IDENTIFIED

    # The automatic check (a head in BIF) satisfies it; the catalog already has the source.
    head = factories.UserFactory(username="leitung")
    catalog.add_member(user=head, department=department, analyst=False, head=True)
    services.advance_stage(source, DataSource.Stage.VERIFIED, administrator)

    # "Ressourcen" and "informiert" are needed for plausibility; staff involvement checks one.
    with pytest.raises(services.RolloutError) as error:
        services.advance_stage(source, DataSource.Stage.PLAUSIBLE, administrator)
    assert "Ressourcen für die Einführung eingeplant (Fachbereich)" in error.value.message
    assert "Mitarbeitende informiert (Fachbereich)" in error.value.message
    StaffInvolvement.objects.create(
        department=department, person_name="Merle Hansen", informed_at="2026-01-10"
    )
    resources = department_checklist.items.get(item_template__key="fb-ressourcen")
    services.complete_item(resources, administrator, evidence_text="2 PT/Monat")
    services.advance_stage(source, DataSource.Stage.PLAUSIBLE, administrator)
    source.refresh_from_db()
    assert source.stage == DataSource.Stage.PLAUSIBLE


def test_sources_of_a_department_without_its_checklist_are_not_blocked(source, administrator):
    _complete_up_to(services.create_checklist(source), "verified", administrator)
    services.advance_stage(source, DataSource.Stage.VERIFIED, administrator)
    source.refresh_from_db()
    assert source.stage == DataSource.Stage.VERIFIED


def test_department_progress_counts_automatic_and_manual_items(department, source, administrator):
    checklist = services.create_checklist(department=department)
    total = checklist.items.count()
    # Only "Datenquellen im Katalog" holds automatically (the department has a source).
    assert selectors.progress(checklist) == round(100 / total)
    services.complete_item(
        checklist.items.get(item_template__key="fb-personalrat"),
        administrator,
        evidence_text="Zustimmung liegt vor",
    )
    assert selectors.progress(checklist) == round(200 / total)
    row = selectors.department_rows(selectors.overview_rows())[0]
    assert row["has_checklist"] and row["checklist_progress"] == round(200 / total)
    assert "Personalrat beteiligt" not in row["open_items"]
    assert "Ressourcen für die Einführung eingeplant" in row["open_items"]


def test_stage_changes_are_audited_and_the_chain_holds(source, administrator):
    _complete_up_to(services.create_checklist(source), "verified", administrator)
    services.advance_stage(source, DataSource.Stage.VERIFIED, administrator, note="geprüft")

    entry = AuditEntry.objects.get(action=audit.Action.ROLLOUT_STAGE_CHANGE)
    assert entry.username == administrator.username
    assert entry.details == {"from_stage": "identified", "to_stage": "verified", "note_given": True}
    assert entry.source_id == source.pk
    assert audit.verify_chain().ok


def test_refused_stage_change_leaves_no_audit_entry(source, administrator):
    services.create_checklist(source)
    with pytest.raises(services.RolloutError):
        services.advance_stage(source, DataSource.Stage.VERIFIED, administrator)
    assert not AuditEntry.objects.filter(action=audit.Action.ROLLOUT_STAGE_CHANGE).exists()


def test_department_page_for_administration_and_its_head_only(
    client, department, other_department, source, administrator, staff
):
    url = reverse("rollout:department", args=[department.code])
    client.force_login(administrator)
    page = client.get(url)
    assert page.status_code == 200
    assert "Personalrat beteiligt" in page.content.decode()
    item = Checklist.objects.get(department=department, source__isnull=True).items.get(
        item_template__key="fb-personalrat"
    )
    response = client.post(
        reverse("rollout:department-item", args=[department.code, item.pk]),
        {"evidence_text": "Zustimmung vom 3. März"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == administrator

    head = factories.UserFactory(username="leitung")
    catalog.add_member(user=head, department=department, analyst=False, head=True)
    client.force_login(head)
    page = client.get(url)
    assert page.status_code == 200
    assert "Zustimmung vom 3. März" in page.content.decode()
    # The head follows, the administration fills in.
    assert (
        client.post(
            reverse("rollout:department-item", args=[department.code, item.pk]), {"reopen": "1"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("rollout:department", args=[other_department.code])).status_code == 404
    )
    client.force_login(staff)
    assert client.get(url).status_code == 404


def test_evidence_file_is_served_only_through_the_permission_checked_view(
    client, settings, tmp_path, source, department, administrator, staff
):
    settings.MEDIA_ROOT = str(tmp_path)
    item = services.create_checklist(source).items.order_by("item_template__order").first()
    services.complete_item(
        item,
        administrator,
        evidence_file=SimpleUploadedFile("vvt-eintrag.pdf", b"%PDF-1.4 Nachweis"),
    )
    url = reverse("rollout:evidence", args=[item.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 404
    client.force_login(administrator)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 Nachweis"
    assert "attachment" in response["Content-Disposition"]
    page = client.get(reverse("rollout:checklist", args=[source.slug])).content.decode()
    assert url in page


def test_rollout_dashboard_draws_the_overview(client, administrator, source, other_source):
    _complete_up_to(services.create_checklist(source), "verified", administrator)
    services.advance_stage(source, DataSource.Stage.VERIFIED, administrator)
    client.force_login(administrator)
    page = client.get(reverse("rollout:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    blocks = dict(
        re.findall(r'<script id="fig-(\w+)" type="application/json">(.*?)</script>', html, re.S)
    )
    assert set(blocks) == {"stufen", "fortschritt", "zeitleiste"}
    stages = json.loads(blocks["stufen"])
    by_stage = {trace["name"]: sum(trace["x"]) for trace in stages["data"]}
    assert by_stage["verifiziert"] == 1 and by_stage["identifiziert"] == 1
    timeline = json.loads(blocks["zeitleiste"])
    assert [trace["y"][-1] for trace in timeline["data"]] == [1, 0, 0]
    assert "Tabelle zur Grafik" in html  # every chart has its data table


def test_stages_over_time_counts_forward_and_backward_changes(source, administrator):
    import datetime

    from rollout.models import StageChange

    day = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    changes = [
        StageChange(
            pk=1, source=source, from_stage="identified", to_stage="verified", changed_at=day
        ),
        StageChange(
            pk=2,
            source=source,
            from_stage="verified",
            to_stage="plausible",
            changed_at=day + datetime.timedelta(days=10),
        ),
        StageChange(
            pk=3,
            source=source,
            from_stage="plausible",
            to_stage="verified",
            changed_at=day + datetime.timedelta(days=20),
        ),
    ]
    chart = figures.stages_over_time(changes)
    verified, plausible, live = chart["figure"]["data"]
    assert verified["y"] == [1, 1, 1]
    assert plausible["y"] == [0, 1, 0]
    assert live["y"] == [0, 0, 0]
    assert [row["label"] for row in chart["table"]["rows"]] == [
        "2026-03-01",
        "2026-03-11",
        "2026-03-21",
    ]


def test_demo_city_has_department_checklists_and_a_head():
    from django.contrib.auth import get_user_model

    from bif import seeding
    from rollout.demo import seed_rollout

    seeding.create_catalog()
    seeding.create_users()
    seed_rollout()
    seed_rollout()  # idempotent

    head = get_user_model().objects.get(username="leitung-jugend")
    assert selectors.may_view_overview(head)
    rows = {d["department"].code: d for d in selectors.department_rows(selectors.overview_rows())}
    assert all(row["has_checklist"] for row in rows.values())
    kfz = DataSource.objects.get(slug="kfz").department.code
    # The department with only an identified source has done nothing yet by hand.
    assert rows[kfz]["open_items"]
    # Departments with a live source have their department items done.
    live_departments = set(
        DataSource.objects.filter(stage="live").values_list("department__code", flat=True)
    )
    for code in live_departments:
        assert rows[code]["checklist_progress"] == 100, code


def test_dashboard_list_offers_the_built_in_rollout_dashboard(client, administrator, staff):
    client.force_login(administrator)
    assert reverse("rollout:dashboard") in client.get(reverse("dashboards:list")).content.decode()
    client.force_login(staff)
    assert (
        reverse("rollout:dashboard") not in client.get(reverse("dashboards:list")).content.decode()
    )
    assert client.get(reverse("rollout:dashboard")).status_code == 404
