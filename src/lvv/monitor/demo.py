"""Demo data of the monitor (called by `lvv load-demo` after the registry's participants): a few
stays per pilot LVV on its waiting list, so the monitor's waiting list is not empty (ADR 102).

Per pilot: some persons registered in the last two months and put on the waiting list (still
waiting), one waitlisted earlier and admitted recently (on the list on a peildatum between the
two), one waitlisted and then refused. Synthetic persons only; a separate random sequence, so the
registry's demo participants stay exactly as they were. Safe to run again."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from lvv.registry import demo, services
from lvv.registry.models import Event, EventKind
from lvv.registry.taxonomy import Gender

SEED = 2102


@transaction.atomic
def load(context: demo.DemoContext, stdout) -> None:
    if Event.objects.filter(source=demo.DEMO_SOURCE, kind=EventKind.STAY_WAITLISTED).exists():
        return
    rng = random.Random(SEED)
    today = demo.demo_today()
    lvvs = context["lvvs"]
    created = 0
    for spec in demo.PILOTS:
        lvv = lvvs[spec.name]
        plans = ["waiting"] * rng.randint(2, 5) + ["admitted", "refused"]
        for n, plan in enumerate(plans):
            gender = rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE])
            person = services.person_create(
                by=None,
                source=demo.DEMO_SOURCE,
                given_names=rng.choice(demo.GIVEN[gender]),
                family_name=rng.choice(demo.FAMILY),
                birth_year=rng.randint(1960, 2003),
                gender=gender,
                country=rng.choice(demo.COUNTRIES)[0],
            )
            registered = today - dt.timedelta(days=rng.randint(20, 60))
            stay = services.stay_register(
                person=person,
                lvv=lvv,
                registration_date=registered,
                by=None,
                source=demo.DEMO_SOURCE,
                correspondence_number=f"{spec.name[:3].upper()}-W{n + 1:03d}",
                reported_municipality=rng.choice(spec.region),
            )
            waitlisted = registered + dt.timedelta(days=rng.randint(0, 5))
            services.stay_waitlist(stay=stay, on=waitlisted, by=None, source=demo.DEMO_SOURCE)
            stay.refresh_from_db()
            if plan == "admitted":
                services.stay_admit(
                    stay=stay,
                    on=min(waitlisted + dt.timedelta(days=rng.randint(7, 14)), today),
                    by=None,
                    source=demo.DEMO_SOURCE,
                )
            elif plan == "refused":
                services.stay_refuse(
                    stay=stay,
                    on=min(waitlisted + dt.timedelta(days=rng.randint(3, 10)), today),
                    reason="Valt buiten de doelgroep.",
                    by=None,
                    source=demo.DEMO_SOURCE,
                )
            created += 1
    stdout.write(f"Monitor: {created} aanmeldingen op de wachtlijst (demo).")
