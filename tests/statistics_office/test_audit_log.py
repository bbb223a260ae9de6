"""The audit log is append-only, its hash chain shows tampering, and only administrators read it."""

import csv
import io
import threading
from datetime import date, datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from bif import audit
from bif.audit import Action, Outcome, record, verify_chain
from statistics_office.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table


def write_some(statistician, source, n=5):
    return [
        record(
            action=Action.MICRODATA_VIEW,
            user=statistician,
            source=source,
            purpose=f"Bevölkerungsfortschreibung {i}",
            details={"columns": ["alter", "stadtteil"], "rows": 10 * i},
        )
        for i in range(1, n + 1)
    ]


def drop_triggers():
    """What an attacker with DDL rights would do first; the test transaction restores them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER statistics_office_auditentry_append_only ON {TABLE}")
        else:
            cursor.execute("DROP TRIGGER statistics_office_auditentry_no_update")
            cursor.execute("DROP TRIGGER statistics_office_auditentry_no_delete")


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- writing and verifying ---------------------------------------------------------------


def test_entries_form_a_gapless_hash_chain(statistician, source):
    entries = write_some(statistician, source)

    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].previous_hash == audit.GENESIS_HASH
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.previous_hash == before.entry_hash
    head = AuditHead.objects.get()
    assert (head.sequence, head.entry_hash) == (5, entries[-1].entry_hash)

    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked == 5


def test_entry_keeps_who_what_and_why(statistician, source, rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = statistician
    group = Group.objects.create(name="Projekt Sozialatlas")

    entry = record(
        action=Action.MICRODATA_EXPORT,
        obj=group,
        source=source,
        purpose="Sozialatlas 2025",
        details={"rows": 812},
        request=request,
    )

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.user == statistician
    assert entry.username == "statistikerin"
    assert entry.ip_address == "10.1.2.3"
    assert entry.object_repr == "Projekt Sozialatlas"
    assert entry.object_id == str(group.pk)
    assert entry.content_type.model == "group"
    assert entry.source_label == "Einwohnerbestand (einwohner)"
    assert entry.get_action_display() == "Einzeldaten exportiert"
    assert entry.outcome == Outcome.OK
    assert verify_chain().ok


def test_details_must_be_a_dict():
    with pytest.raises(TypeError):
        record(action=Action.AGGREGATION_RUN, details=["nicht", "erlaubt"])
    assert not AuditEntry.objects.exists()


# --- the database refuses changes ----------------------------------------------------------


def test_database_rejects_update_through_the_orm(statistician, source):
    entry = write_some(statistician, source, n=1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="nachträglich geändert")
    with pytest.raises(DatabaseError), transaction.atomic():
        changed = AuditEntry.objects.get(pk=entry.pk)
        changed.outcome = Outcome.DENIED
        changed.save()

    entry.refresh_from_db()
    assert entry.purpose == "Bevölkerungsfortschreibung 1"
    assert entry.outcome == Outcome.OK


def test_database_rejects_delete_through_the_orm(statistician, source):
    entry = write_some(statistician, source, n=1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_database_rejects_pointing_an_entry_at_another_user(statistician, administrator, source):
    entry = write_some(statistician, source, n=1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(user=administrator)

    entry.refresh_from_db()
    assert entry.user_id == statistician.pk


def test_deleting_a_user_keeps_the_entry_readable_and_the_chain_intact(statistician, source):
    entry = write_some(statistician, source, n=2)[0]

    statistician.delete()
    source.delete()

    entry.refresh_from_db()
    assert entry.user_id is None
    assert entry.source_id is None
    assert entry.username == "statistikerin"
    assert entry.source_label == "Einwohnerbestand (einwohner)"
    assert verify_chain().ok


@pytest.mark.postgres
def test_postgres_trigger_rejects_raw_update_and_delete(statistician, source):
    entry = write_some(statistician, source, n=2)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"UPDATE {TABLE} SET purpose = 'weg damit' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"UPDATE {TABLE} SET details = '{{}}'::jsonb, user_id = NULL WHERE id = %s", [entry.pk])

    entry.refresh_from_db()
    assert entry.purpose == "Bevölkerungsfortschreibung 1"
    assert AuditEntry.objects.count() == 2
    assert verify_chain().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgres_keep_one_gapless_chain():
    errors = []

    def writer(n):
        try:
            for i in range(10):
                record(action=Action.AGGREGATION_RUN, details={"writer": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(AuditEntry.objects.values_list("sequence", flat=True)) == list(range(1, 41))
    result = verify_chain()
    assert result.ok, result.problems


# --- tampering is detected ---------------------------------------------------------------


def test_altered_entry_is_detected(statistician, source):
    entries = write_some(statistician, source)
    drop_triggers()

    raw(f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["harmlos", entries[2].pk])

    result = verify_chain()
    assert not result.ok
    assert "Eintrag Nr. 3 wurde verändert: Die Prüfsumme stimmt nicht." in result.problems


def test_altered_entry_with_recomputed_hash_breaks_the_next_link(statistician, source):
    entries = write_some(statistician, source)
    drop_triggers()
    forged = AuditEntry.objects.get(pk=entries[1].pk)
    forged.purpose = "harmlos"
    raw(
        f"UPDATE {TABLE} SET purpose = %s, entry_hash = %s WHERE id = %s",
        ["harmlos", audit.compute_hash(forged), forged.pk],
    )

    problems = verify_chain().problems

    assert any(p.startswith("Eintrag Nr. 3: Der Verweis auf den Vorgänger") for p in problems)


def test_removed_middle_entry_is_detected(statistician, source):
    entries = write_some(statistician, source)
    drop_triggers()

    raw(f"DELETE FROM {TABLE} WHERE id = %s", [entries[2].pk])

    result = verify_chain()
    assert not result.ok
    assert result.checked == 4
    assert "Eintrag Nr. 3 fehlt." in result.problems


def test_removed_last_entries_are_detected(statistician, source):
    entries = write_some(statistician, source)
    drop_triggers()

    raw(f"DELETE FROM {TABLE} WHERE sequence >= %s", [entries[3].sequence])

    result = verify_chain()
    assert not result.ok
    assert any(p.startswith("Die letzten Einträge fehlen") for p in result.problems)


def test_missing_trigger_is_reported(statistician, source):
    write_some(statistician, source, n=1)
    drop_triggers()

    problems = verify_chain().problems

    assert problems
    assert all("Trigger" in p for p in problems)


# --- the command -------------------------------------------------------------------------


def test_verify_command_reports_an_intact_log(statistician, source):
    write_some(statistician, source, n=3)
    out = io.StringIO()

    call_command("verify_audit_log", stdout=out)

    assert "Audit-Log geprüft: 3 Einträge, unverändert." in out.getvalue()


def test_verify_command_fails_on_a_tampered_log(statistician, source):
    entries = write_some(statistician, source, n=3)
    drop_triggers()
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("verify_audit_log", stderr=err)

    assert "Eintrag Nr. 2 fehlt." in err.getvalue()


# --- the audit page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "statistician"])
def test_audit_page_is_hidden_from_everyone_but_administrators(client, request, role):
    person = request.getfixturevalue(role)
    client.force_login(person)

    assert client.get(reverse("audit:audit-log")).status_code == 404
    assert client.get(reverse("audit:audit-log-csv")).status_code == 404

    denied = AuditEntry.objects.filter(action=Action.ACCESS_DENIED, username=person.username)
    assert denied.count() == 2
    assert denied.first().outcome == Outcome.DENIED


def test_audit_page_lists_entries_for_administrators(
    client, administrator, statistician, source, django_assert_max_num_queries
):
    write_some(statistician, source, n=3)
    client.force_login(administrator)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("audit:audit-log"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Bevölkerungsfortschreibung 3" in body
    assert '<th scope="col"' in body
    assert "<caption>" in body
    assert [e.sequence for e in response.context["entries"]] == [3, 2, 1]


def test_audit_page_is_paginated(client, administrator):
    for _ in range(55):
        record(action=Action.AGGREGATION_RUN)
    client.force_login(administrator)

    first = client.get(reverse("audit:audit-log"))
    second = client.get(reverse("audit:audit-log"), {"page": 2})

    assert len(first.context["entries"]) == 50
    assert [e.sequence for e in second.context["entries"]] == [5, 4, 3, 2, 1]


def test_audit_page_filters(client, administrator, statistician, staff, source, monkeypatch):
    def at(day):
        moment = timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    at(date(2026, 3, 1))
    record(action=Action.MICRODATA_VIEW, user=statistician, source=source, purpose="Zweck-A")
    at(date(2026, 3, 10))
    record(action=Action.PUBLICATION, user=statistician, purpose="Zweck-B")
    at(date(2026, 3, 20))
    record(action=Action.LOGIN_FAILED, user=staff, outcome=Outcome.FAILED, purpose="Zweck-C")
    monkeypatch.undo()
    client.force_login(administrator)

    def purposes(**params):
        response = client.get(reverse("audit:audit-log"), params)
        assert response.status_code == 200
        return sorted(e.purpose for e in response.context["entries"])

    assert purposes(aktion="publication") == ["Zweck-B"]
    assert purposes(benutzer="statistik") == ["Zweck-A", "Zweck-B"]
    assert purposes(von="2026-03-05", bis="2026-03-10") == ["Zweck-B"]
    assert purposes(bis="10.03.2026") == ["Zweck-A", "Zweck-B"]
    assert purposes(objekt="einwohner") == ["Zweck-A"]
    assert purposes(ergebnis="failed") == ["Zweck-C"]
    assert purposes(von="kein Datum") == ["Zweck-A", "Zweck-B", "Zweck-C"]


def test_csv_export_has_header_and_defuses_formulas(client, administrator, statistician):
    group = Group.objects.create(name='=HYPERLINK("http://example.org","klick")')
    record(action=Action.GRANT_CREATED, user=statistician, obj=group, purpose="@SUMME(A1)")
    record(action=Action.AGGREGATION_RUN, user=statistician, purpose="nicht im Filter")
    client.force_login(administrator)

    response = client.get(reverse("audit:audit-log-csv"), {"aktion": "grant_created"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))
    header, *data = rows
    assert header[:4] == ["Nr.", "Zeitpunkt", "Aktion", "Benutzer"]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["Objekt"] == '\'=HYPERLINK("http://example.org","klick")'
    assert row["Zweck"] == "'@SUMME(A1)"
    assert row["Aktion"] == "Freigabe beantragt"
    assert row["Benutzer"] == "statistikerin"
    assert AuditEntry.objects.filter(
        action=Action.AUDIT_LOG_EXPORT, username=administrator.username
    ).exists()


def test_neutralise_leaves_ordinary_text_alone():
    from statistics_office.audit_views import neutralise

    assert neutralise("Einwohnerbestand") == "Einwohnerbestand"
    assert neutralise("-A1+A2") == "'-A1+A2"
    assert neutralise("+49 461") == "'+49 461"
    assert neutralise(None) == ""
