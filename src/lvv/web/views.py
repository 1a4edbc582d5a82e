from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lvv.access.gate import can_see_persons, lvvs_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {"lvvs": lvvs_of(request.user), "sees_persons": can_see_persons(request.user)},
    )
