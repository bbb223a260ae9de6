"""The introduction checklist, stages, overview export, timeliness and feedback."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.models import Dashboard
from departments import services as catalog
from departments.models import DataSource, ImportRun
from rollout import selectors, services
from rollout.models import ChecklistTemplate, DashboardFeedback, StageChange
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)


def _complete_up_to(checklist, stage, user):
    order = ["verified", "plausible", "live"]
    for item in checklist.items.select_related("item_template"):
        if order.index(item.item_template.required_for_stage) <= order.index(stage):
            services.complete_item(item, user, evidence_text="erledigt")


def _run(source, *, status=ImportRun.Status.ACCEPTED, reference_date=None, errors=0, n=0):
    return factories.ImportRunFactory(
        source=source,
        file_name=f"export{n}.csv",
        stored_path=f"x/{n}",
        checksum=f"{n:064d}",
        status=status,
        reference_date=reference_date,
        error_count=errors,
    )


def test_default_template_has_the_thirteen_items_of_the_study():
    template = services.current_template()
    assert template.version == 1
    assert template.items.count() == 13
    assert set(template.items.values_list("required_for_stage", flat=True)) == {
        "verified",
        "plausible",
        "live",
    }


def test_stage_cannot_advance_while_required_items_are_open(source, administrator):
    checklist = services.create_checklist(source)
    first = checklist.items.order_by("item_template__order").first()
    services.complete_item(first, administrator, evidence_text="Ansprechperson: Frau Lund")

    with pytest.raises(services.RolloutError) as error:
        services.advance_stage(source, DataSource.Stage.VERIFIED, administrator)

    assert "Rechtsgrundlage und Zweck dokumentiert" in error.value.message
    assert "Datenquelle identifiziert" not in error.value.message
    source.refresh_from_db()
    assert source.stage == DataSource.Stage.IDENTIFIED
    assert not StageChange.objects.exists()


def test_stage_advances_once_its_required_items_are_done(source, administrator):
    checklist = services.create_checklist(source)
    _complete_up_to(checklist, "verified", administrator)

    services.advance_stage(source, DataSource.Stage.VERIFIED, administrator, note="geprüft")

    source.refresh_from_db()
    assert source.stage == DataSource.Stage.VERIFIED
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage) == ("identified", "verified")
    # The next stage still waits for its own items.
    with pytest.raises(services.RolloutError):
        services.advance_stage(source, DataSource.Stage.PLAUSIBLE, administrator)


def test_stages_cannot_be_skipped(source, administrator):
    checklist = services.create_checklist(source)
    _complete_up_to(checklist, "live", administrator)
    with pytest.raises(services.RolloutError, match="Stufe für Stufe"):
        services.advance_stage(source, DataSource.Stage.LIVE, administrator)


def test_automatic_check_satisfies_an_item(source, administrator):
    checklist = services.create_checklist(source)
    _complete_up_to(checklist, "verified", administrator)
    services.advance_stage(source, DataSource.Stage.VERIFIED, administrator)
    _run(source, reference_date=TODAY, n=1)  # accepted, no errors: validation and first import
    open_items = selectors.open_required_items(
        checklist, "plausible", selectors.auto_checks([source])[source.pk]
    )
    assert [i.item_template.key for i in open_items] == ["plausibilitaet"]


def test_completing_an_item_needs_evidence(source, administrator):
    item = services.create_checklist(source).items.first()
    with pytest.raises(services.RolloutError, match="Nachweis"):
        services.complete_item(item, administrator)


def test_progress_percentages(source, administrator):
    checklist = services.create_checklist(source)
    assert selectors.progress(checklist) == 0
    _complete_up_to(checklist, "verified", administrator)  # 5 of 13
    assert selectors.progress(checklist) == 38
    _complete_up_to(checklist, "plausible", administrator)  # 8 of 13
    assert selectors.progress(checklist) == 62
    _complete_up_to(checklist, "live", administrator)
    assert selectors.progress(checklist) == 100


@pytest.mark.parametrize(
    ("cycle", "days", "overdue"),
    [
        ("monthly", 45, False),
        ("monthly", 46, True),
        ("quarterly", 120, False),
        ("quarterly", 121, True),
        ("yearly", 400, False),
        ("yearly", 401, True),
        ("on_demand", 4000, False),
    ],
)
def test_overdue_against_the_update_cycle(cycle, days, overdue):
    last = TODAY - datetime.timedelta(days=days)
    assert selectors.is_overdue(cycle, last, TODAY) is overdue


def test_overdue_uses_the_newest_accepted_delivery(source):
    source.update_cycle = DataSource.UpdateCycle.MONTHLY
    source.save()
    _run(source, reference_date=TODAY - datetime.timedelta(days=100), n=1)
    _run(source, status=ImportRun.Status.FAILED, reference_date=TODAY, errors=3, n=2)
    assert selectors.source_quality(source, today=TODAY)["overdue"] is True

    _run(source, reference_date=TODAY - datetime.timedelta(days=10), n=3)
    quality = selectors.source_quality(source, today=TODAY)
    assert quality["overdue"] is False
    assert quality["acceptance_rate"] == 67  # 2 of 3 decided runs accepted
    assert len(quality["runs"]) == 3


def test_overview_export_opens_and_lists_the_sources(client, administrator, source, other_source):
    services.create_checklist(source)
    client.force_login(administrator)
    response = client.get(reverse("rollout:export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"Datenquellen", "Fachbereiche", "Stufenwechsel"} <= set(workbook.sheetnames)
    names = [row[1] for row in workbook["Datenquellen"].iter_rows(min_row=2, values_only=True)]
    assert set(names) == {source.name, other_source.name}


def test_pages_are_404_for_staff_without_role(client, staff, source, department):
    client.force_login(staff)
    for url in (
        reverse("rollout:overview"),
        reverse("rollout:export"),
        reverse("rollout:checklist", args=[source.slug]),
        reverse("rollout:staff", args=[department.code]),
        reverse("rollout:feedback-list"),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("rollout:advance", args=[source.slug]), {"to_stage": "verified"})
    assert response.status_code == 404


def test_department_head_sees_overview_and_records_staff_involvement(client, department, source):
    head = factories.UserFactory(username="leitung-ewo")
    catalog.add_member(user=head, department=department, analyst=False, head=True)
    client.force_login(head)
    page = client.get(reverse("rollout:overview"))
    assert page.status_code == 200
    assert source.name in page.content.decode()
    assert client.get(reverse("rollout:checklist", args=[source.slug])).status_code == 404

    url = reverse("rollout:staff", args=[department.code])
    response = client.post(
        url, {"person_name": "Merle Hansen", "informed_at": "2026-03-02", "trained_at": ""}
    )
    assert response.status_code == 302
    assert "Merle Hansen" in client.get(url).content.decode()


def test_administrator_completes_items_and_advances_through_the_pages(
    client, administrator, source
):
    client.force_login(administrator)
    page = client.get(reverse("rollout:checklist", args=[source.slug]))
    assert page.status_code == 200
    checklist = source.checklist
    for item in checklist.items.filter(item_template__required_for_stage="verified"):
        client.post(
            reverse("rollout:complete-item", args=[source.slug, item.pk]),
            {"evidence_text": "liegt vor", "evidence_link": "https://intranet.example/vvt"},
        )
    client.post(reverse("rollout:advance", args=[source.slug]), {"to_stage": "verified"})
    source.refresh_from_db()
    assert source.stage == DataSource.Stage.VERIFIED


def test_feedback_posted_by_staff_is_visible_to_the_statistics_office(client, staff, statistician):
    dashboard = Dashboard.objects.create(
        title="Bevölkerung",
        slug="bevoelkerung",
        owner=statistician,
        status=Dashboard.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    client.force_login(staff)
    response = client.post(
        reverse("rollout:feedback", args=[dashboard.pk]),
        {"useful": "nein", "missing": "Es fehlen die statistischen Bezirke."},
    )
    assert response.status_code == 302
    assert DashboardFeedback.objects.get().useful is False

    client.force_login(statistician)
    page = client.get(reverse("rollout:feedback-list"))
    assert page.status_code == 200
    assert "Es fehlen die statistischen Bezirke." in page.content.decode()


def test_feedback_on_an_invisible_dashboard_is_404(client, staff, statistician):
    draft = Dashboard.objects.create(title="Entwurf", slug="entwurf", owner=statistician)
    client.force_login(staff)
    response = client.post(reverse("rollout:feedback", args=[draft.pk]), {"useful": "ja"})
    assert response.status_code == 404


def test_changing_a_template_archives_the_old_version(source, administrator):
    template = services.current_template()
    checklist = services.create_checklist(source)
    services.archive_version(template)
    template.items.filter(key="probeexport").update(title="Probeexport geprüft")

    template.refresh_from_db()
    assert template.version == 2
    checklist.refresh_from_db()
    archived = checklist.template
    assert (archived.version, archived.is_current) == (1, False)
    assert checklist.items.filter(item_template__title="Probeexport erhalten").exists()
    assert ChecklistTemplate.objects.filter(is_current=True, scope="source").get() == template


def test_demo_city_shows_a_mid_rollout_state():
    from bif import seeding
    from rollout.demo import seed_rollout

    seeding.create_catalog()
    seeding.create_users()
    seed_rollout()
    seed_rollout()  # idempotent

    rows = {row["source"].slug: row for row in selectors.overview_rows()}
    stages = {slug: row["stage"] for slug, row in rows.items()}
    assert {"live", "verified", "identified"} <= set(stages.values())
    assert stages["kfz"] == "identified"
    # First item by hand, the schema by its automatic check (the catalog declares it).
    assert rows["kfz"]["progress"] == round(100 * 2 / 13)
    assert rows["einwohner"]["progress"] == 100
    assert rows["bauantraege"]["blocking"]  # waits for plausibility items
    assert StageChange.objects.filter(source__slug="einwohner").count() == 3
    admin = factories.UserFactory(username="admin")
    with pytest.raises(services.RolloutError):
        services.advance_stage(DataSource.objects.get(slug="kfz"), DataSource.Stage.VERIFIED, admin)


def test_snippets_render_for_the_dashboard_and_source_pages(rf, source, statistician):
    from django.template import Context, Template

    dashboard = Dashboard.objects.create(title="Kita", slug="kita", owner=statistician)
    html = Template(
        "{% load rollout %}{% feedback_form dashboard %}{% source_quality source %}"
    ).render(Context({"dashboard": dashboard, "source": source, "request": rf.get("/")}))
    assert reverse("rollout:feedback", args=[dashboard.pk]) in html
    assert "Datenqualität im Zeitverlauf" in html
