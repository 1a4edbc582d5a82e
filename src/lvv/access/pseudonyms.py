"""Keyed pseudonyms of persons for the access log.

A log line names the person concerned by HMAC-SHA256(ACCESS_LOG_PSEUDONYM_KEY, person id): whoever
holds the key (the application, the privacy officer through it) can find a person's lines by
computing the pseudonym; the log alone, or a copy of it, does not reveal who it is about. This is not
a plain hash: without the key the id cannot be tested against the log."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def person_pseudonym(person_id: uuid.UUID | str) -> str:
    key = settings.ACCESS_LOG_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("ACCESS_LOG_PSEUDONYM_KEY is not set: see docs/configuration.md")
    value = str(person_id).lower()
    return hmac.new(key.encode("utf-8"), value.encode("ascii"), hashlib.sha256).hexdigest()


def person_pseudonyms(person_ids: list[uuid.UUID | str]) -> list[str]:
    """`person_pseudonym` of many persons (the same values), keying the HMAC once: for imports and
    exports that log thousands of persons at a time."""
    key = settings.ACCESS_LOG_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("ACCESS_LOG_PSEUDONYM_KEY is not set: see docs/configuration.md")
    keyed = hmac.new(key.encode("utf-8"), digestmod=hashlib.sha256)
    out = []
    for person_id in person_ids:
        mac = keyed.copy()
        mac.update(str(person_id).lower().encode("ascii"))
        out.append(mac.hexdigest())
    return out
