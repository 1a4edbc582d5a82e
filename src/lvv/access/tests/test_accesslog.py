"""The access log: append-only, pseudonymised, and written even when the transaction rolls back."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connections, transaction

from lvv.access.appendonly import SQLITE_TRIGGER_NAMES, migrates_access_log
from lvv.access.gate import log_access
from lvv.access.models import AccessRecord, AppendOnlyError, AuditRecord
from lvv.access.pseudonyms import person_pseudonym
from lvv.access.routers import log_alias
from lvv.registry.tests.factories import StayFactory, UserFactory


@pytest.mark.django_db
def test_orm_cannot_change_or_delete_log_lines():
    stay = StayFactory()
    user = UserFactory()
    (line,) = log_access(
        user, persons=[stay.person_id], operation="read", activity="case_management"
    )
    line.outcome = "refused"
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.update(outcome="refused")
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()
    assert AccessRecord.objects.get().outcome == "allowed"


@pytest.mark.django_db
def test_line_names_the_person_by_keyed_pseudonym_only():
    stay = StayFactory()
    (line,) = log_access(None, persons=[stay.person_id], operation="read", activity="monitor")
    assert str(stay.person_id) not in str(line.__dict__)
    assert line.person_pseudonym == person_pseudonym(stay.person_id)
    assert len(line.person_pseudonym) == 64


@pytest.mark.django_db(transaction=True)
def test_line_survives_a_rolled_back_transaction():
    stay = StayFactory()
    user = UserFactory()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        log_access(user, persons=[stay.person_id], operation="change", activity="case_management")
        raise Boom
    assert AccessRecord.objects.for_person(stay.person_id).count() == 1


def _triggers(alias: str) -> set[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_database_refuses_update_and_delete_of_log_lines():
    """SQLite (migration 0004) and PostgreSQL (0003) alike: not even a raw query through the log's
    own connection changes or removes a line; logging goes on as before."""
    stay = StayFactory()
    user = UserFactory()
    log_access(user, persons=[stay.person_id], operation="read", activity="case_management")
    before = {
        "access_accessrecord": AccessRecord.objects.values().get(),
        "access_auditrecord": AuditRecord.objects.values().get(),
    }
    statements = [
        ("access_accessrecord", "UPDATE access_accessrecord SET outcome = 'refused'"),
        ("access_accessrecord", "DELETE FROM access_accessrecord"),
        ("access_auditrecord", "UPDATE access_auditrecord SET username = 'someone-else'"),
        ("access_auditrecord", "DELETE FROM access_auditrecord"),
    ]
    if connections[log_alias()].vendor == "postgresql":  # SQLite has no TRUNCATE (ADR 0111)
        statements += [
            ("access_accessrecord", "TRUNCATE access_accessrecord"),
            ("access_auditrecord", "TRUNCATE access_auditrecord CASCADE"),
        ]
    with connections[log_alias()].cursor() as cursor:
        for table, sql in statements:
            operation = sql.split()[0]
            with (
                pytest.raises(
                    DatabaseError,
                    match=f"the access log is append-only: {operation} on {table} is not allowed",
                ),
                transaction.atomic(using=log_alias()),
            ):
                cursor.execute(sql)
    assert AccessRecord.objects.values().get() == before["access_accessrecord"]
    assert AuditRecord.objects.values().get() == before["access_auditrecord"]

    log_access(user, persons=[stay.person_id], operation="change", activity="case_management")
    assert list(
        AccessRecord.objects.for_person(stay.person_id).values_list("operation", flat=True)
    ) == ["read", "change"]


@pytest.mark.django_db
def test_sqlite_triggers_are_in_the_log_database_only():
    if connections["default"].vendor != "sqlite":
        pytest.skip("SQLite's triggers (PostgreSQL's: migration 0003)")
    assert migrates_access_log(connections[log_alias()])
    assert not migrates_access_log(connections["default"])
    assert set(SQLITE_TRIGGER_NAMES) <= _triggers(log_alias())
    assert not set(SQLITE_TRIGGER_NAMES) & _triggers("default")


@pytest.mark.django_db(transaction=True)
def test_test_flush_empties_the_log_and_keeps_it_append_only():
    """The flush between transactional tests (lvv.access.pytest_plugin) empties the log, past the
    triggers that refuse DELETE (SQLite) and TRUNCATE (PostgreSQL), and they are back afterwards."""
    stay = StayFactory()
    log_access(None, persons=[stay.person_id], operation="read", activity="monitor")
    # The database that holds the log tables: the log's own file on SQLite, the register's on
    # PostgreSQL.
    (holder,) = [a for a in ("default", log_alias()) if migrates_access_log(connections[a])]
    call_command("flush", database=holder, interactive=False, verbosity=0)
    assert not AccessRecord.objects.exists()
    assert not AuditRecord.objects.exists()

    log_access(None, persons=[stay.person_id], operation="read", activity="monitor")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(using=log_alias()),
        connections[log_alias()].cursor() as cursor,
    ):
        cursor.execute("DELETE FROM access_accessrecord")
    if connections[holder].vendor == "postgresql":
        with (
            pytest.raises(DatabaseError, match="append-only: TRUNCATE"),
            transaction.atomic(using=log_alias()),
            connections[log_alias()].cursor() as cursor,
        ):
            cursor.execute("TRUNCATE access_accessrecord")
    assert AccessRecord.objects.count() == 1
