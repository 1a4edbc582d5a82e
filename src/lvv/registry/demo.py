"""Demo data: the five pilot LVVs with their real start dates, capacities and policies (DOMAIN.md),
their organisations, the demo accounts of CONTRACTS.md section 5, and synthetic participants.

Everything here is synthetic. Running it again changes nothing (objects are looked up by name)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import cache
from typing import TypedDict

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from lvv.accounts.models import Organisation, Role, User
from lvv.registry import services
from lvv.registry.models import (
    LVV,
    CapacityRecord,
    Event,
    Location,
    Policy,
    RegionMunicipality,
    Stay,
)
from lvv.registry.taxonomy import FollowUp, Gender, OutflowType, Scenario, TargetGroup

DEMO_PASSWORD = "demo-LVV-wachtwoord-2026"
DEMO_SOURCE = "demo"
# The pilots' calendar below (start dates, capacity changes) is written as it was: the pilot
# evaluation ended on PILOT_END. The demo moves that calendar forward so that it ends on the day the
# demo is loaded: the open stays, the work queue and the monitor then look current, and the
# workflow demo (dated relative to today) fits the history.
PILOT_END = dt.date(2022, 6, 30)


def demo_today() -> dt.date:
    return timezone.localdate()


def _shifted(day: dt.date) -> dt.date:
    return day + (demo_today() - PILOT_END)


@dataclass
class PilotSpec:
    name: str
    start: dt.date
    capacity: list[tuple[dt.date, int]]
    ngos: list[str]
    region: list[str]
    policy: dict
    locations: list[tuple[str, str, int]]
    avim: bool = False
    participants: int = 60
    extra: dict = field(default_factory=dict)


PILOTS = [
    PilotSpec(
        name="Amsterdam",
        start=dt.date(2019, 7, 1),
        capacity=[(dt.date(2019, 7, 1), 360)],
        ngos=[
            "Regiegroep Amsterdam",
            "ASKV Steunpunt Vluchtelingen",
            "Stichting Noodopvang Amsterdam",
        ],
        region=["Amsterdam", "Amstelveen", "Diemen", "Zaanstad"],
        policy=dict(
            max_stay_days=183,
            extension_days=183,
            extension_reasons=["medical", "documents", "procedure"],
            max_total_stay_days=548,
            legal_check_norm_days=60,
            avim_identity_check=True,
            medical_intake_by=Policy.MedicalIntakeBy.GGD,
            consent_mode=Policy.ConsentMode.AT_INTAKE,
            durable_outflow_target_pct=20,
        ),
        locations=[
            ("Locatie West", "full_day", 200),
            ("Locatie Oost", "full_day", 130),
            ("MOO-plekken", "medical", 30),
        ],
        avim=True,
        participants=90,
    ),
    PilotSpec(
        name="Eindhoven",
        start=dt.date(2019, 8, 1),
        capacity=[(dt.date(2019, 8, 1), 130)],
        ngos=["Stichting Vluchtelingen in de Knel"],
        region=["Eindhoven", "Helmond", "Veldhoven"],
        policy=dict(
            legal_check_norm_days=28,
            medical_intake_by=Policy.MedicalIntakeBy.NGO,
            consent_mode=Policy.ConsentMode.AT_INTAKE,
            durable_outflow_target_pct=20,
            pays_living_allowance=True,
            admission_parties=["municipality", "ngo", "ind", "dtv"],
            admission_by_signed_intake_form=True,
        ),
        locations=[("Netwerkopvang", "network", 60), ("Opvang Centrum", "full_day", 70)],
        participants=35,
    ),
    PilotSpec(
        name="Groningen",
        start=dt.date(2019, 4, 1),
        capacity=[(dt.date(2019, 4, 1), 300)],
        ngos=["INLIA Groningen", "Stichting Ondersteuning Vluchtelingen Noord"],
        region=["Groningen", "Assen", "Leeuwarden"],
        policy=dict(
            legal_check_norm_days=28,
            medical_intake_by=Policy.MedicalIntakeBy.NURSE,
            consent_mode=Policy.ConsentMode.AT_INTAKE,
            durable_outflow_target_pct=40,
            exception_decider=Policy.ExceptionDecider.MAYOR,
            exception_forced_scenario=Scenario.RETURN,
            forced_departure_requires_ngo_check=True,
        ),
        locations=[("Opvang Stad", "full_day", 200), ("Nachtopvang", "night", 100)],
        participants=70,
    ),
    PilotSpec(
        name="Rotterdam",
        start=dt.date(2019, 3, 1),
        capacity=[(dt.date(2019, 3, 1), 117)],
        ngos=["Stichting Rotterdamse Opvang (ROS)"],
        region=["Rotterdam", "Schiedam", "Vlaardingen", "Dordrecht"],
        policy=dict(
            max_stay_days=183,
            extension_days=90,
            extension_reasons=["medical", "documents"],
            extension_requires_durable_prospect=True,
            legal_check_norm_days=14,
            avim_identity_check=True,
            medical_intake_by=Policy.MedicalIntakeBy.GGD,
            consent_mode=Policy.ConsentMode.AT_INTAKE,
            durable_outflow_target_pct=60,
            admission_conditions=["real_wish_to_leave_or_legalisation_chance"],
        ),
        locations=[("Opvang Zuid", "full_day", 117)],
        avim=True,
        participants=45,
    ),
    PilotSpec(
        name="Utrecht",
        start=dt.date(2019, 4, 1),
        capacity=[(dt.date(2019, 4, 1), 230), (dt.date(2020, 11, 1), 235)],
        ngos=["Stichting Toevluchtsoord Utrecht", "STIL Utrecht"],
        region=["Utrecht", "Amersfoort", "Nieuwegein", "Zeist"],
        policy=dict(
            legal_check_norm_days=28,
            medical_intake_by=Policy.MedicalIntakeBy.NGO,
            consent_mode=Policy.ConsentMode.SEPARATE,
            durable_outflow_target_pct=20,
        ),
        locations=[("Kleine woningen", "small_house", 120), ("Locatie Centrum", "full_day", 115)],
        participants=60,
    ),
]

NATIONAL_ORGS = [
    ("IND", Organisation.Kind.IND),
    ("DT&V", Organisation.Kind.DTV),
    ("AVIM Politie", Organisation.Kind.AVIM),
    ("GGD", Organisation.Kind.GGD),
    ("Programmabureau LVV", Organisation.Kind.PROGRAMME_BUREAU),
    ("Onderzoeksbureau Evaluatie LVV", Organisation.Kind.RESEARCH),
    ("Functioneel beheer LVV-register", Organisation.Kind.ADMINISTRATION),
]

# Synthetic names, deliberately generic; combined at random they describe nobody.
GIVEN = {
    Gender.MALE: [
        "Ahmed",
        "Yusuf",
        "Samuel",
        "Daniel",
        "Omar",
        "Ali",
        "Tesfay",
        "Ibrahim",
        "Karim",
        "Joseph",
        "Amir",
        "Reza",
        "Moussa",
        "Elias",
    ],
    Gender.FEMALE: [
        "Amina",
        "Fatima",
        "Mariam",
        "Sara",
        "Grace",
        "Leila",
        "Hana",
        "Ruth",
        "Nadia",
        "Esther",
        "Zahra",
        "Aisha",
    ],
    Gender.UNKNOWN: ["Noor", "Sami", "Kim"],
}
FAMILY = [
    "Haile",
    "Mensah",
    "Diallo",
    "Rahimi",
    "Karimi",
    "Osman",
    "Bekele",
    "Hussein",
    "Traoré",
    "Nasser",
    "Amini",
    "Tesfaye",
    "Kamara",
    "Mahmoud",
    "Yilmaz",
    "Hosseini",
    "Abdi",
    "Okafor",
    "Sesay",
    "Barry",
]
COUNTRIES = [
    ("IRN", 10),
    ("ERI", 8),
    ("AFG", 8),
    ("NGA", 7),
    ("IRQ", 7),
    ("SOM", 6),
    ("ETH", 6),
    ("GIN", 5),
    ("SDN", 5),
    ("SYR", 4),
    ("MAR", 6),
    ("DZA", 5),
    ("GHA", 3),
    ("SLE", 3),
    ("XXA", 2),
    ("", 3),
    ("RUS", 2),
    ("CHN", 2),
    ("MNG", 2),
    ("UGA", 2),
]
SCENARIOS = [
    (Scenario.RETURN, 30),
    (Scenario.LEGALISATION, 30),
    (Scenario.NOT_YET_DETERMINED, 20),
    (Scenario.ONWARD_MIGRATION, 8),
    (Scenario.MEDICAL_STABILISATION, 12),
]
OUTFLOWS = [
    (OutflowType.LEGALISATION, 9),
    (OutflowType.RETURN, 7),
    (OutflowType.ONWARD_MIGRATION, 3),
    (OutflowType.REPEAT_ASYLUM_APPLICATION, 25),
    (OutflowType.ARTICLE_64, 14),
    (OutflowType.UNKNOWN_DESTINATION, 18),
    (OutflowType.TERMINATED, 8),
    (OutflowType.OTHER_SHELTER, 2),
    (OutflowType.IMMIGRATION_DETENTION, 5),
    (OutflowType.CRIMINAL_DETENTION, 1),
    (OutflowType.OWN_NETWORK, 2),
    (OutflowType.OTHER_LVV, 3),
    (OutflowType.BBB, 1),
    (OutflowType.DECEASED, 1),
    (OutflowType.OTHER, 1),
]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


@cache
def _demo_password_hash() -> str:
    # Hash once: the password hasher is deliberately slow and every demo account shares it.
    return make_password(DEMO_PASSWORD)


def _user(
    username: str,
    *,
    org: Organisation | None,
    role: str,
    lvvs=(),
    first: str = "",
    last: str = "",
    **extra,
) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "organisation": org,
            "role": role,
            "first_name": first,
            "last_name": last,
            **extra,
        },
    )
    if created:
        user.password = _demo_password_hash()
        user.save()
    user.lvvs.set(lvvs)
    return user


@transaction.atomic
class DemoContext(TypedDict):
    """What `load_structure` made, handed to the participants and to each app's demo `load`."""

    lvvs: dict[str, LVV]  # by pilot name
    ngos: dict[str, list[Organisation]]  # by pilot name
    national: dict[str, Organisation]  # by name


def load_structure() -> DemoContext:
    """LVVs, policies, locations, capacity, organisations and accounts."""
    national = {
        name: Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in NATIONAL_ORGS
    }
    lvvs: dict[str, LVV] = {}
    ngos: dict[str, list[Organisation]] = {}
    for spec in PILOTS:
        municipality, _ = Organisation.objects.get_or_create(
            name=f"Gemeente {spec.name}", defaults={"kind": Organisation.Kind.MUNICIPALITY}
        )
        lvv, _ = LVV.objects.get_or_create(
            name=spec.name,
            defaults={"start_date": _shifted(spec.start), "municipality": municipality},
        )
        lvvs[spec.name] = lvv
        Policy.objects.update_or_create(lvv=lvv, defaults=spec.policy)
        for name in spec.region:
            RegionMunicipality.objects.get_or_create(name=name, defaults={"lvv": lvv})
        for name, kind, places in spec.locations:
            Location.objects.get_or_create(
                lvv=lvv, name=name, defaults={"shelter_type": kind, "places": places}
            )
        if not CapacityRecord.objects.filter(lvv=lvv, source=DEMO_SOURCE).exists():
            for valid_from, places in spec.capacity:
                CapacityRecord.objects.create(
                    lvv=lvv, valid_from=_shifted(valid_from), places=places, source=DEMO_SOURCE
                )
        municipality.lvvs.add(lvv)
        ngos[spec.name] = []
        for name in spec.ngos:
            org, _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": Organisation.Kind.NGO}
            )
            org.lvvs.add(lvv)
            ngos[spec.name].append(org)
        for key in ("IND", "DT&V", "GGD"):
            national[key].lvvs.add(lvv)
        if spec.avim:
            national["AVIM Politie"].lvvs.add(lvv)

        slug = spec.name.lower()
        _user(
            f"gemeente-{slug}",
            org=municipality,
            role=Role.COORDINATOR,
            lvvs=[lvv],
            first="Coördinator",
            last=spec.name,
        )
        for i, org in enumerate(ngos[spec.name], start=1):
            _user(
                f"ngo-{slug}" if i == 1 else f"ngo{i}-{slug}",
                org=org,
                role=Role.CASE_WORKER,
                lvvs=[lvv],
                first="Casemanager",
                last=org.name,
            )
        _user(
            f"ind-{slug}",
            org=national["IND"],
            role=Role.IND,
            lvvs=[lvv],
            first="IND",
            last=spec.name,
        )
        _user(
            f"dtv-{slug}",
            org=national["DT&V"],
            role=Role.DTV,
            lvvs=[lvv],
            first="DT&V",
            last=spec.name,
        )
        if spec.avim:
            _user(
                f"avim-{slug}",
                org=national["AVIM Politie"],
                role=Role.AVIM,
                lvvs=[lvv],
                first="AVIM",
                last=spec.name,
            )
        _user(
            f"medisch-{slug}",
            org=national["GGD"],
            role=Role.MEDICAL,
            lvvs=[lvv],
            first="Medisch",
            last=spec.name,
        )

    _user(
        "programmabureau",
        org=national["Programmabureau LVV"],
        role=Role.PROGRAMME_BUREAU,
        first="Programma",
        last="Bureau",
    )
    _user(
        "onderzoeker",
        org=national["Onderzoeksbureau Evaluatie LVV"],
        role=Role.RESEARCHER,
        first="Onder",
        last="Zoeker",
    )
    _user(
        "beheerder",
        org=national["Functioneel beheer LVV-register"],
        role=Role.ADMINISTRATOR,
        first="Functioneel",
        last="Beheerder",
        is_staff=True,
    )
    _user(
        "privacy",
        org=national["Functioneel beheer LVV-register"],
        role=Role.PRIVACY_OFFICER,
        first="Privacy",
        last="Functionaris",
    )
    admin = User.objects.get(username="beheerder")
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
    return {"lvvs": lvvs, "ngos": ngos, "national": national}


def _admission_date(rng: random.Random, start: dt.date, today: dt.date) -> dt.date:
    span = (today - start).days - 30
    return start + dt.timedelta(days=int(rng.triangular(0, span, span * 0.35)))


@transaction.atomic
def load_participants(context: DemoContext, *, seed: int = 2019) -> int:
    """A few hundred synthetic participants with realistic histories. Skipped when they exist."""
    if Event.objects.filter(source=DEMO_SOURCE).exists():
        return 0
    rng = random.Random(seed)
    today = demo_today()
    lvvs, ngos = context["lvvs"], context["ngos"]
    created = 0
    movers: list[tuple[Stay, dt.date]] = []
    for spec in PILOTS:
        lvv = lvvs[spec.name]
        locations = list(lvv.locations.all())
        for n in range(spec.participants):
            gender = _pick(rng, [(Gender.MALE, 70), (Gender.FEMALE, 27), (Gender.UNKNOWN, 3)])
            country = _pick(rng, COUNTRIES)
            birth_year = rng.randint(1950, 2003) if rng.random() > 0.04 else None
            first_application = None
            if rng.random() > 0.15:
                first_application = _shifted(
                    dt.date(rng.randint(2003, 2018), rng.randint(1, 12), rng.randint(1, 28))
                )
            person = services.person_create(
                by=None,
                source=DEMO_SOURCE,
                given_names=rng.choice(GIVEN[gender]),
                family_name=rng.choice(FAMILY),
                v_number=str(rng.randint(10**9, 10**10 - 1)) if rng.random() > 0.2 else "",
                birth_year=birth_year,
                gender=gender,
                country=country,
                first_ind_application_date=first_application,
                ind_status=rng.choice(
                    ["Geen procedure", "Uitgeprocedeerd", "Herhaalde aanvraag in behandeling", ""]
                ),
            )
            target_group = TargetGroup.CONVENANT
            if spec.name == "Amsterdam" and country in ("MAR", "DZA") and rng.random() < 0.7:
                target_group = TargetGroup.SAFE_COUNTRY
            elif spec.name == "Utrecht" and rng.random() < 0.1:
                target_group = TargetGroup.FAMILY
            admitted = _admission_date(rng, _shifted(spec.start), today)
            registered = admitted - dt.timedelta(days=rng.randint(0, 30))
            stay = services.stay_register(
                person=person,
                lvv=lvv,
                registration_date=registered,
                by=None,
                source=DEMO_SOURCE,
                target_group=target_group,
                organisation=rng.choice(ngos[spec.name]),
                correspondence_number=f"{spec.name[:3].upper()}-{n + 1:04d}",
                reported_municipality=rng.choice(spec.region),
            )
            services.stay_admit(stay=stay, on=admitted, by=None, source=DEMO_SOURCE)
            services.stay_move_location(
                stay=stay, location=rng.choice(locations), on=admitted, by=None, source=DEMO_SOURCE
            )
            scenario_on = min(admitted + dt.timedelta(days=rng.randint(7, 60)), today)
            services.stay_set_scenario(
                stay=stay,
                scenario=_pick(rng, SCENARIOS),
                on=scenario_on,
                discussed_in_lso=not (spec.name == "Utrecht" and rng.random() < 0.6),
                by=None,
                source=DEMO_SOURCE,
            )
            if stay.scenario == Scenario.LEGALISATION and rng.random() < 0.3:
                services.stay_set_scenario(
                    stay=stay,
                    scenario=Scenario.RETURN,
                    on=min(scenario_on + dt.timedelta(days=120), today),
                    by=None,
                    source=DEMO_SOURCE,
                )
            if rng.random() < 0.62:
                outflow_on = admitted + dt.timedelta(days=int(rng.expovariate(1 / 200)) + 14)
                if outflow_on < today:
                    kind = _pick(rng, OUTFLOWS)
                    services.stay_register_outflow(
                        stay=stay, kind=kind, on=outflow_on, by=None, source=DEMO_SOURCE
                    )
                    follow_on = outflow_on + dt.timedelta(days=rng.randint(20, 150))
                    if (
                        kind == OutflowType.IMMIGRATION_DETENTION
                        and rng.random() < 0.6
                        and follow_on < today
                    ):
                        services.stay_register_follow_up(
                            stay=stay,
                            follow_up=FollowUp.FORCED_DEPARTURE,
                            on=follow_on,
                            by=None,
                            source=DEMO_SOURCE,
                        )
                    elif (
                        kind == OutflowType.REPEAT_ASYLUM_APPLICATION
                        and rng.random() < 0.5
                        and follow_on < today
                    ):
                        follow = FollowUp.PERMIT_GRANTED if rng.random() < 0.4 else FollowUp.REFUSED
                        services.stay_register_follow_up(
                            stay=stay, follow_up=follow, on=follow_on, by=None, source=DEMO_SOURCE
                        )
                    elif kind == OutflowType.OTHER_LVV:
                        movers.append((stay, outflow_on))
            created += 1
    # Persons who moved to another LVV are admitted there too: one person, two linked stays.
    names = list(lvvs)
    for stay, left_on in movers:
        target = lvvs[rng.choice([n for n in names if n != stay.lvv.name])]
        on = left_on + dt.timedelta(days=rng.randint(1, 14))
        second = services.stay_register(
            person=stay.person,
            lvv=target,
            registration_date=on,
            by=None,
            source=DEMO_SOURCE,
            organisation=ngos[target.name][0],
            previous_stay=stay,
        )
        services.stay_admit(stay=second, on=on, by=None, source=DEMO_SOURCE)
    return created
