"""Medical and legal notes are encrypted at rest; keys rotate."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from lvv.access import consent
from lvv.access.fields import DecryptionError, decrypt_text, encrypt_text
from lvv.access.models import ConsentEvent
from lvv.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SECRET = "Ondertekend formulier ligt in dossierkast 3"


def _raw_note(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM access_consentevent WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _event():
    person = PersonFactory()
    (event,) = consent.consent_give(
        person=person, party="ind", categories=["identity"], method="verbal", by=None, note=SECRET
    )
    return event


def test_database_holds_ciphertext_and_orm_gives_plaintext():
    event = _event()
    raw = _raw_note(event.pk)
    assert SECRET not in raw and raw.startswith("gAAAA")
    assert ConsentEvent.objects.get(pk=event.pk).note == SECRET


def test_encrypted_field_cannot_be_searched_by_content():
    _event()
    with pytest.raises(Exception):  # noqa: B017 - a FieldError: content lookups make no sense
        list(ConsentEvent.objects.filter(note=SECRET))
    assert ConsentEvent.objects.filter(note__isnull=False).count() == 1


def test_rotation_reencrypts_with_the_first_key(settings):
    event = _event()
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = _raw_note(event.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate-field-keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
        after = _raw_note(event.pk)
        assert after != before
        assert ConsentEvent.objects.get(pk=event.pk).note == SECRET
    # The old key alone can no longer read it: the old key can be dropped.
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert decrypt_text(after) == SECRET
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]), pytest.raises(DecryptionError):
        decrypt_text(after)


def test_missing_key_is_a_clear_error():
    token = encrypt_text("x")
    other = [Fernet.generate_key().decode()]
    with override_settings(FIELD_ENCRYPTION_KEYS=other), pytest.raises(DecryptionError):
        decrypt_text(token)
