"""Who reaches what: login everywhere, admin and catalog edits only for Administration."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from bif import roles

pytestmark = pytest.mark.django_db


def test_the_four_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.parametrize(
    "url",
    ["/", "/katalog/", "/dashboards/", "/statistikstelle/einzeldaten/", "/konto/password_change/"],
)
def test_every_page_except_login_requires_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_open_and_german_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="de">' in body
    assert "Anmelden" in body
    assert "Passwort" in body


def test_pages_switch_to_english_on_request(client, staff):
    client.force_login(staff)
    response = client.get("/katalog/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in response.content.decode()
    assert "Data catalogue" in response.content.decode()


def test_demo_user_can_log_in_with_password(client, staff):
    response = client.post(
        reverse("login"), {"username": "mitarbeiterin", "password": "geheim-und-lang-2026"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("user_fixture", ["no_role_user", "staff", "analyst", "statistician"])
def test_users_without_administration_cannot_reach_the_admin(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("user_fixture", ["no_role_user", "staff", "analyst", "statistician"])
def test_users_without_administration_cannot_edit_the_catalog(
    client, request, user_fixture, source
):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("departments:source-create")).status_code == 403
    assert client.get(reverse("departments:source-edit", args=[source.slug])).status_code == 403
    response = client.post(
        reverse("departments:source-edit", args=[source.slug]), {"name": "Umbenannt"}
    )
    assert response.status_code == 403
    source.refresh_from_db()
    assert source.name == "Einwohnerbestand"


def test_administration_reaches_admin_and_catalog_edit(client, administrator, source):
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("departments:source-edit", args=[source.slug])).status_code == 200


def test_navigation_follows_the_roles(client, staff, statistician):
    client.force_login(staff)
    body = client.get("/").content.decode()
    assert reverse("statistics_office:microdata-overview") not in body
    assert reverse("admin:index") not in body
    client.force_login(statistician)
    assert reverse("statistics_office:microdata-overview") in client.get("/").content.decode()


def test_statistics_office_pages_are_a_404_for_other_staff(client, staff):
    """README: without a grant a microdata page is a 404 that explains how to ask for access."""
    client.force_login(staff)
    response = client.get(reverse("statistics_office:microdata-overview"))
    assert response.status_code == 404


def test_a_failed_login_is_audited_without_the_password(client, staff):
    from statistics_office.models import AuditEntry

    client.post(reverse("login"), {"username": "mitarbeiterin", "password": "falsch-123"})
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.details == {"username": "mitarbeiterin"}
    assert "falsch-123" not in str(entry.details)
