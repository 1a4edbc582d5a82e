"""Session services: remember which sessions belong to whom, and end them all at once."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from lvv.accounts.models import User, UserSession


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def session_remember(*, user: User, session_key: str | None) -> None:
    if user.pk and session_key:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def user_end_sessions(*, user: User) -> int:
    """End every session of this user (used when the user is disabled). Returns how many."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)
