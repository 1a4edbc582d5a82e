"""The access log: append-only, pseudonymised, and written even when the transaction rolls back."""

import pytest
from django.db import connections, transaction

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


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_update_and_delete_of_log_lines():
    if connections["default"].vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    stay = StayFactory()
    log_access(None, persons=[stay.person_id], operation="read", activity="monitor")
    with connections[log_alias()].cursor() as cursor:
        for sql in (
            "UPDATE access_accessrecord SET outcome = 'refused'",
            "DELETE FROM access_accessrecord",
        ):
            with (
                pytest.raises(Exception, match="append-only"),
                transaction.atomic(using=log_alias()),
            ):
                cursor.execute(sql)
    assert AccessRecord.objects.get().outcome == "allowed"
