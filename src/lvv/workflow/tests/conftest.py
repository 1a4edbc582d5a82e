"""Fixtures of the workflow tests: the five pilots (demo structure) and a helper to register a
person at one of them through the workflow services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lvv.accounts.models import Organisation, User
from lvv.registry.models import LVV
from lvv.workflow import services
from lvv.workflow.models.admission import Criterion

PILOTS = ["Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht"]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def pilots(demo_structure):
    return demo_structure


def user(name: str) -> User:
    return User.objects.select_related("organisation").get(username=name)


def organisation_of(u: User) -> Organisation:
    """A demo user's organisation (every demo user has one)."""
    assert u.organisation is not None, u.username
    return u.organisation


def lvv(name: str) -> LVV:
    return LVV.objects.select_related("policy").get(name=name)


GOOD_CRITERIA: dict[str, tuple[bool, str]] = {
    Criterion.NO_RIGHT_OF_RESIDENCE: (True, "IND-gegevens"),
    Criterion.ENTRY_BAN: (False, "IND-gegevens"),
    Criterion.UNDESIRABLE: (False, "IND-gegevens"),
    Criterion.EU_CITIZEN: (False, "paspoort"),
    Criterion.DUBLIN: (False, "IND-gegevens"),
}


def register(
    pilot: str,
    *,
    given="Yusuf",
    family="Testpersoon",
    birth_year=1990,
    country="ERI",
    v_number="",
    on=None,
    **kw,
):
    slug = pilot.lower()
    coordinator = user(f"gemeente-{slug}")
    ngo = user(f"ngo-{slug}").organisation
    on = on or timezone.localdate() - dt.timedelta(days=10)
    return services.registration_create(
        by=coordinator,
        lvv=lvv(pilot),
        registration_date=on,
        channel=kw.pop("channel", "desk"),
        organisation=ngo,
        given_names=given,
        family_name=family,
        birth_year=birth_year,
        country=country,
        v_number=v_number,
        **kw,
    )


# The demo user of each organisation kind a policy may list in `admission_parties`.
PARTY_USER = {"municipality": "gemeente", "ngo": "ngo", "ind": "ind", "dtv": "dtv"}


def agree_all(pilot: str, stay) -> None:
    """Every party the pilot's policy requires agrees to the admission (none where not required)."""
    for party in stay.lvv.policy.admission_parties:
        services.admission_verdict_record(
            stay=stay, by=user(f"{PARTY_USER[party]}-{pilot.lower()}"), agrees=True
        )


def admit(pilot: str, stay, on=None):
    coordinator = user(f"gemeente-{pilot.lower()}")
    agree_all(pilot, stay)
    conditions = dict.fromkeys(stay.lvv.policy.admission_conditions, (True, "gesprek"))
    services.admission_check_record(
        stay=stay, by=coordinator, criteria=GOOD_CRITERIA, conditions=conditions
    )
    outcome = decide_admit(stay, by=coordinator, on=on or stay.registration_date)
    stay.refresh_from_db()
    return outcome


def decide_admit(stay, *, by, on) -> str:
    """Admit the way the LVV's policy says: by a decision, or where the signed intake form is the
    moment of admission (Eindhoven) by registering the form signed on `on`."""
    if stay.lvv.policy.admission_by_signed_intake_form:
        services.admission_intake_form_register(
            stay=stay, by=by, signed_on=on, upload=intake_form_upload()
        )
        return "admitted"
    return services.admission_decide(stay=stay, by=by, on=on, admit=True)


PDF = b"%PDF-1.4\n% synthetisch intakeformulier\n%%EOF\n"


def intake_form_upload(name: str = "intakeformulier.pdf", content: bytes = PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")
