"""Demo data of the access layer (called by `lvv load-demo`): a TOTP device with a fixed, public
secret for every demo account that needs the second factor, and consent records so that the IND,
DT&V, AVIM and medical demo accounts each see some participants and not others.

The secrets are derived from the username, so they are the same on every machine and after every
reload; they are demo secrets, printed on purpose, never for real accounts."""

from __future__ import annotations

import base64
import hashlib
import random
import uuid

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lvv.access import rules
from lvv.access.consent import CONSENTABLE
from lvv.access.models import ConsentEvent, ConsentState, Party
from lvv.accounts.models import User
from lvv.registry.models import Person, Policy, Stay

DEMO_SOURCE = "demo"

# Share of participants per LVV consent mode that consented to each party (the rest did not).
SHARE: dict[str, dict[str, float]] = {
    Policy.ConsentMode.AT_INTAKE: {
        Party.IND: 0.6,
        Party.DTV: 0.45,
        Party.AVIM: 0.5,
        Party.MEDICAL: 0.7,
    },
    # Utrecht asks later, once trust exists: fewer participants have consented so far.
    Policy.ConsentMode.SEPARATE: {
        Party.IND: 0.3,
        Party.DTV: 0.2,
        Party.AVIM: 0.0,
        Party.MEDICAL: 0.5,
    },
}


def demo_totp_key_hex(username: str) -> str:
    return hashlib.sha1(f"lvv-demo-totp:{username}".encode(), usedforsecurity=False).hexdigest()


def demo_totp_secret(username: str) -> str:
    return base64.b32encode(bytes.fromhex(demo_totp_key_hex(username))).decode("ascii")


def _devices() -> list[tuple[User, TOTPDevice]]:
    result = []
    for user in User.objects.filter(password__isnull=False).order_by("username"):
        if not rules.needs_two_factor(user):
            continue
        key = demo_totp_key_hex(user.username)
        device = TOTPDevice.objects.filter(user=user, name="demo").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="demo", key=key, confirmed=True)
        elif device.key != key or not device.confirmed:
            device.key, device.confirmed = key, True
            device.save(update_fields=["key", "confirmed"])
        result.append((user, device))
    return result


def _consent() -> int:
    if ConsentEvent.objects.filter(method=ConsentEvent.Method.PARTICIPATION_FORM).exists() or (
        ConsentEvent.objects.exists()
    ):
        return 0
    rng = random.Random(2026)
    modes = dict(Policy.objects.values_list("lvv_id", "consent_mode"))
    avim_lvvs = set(
        User.objects.filter(role="avim").values_list("lvvs", flat=True).exclude(lvvs=None)
    )
    first_stay: dict[uuid.UUID, Stay] = {}
    for row in Stay.objects.order_by("registration_date", "id").only(
        "person_id", "lvv_id", "organisation_id", "registration_date"
    ):
        first_stay.setdefault(row.person_id, row)
    now = timezone.now()
    events, states = [], []
    for person_id in Person.objects.order_by("id").values_list("id", flat=True):
        stay = first_stay.get(person_id)
        if stay is None:
            continue
        mode = modes.get(stay.lvv_id, Policy.ConsentMode.AT_INTAKE)
        method = (
            ConsentEvent.Method.SEPARATE_FORM
            if mode == Policy.ConsentMode.SEPARATE
            else ConsentEvent.Method.PARTICIPATION_FORM
        )
        for party, share in SHARE[mode].items():
            if party == Party.AVIM and stay.lvv_id not in avim_lvvs:
                continue
            if rng.random() >= share:
                continue
            cats = list(CONSENTABLE[party])
            # Some participants share only part: no legal data, or no documents.
            if len(cats) > 3 and rng.random() < 0.3:
                cats = cats[:3]
            for cat in cats:
                events.append(
                    ConsentEvent(
                        person_id=person_id,
                        party=party,
                        category=cat,
                        action=ConsentEvent.Action.GIVEN,
                        method=method,
                        recorded_at=now,
                        organisation_id=stay.organisation_id,
                    )
                )
                states.append(
                    ConsentState(
                        person_id=person_id, party=party, category=cat, given=True, since=now
                    )
                )
    ConsentEvent.objects.bulk_create(events, batch_size=1000)
    ConsentState.objects.bulk_create(states, batch_size=1000)
    return len(events)


@transaction.atomic
def load(context, stdout) -> None:
    created = _consent()
    if created:
        stdout.write(f"Toestemmingen: {created} demo-toestemmingen vastgelegd.")
    devices = _devices()
    stdout.write(
        "\nTweestapsverificatie (TOTP) voor de demo-accounts: voeg de sleutel toe aan een "
        "authenticator-app (of scan de otpauth-URI), of maak de code op de opdrachtregel met\n"
        "  oathtool --totp -b SLEUTEL\n"
        "Deze sleutels zijn openbaar en alleen voor de demo."
    )
    for user, device in devices:
        stdout.write(
            f"  {user.username:<22} {demo_totp_secret(user.username)}  {device.config_url}"
        )
