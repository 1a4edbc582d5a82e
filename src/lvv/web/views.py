from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lvv.access.gate import can_see_persons, lvvs_of
from lvv.accounts.http import AuthenticatedHttpRequest
from lvv.accounts.models import Role
from lvv.web import panels


@never_cache
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The start page: who you are, where you work, quick links for your role, then the sections
    other apps registered (lvv.web.panels.register_home_section), e.g. work queues."""
    user = request.user
    sees_persons = can_see_persons(user)
    lvvs = list(lvvs_of(user))
    return render(
        request,
        "web/home.html",
        {
            "lvvs": lvvs,
            "sees_persons": sees_persons,
            "is_admin": user.is_staff or user.role == Role.ADMINISTRATOR,
            "role_label": user.get_role_display() if user.role else "",
            # Without person data the quick links are the role's own pages, as in the menu.
            "role_pages": [] if sees_persons else panels.menu_items(request),
        },
    )
