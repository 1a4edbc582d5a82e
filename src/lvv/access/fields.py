"""Field-level encryption at rest for special-category and legal data (medical and legal notes).

`EncryptedTextField` stores its text Fernet-encrypted (AES-128-CBC + HMAC-SHA256, from the
`cryptography` package). The keys come from the environment variable `FIELD_ENCRYPTION_KEYS`
(or `FIELD_ENCRYPTION_KEYS_FILE`): a comma-separated list of Fernet keys; the FIRST encrypts, ALL
decrypt. Rotation: put a new key in front, deploy, run `lvv rotate-field-keys`, then drop the old
key (docs/security.md). The database, its backups and its replicas hold only ciphertext.

Encrypted columns cannot be searched or sorted by content: only `isnull` lookups are allowed."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class DecryptionError(ImproperlyConfigured):
    """A stored value cannot be decrypted with any configured key (a key was dropped too early)."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: see docs/security.md (field-level encryption)"
        )
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes; make one with `lvv rotate-field-keys --new-key`)"
        ) from exc


def field_fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return field_fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return field_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(
            "An encrypted field cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from exc


def rotate_token(token: str) -> str:
    """The same plaintext, encrypted with the first key (MultiFernet.rotate keeps the timestamp)."""
    try:
        return field_fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError(
            "An encrypted field cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from exc


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. Empty text is stored as empty text (nothing to hide); None as NULL."""

    description = _("Versleutelde tekst")

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name):
        # Ciphertext differs on every write: content lookups would silently find nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every concrete model field in the project that is encrypted (for key rotation)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or model._meta.abstract:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found
