"""Login throttling (django-axes) and password hashing (Argon2)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from statistics_office.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "geheim-und-lang-2026"  # tests/factories.py


def attempt(client, password, username="mitarbeiterin", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, times, **extra):
    return [attempt(client, f"falsch-{i}", **extra) for i in range(times)]


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_five_failed_logins_lock_out_even_the_right_password(client, staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    answers = fail(client, 4)
    assert [r.status_code for r in answers] == [200, 200, 200, 200]  # the form again
    assert fail(client, 1)[0].status_code == 429
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_lockout_page_explains_in_german_and_is_accessible(client, staff):
    fail(client, 5)
    response = attempt(client, PASSWORD)
    body = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert '<html lang="de">' in body and "<h1>" in body and 'role="alert"' in body
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in body and "15 Minuten" in body
    assert PASSWORD not in body


def test_a_program_gets_a_json_429(client, staff):
    fail(client, 5)
    response = attempt(client, PASSWORD, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) == 15 * 60


def test_the_lock_ends_after_the_cool_off(client, staff):
    fail(client, 5)
    assert attempt(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = attempt(client, PASSWORD)
    assert response.status_code == 302 and is_logged_in(client)


def test_an_administrator_can_lift_the_lock(client, staff):
    fail(client, 5)
    assert attempt(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "mitarbeiterin")
    assert attempt(client, PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_axes_reset_lifts_every_lock(client, staff):
    fail(client, 5)
    call_command("axes_reset")
    assert AccessAttempt.objects.count() == 0
    assert attempt(client, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client, staff):
    fail(client, 4)
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    assert [r.status_code for r in fail(client, 4)] == [200] * 4
    assert attempt(client, PASSWORD).status_code == 302


def test_the_lock_holds_only_for_that_name_from_that_address(client, staff, statistician):
    fail(client, 5, REMOTE_ADDR="10.1.1.1")
    assert attempt(client, PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 429
    # A colleague on the same machine, and the same person from their own machine, go on.
    assert (
        attempt(client, PASSWORD, username="statistikerin", REMOTE_ADDR="10.1.1.1").status_code
        == 302
    )
    client.logout()
    assert attempt(client, PASSWORD, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_failed_logins_and_the_lockout_are_audited_without_passwords(client, staff):
    answers = [*fail(client, 5), attempt(client, PASSWORD)]
    refused = sum(r.status_code == 429 for r in answers)
    entries = AuditEntry.objects.filter(action="login_failed")
    # Every attempt is audited (the right password in the lock too), and each answer the
    # lock gives is audited as such.
    assert entries.filter(details__locked_out=True).count() == refused == 2
    assert entries.count() == len(answers) + refused
    assert all(e.details["username"] == "mitarbeiterin" for e in entries)
    assert not any("falsch" in str(e.details) or PASSWORD in str(e.details) for e in entries)


def test_a_login_without_a_request_is_not_throttled(staff):
    from django.contrib.auth import authenticate

    assert authenticate(username="mitarbeiterin", password=PASSWORD) == staff


# --- Password hashing -------------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2id(staff):
    staff.set_password("ein-neues-passwort-2026")
    assert staff.password.startswith("argon2$argon2id$")
    assert staff.check_password("ein-neues-passwort-2026")


def test_an_old_pbkdf2_hash_is_upgraded_at_login(client, staff):
    get_user_model().objects.filter(pk=staff.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert attempt(client, PASSWORD).status_code == 302
    staff.refresh_from_db()
    assert staff.password.startswith("argon2$argon2id$")


# --- Behind reverse proxies: the client's address, never the proxy's -------------------

PROXY, INNER_PROXY = "10.0.0.2", "10.0.0.3"
ATTACKER, OFFICE_PC = "203.0.113.66", "198.51.100.7"


def via_proxies(client_address, *, count, spoofed=""):
    """What the app sees of a request that passed `count` proxies: each appends the address
    it was connected from; the client may have sent its own X-Forwarded-For before."""
    hops = [client_address, PROXY][:count]
    chain = [part for part in [spoofed, *hops] if part]
    remote = INNER_PROXY if count == 2 else PROXY
    return {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": ", ".join(chain)}


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_proxies_a_lock_is_per_name_and_client_not_per_proxy(
    client, staff, settings, proxies
):
    settings.TRUSTED_PROXY_COUNT = proxies
    fail(client, 5, **via_proxies(ATTACKER, count=proxies))
    assert attempt(client, PASSWORD, **via_proxies(ATTACKER, count=proxies)).status_code == 429
    # The same name from the office's machine, through the same proxies, is not locked.
    response = attempt(client, PASSWORD, **via_proxies(OFFICE_PC, count=proxies))
    assert response.status_code == 302 and is_logged_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.parametrize("proxies", [1, 2])
def test_a_spoofed_forwarded_for_neither_frames_others_nor_escapes_the_lock(
    client, staff, settings, proxies
):
    settings.TRUSTED_PROXY_COUNT = proxies
    # Each try claims another address; the proxies still append the attacker's real one.
    for i in range(5):
        spoofed = f"{OFFICE_PC}, 192.0.2.{i}"
        attempt(client, f"falsch-{i}", **via_proxies(ATTACKER, count=proxies, spoofed=spoofed))
    locked = attempt(client, PASSWORD, **via_proxies(ATTACKER, count=proxies, spoofed="1.2.3.4"))
    assert locked.status_code == 429
    assert attempt(client, PASSWORD, **via_proxies(OFFICE_PC, count=proxies)).status_code == 302


def test_the_audit_log_records_the_client_address_behind_the_proxy(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attempt(client, "falsch", **via_proxies(ATTACKER, count=1, spoofed=OFFICE_PC))
    (entry,) = AuditEntry.objects.filter(action="login_failed")
    assert entry.ip_address == ATTACKER


def test_without_a_trusted_proxy_forwarded_for_is_ignored(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    fail(client, 5, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OFFICE_PC)
    assert attempt(client, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429
    (address,) = set(AuditEntry.objects.values_list("ip_address", flat=True))
    assert address == ATTACKER


def test_behind_tls_proxy_trusts_one_proxy(monkeypatch):
    import importlib

    import bif.settings

    monkeypatch.setenv("BEHIND_TLS_PROXY", "1")
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    try:
        assert importlib.reload(bif.settings).TRUSTED_PROXY_COUNT == 1
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
        assert importlib.reload(bif.settings).TRUSTED_PROXY_COUNT == 2
    finally:
        monkeypatch.undo()
        importlib.reload(bif.settings)
