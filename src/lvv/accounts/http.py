"""The request type of views behind a login (django-stubs: "typing request.user")."""

from __future__ import annotations

from django.http import HttpRequest

from lvv.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An `HttpRequest` whose user is logged in: the type for views behind `@login_required`
    (or another check that rejects anonymous users), so `request.user` is a `User`, not
    `User | AnonymousUser`. Used for annotations only; Django still passes its own request."""

    user: User
