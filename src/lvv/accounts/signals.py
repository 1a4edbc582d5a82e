"""Thin receivers: session bookkeeping at login/logout, and disabling a user ends their sessions."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from lvv.accounts.models import User
from lvv.accounts.sessions import session_forget, session_remember, user_end_sessions

LOGIN_AT = "lvv_login_at"
SEEN_AT = "lvv_seen_at"
HAS_DEVICE = "lvv_has_otp_device"


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    from django_otp import user_has_device

    request.session[HAS_DEVICE] = user_has_device(user, confirmed=True)
    if not request.session.session_key:
        request.session.save()
    session_remember(user=user, session_key=request.session.session_key)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_forget(session_key=request.session.session_key)


@receiver(post_save, sender=User)
def _on_user_saved(sender, instance: User, created, **kwargs):
    if not created and not instance.is_active:
        user_end_sessions(user=instance)
