"""Demo data of the case workflow, so a trainer sees every part of it: per pilot a handful of
recent cases with admission checks, intake, joint legal checks (some parties still to answer),
an LSO meeting with its proposed agenda and decisions, actions (some overdue), an extension where
the policy allows one, an MRT escalation with its dossier, documents, activities, the Groningen
forced-departure safeguard and a few possible duplicates across LVVs.

Dates are relative to today, so the work queues are current. Everything is synthetic. Running it
again changes nothing (the demo meetings mark that it ran)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from lvv.access.consent import CONSENTABLE, consent_give
from lvv.accounts.models import User
from lvv.registry.models import LVV, Location, Policy, Stay
from lvv.registry.taxonomy import OutflowType, Scenario
from lvv.workflow import services
from lvv.workflow.models import Meeting
from lvv.workflow.models.admission import Criterion

DEMO_TITLE = "Demo-LSO"

CRITERIA_OK: dict[str, tuple[bool, str]] = {
    Criterion.NO_RIGHT_OF_RESIDENCE: (True, "IND-gegevens (demo)"),
    Criterion.ENTRY_BAN: (False, "IND-gegevens (demo)"),
    Criterion.UNDESIRABLE: (False, "IND-gegevens (demo)"),
    Criterion.EU_CITIZEN: (False, "Paspoort (demo)"),
    Criterion.DUBLIN: (False, "Eurodac (demo)"),
}

# (given, family, birth year, country): synthetic names for the workflow demo cases.
CASES = [
    ("Samuel", "Bekele", 1987, "ETH"),
    ("Fatima", "Rahimi", 1992, "AFG"),
    ("Ibrahim", "Sesay", 1979, "SLE"),
    ("Grace", "Okafor", 1995, "NGA"),
    ("Karim", "Nasser", 1984, "IRQ"),
]
PDF = b"%PDF-1.4\n% demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _u(name: str) -> User | None:
    return User.objects.filter(username=name).select_related("organisation").first()


def _admitted_on(stay: Stay) -> dt.date:
    """The admission date of a demo case this module admitted."""
    if stay.admission_date is None:
        raise RuntimeError(f"Demo-verblijf {stay.pk} is niet toegelaten.")
    return stay.admission_date


def _consent(person, by) -> None:
    for party, categories in CONSENTABLE.items():
        consent_give(
            person=person, party=party, categories=categories, method="participation_form", by=by
        )


def load(context, stdout) -> None:
    if Meeting.objects.filter(title__startswith=DEMO_TITLE).exists():
        stdout.write("Workflow-demo al aanwezig.")
        return
    with transaction.atomic():
        count = sum(
            _load_pilot(lvv)
            for lvv in LVV.objects.filter(
                name__in=["Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht"]
            )
        )
        _duplicates()
    stdout.write(f"Workflow-demo geladen ({count} casussen met intake, LSO, acties en opschaling).")


def _load_pilot(lvv: LVV) -> int:
    today = timezone.localdate()
    slug = lvv.name.lower()
    coordinator, ngo, ind, dtv = (_u(f"{p}-{slug}") for p in ("gemeente", "ngo", "ind", "dtv"))
    if coordinator is None or ngo is None or ngo.organisation is None:
        return 0
    ngo_organisation = ngo.organisation
    policy = Policy.objects.get_or_create(lvv=lvv)[0]
    stays = []
    for i, (given, family, year, country) in enumerate(CASES):
        registered = today - dt.timedelta(days=[200, 60, 30, 12, 3][i])
        stay, _ = services.registration_create(
            by=coordinator,
            lvv=lvv,
            registration_date=registered,
            channel="referral" if i % 2 else "desk",
            referred_by=ind.organisation if i % 2 and ind else None,
            organisation=ngo.organisation,
            given_names=given,
            family_name=f"{family}-{lvv.name[:3]}",
            birth_year=year,
            country=country,
        )
        if policy.consent_mode == Policy.ConsentMode.AT_INTAKE or i < 3:
            _consent(stay.person, ngo)
        conditions = dict.fromkeys(
            policy.admission_conditions, (True, "Reële vertrekwens besproken")
        )
        criteria = dict(CRITERIA_OK)
        extra = {}
        if i == 2:  # an exception, decided as the policy says
            criteria[Criterion.ENTRY_BAN] = (True, "IND: inreisverbod 10 jaar")
            extra = {
                "exception_reason": "Ernstig ziek; opvang nodig",
                "exception_decider": policy.exception_decider,
                "exception_decided_by": "Burgemeester"
                if policy.exception_decider == "mayor"
                else "LSO",
            }
        services.admission_check_record(
            stay=stay, by=coordinator, criteria=criteria, conditions=conditions, **extra
        )
        # Where the policy asks every party to agree (Eindhoven), each party gives its verdict;
        # for the newest report only the municipality and the NGO have answered so far.
        parties = {"municipality": coordinator, "ngo": ngo, "ind": ind, "dtv": dtv}
        for party in policy.admission_parties:
            verdict_by = parties.get(party)
            if verdict_by is not None and (i < 4 or party in ("municipality", "ngo")):
                services.admission_verdict_record(stay=stay, by=verdict_by, agrees=True)
        if i == 4:
            stays.append(stay)  # the newest report is still waiting for a decision
            continue
        location = Location.objects.filter(lvv=lvv, active=True).first()
        if policy.admission_by_signed_intake_form:
            # The signed intake form is the moment of admission (Eindhoven): signed at the
            # intake interview, the day of the report.
            services.admission_intake_form_register(
                stay=stay,
                by=coordinator,
                signed_on=registered,
                upload=SimpleUploadedFile("intakeformulier.pdf", PDF),
                location=location,
            )
        else:
            services.admission_decide(
                stay=stay, by=coordinator, on=registered, admit=True, location=location
            )
        stay.refresh_from_db()
        stays.append(stay)

    oldest, second, third, fourth, _newest = stays
    # Joint legal check: complete for the oldest two, IND and NGO done for the third, open for the fourth.
    for stay, answering in (
        (oldest, "ind dtv ngo"),
        (second, "ind dtv ngo"),
        (third, "ind ngo"),
        (fourth, ""),
    ):
        check = services.legal_check_open(stay=stay, by=coordinator, on=_admitted_on(stay))
        answers = {
            "ind": (
                ind,
                {
                    "current_status": "Uitgeprocedeerd",
                    "earlier_procedures": "Asielaanvraag 2015 afgewezen; opvolgende aanvraag 2017 afgewezen",
                },
            ),
            "dtv": (
                dtv,
                {"departure_procedures": "Vertrekgesprekken 2016; geen reisdocument verkregen"},
            ),
            "ngo": (
                ngo,
                {
                    "legalisation_options": "Buitenschuldvergunning onderzoeken",
                    "conclusion": "Kansrijk als de ambassade verklaart geen documenten te geven",
                },
            ),
        }
        for party in answering.split():
            user, data = answers[party]
            if user is not None:
                services.legal_check_answer(
                    section=check.sections.get(party=party), by=user, answers=data
                )

    avim = _u(f"avim-{slug}") if policy.avim_identity_check else None
    if avim is not None:
        services.identity_investigation_record(
            stay=oldest,
            by=avim,
            result="confirmed",
            concluded_on=_admitted_on(oldest),
        )
        services.identity_investigation_record(
            stay=third,
            by=avim,
            result="fraud_found",
            concluded_on=_admitted_on(third),
            note="Twee identiteiten in gebruik (demo)",
        )
    medic = ngo if policy.medical_intake_by == Policy.MedicalIntakeBy.NGO else _u(f"medisch-{slug}")
    if medic is not None and policy.medical_intake_by != Policy.MedicalIntakeBy.NONE:
        services.medical_intake_record(
            stay=second,
            by=medic,
            held_on=_admitted_on(second),
            shelter_advice="medical",
            note="Demo: chronische aandoening, medicatie dagelijks",
        )

    meeting = services.meeting_create(
        lvv=lvv,
        by=coordinator,
        kind=Meeting.Kind.LSO,
        held_on=today - dt.timedelta(days=7),
        title=f"{DEMO_TITLE} {lvv.name}",
        participants=[
            o
            for o in (
                coordinator.organisation,
                ngo.organisation,
                getattr(ind, "organisation", None),
                getattr(dtv, "organisation", None),
            )
            if o
        ],
    )
    services.agenda_add(meeting=meeting, stay=oldest)
    services.decision_record(
        stay=oldest,
        by=coordinator,
        kind="scenario",
        decided_on=meeting.held_on,
        scenario=Scenario.RETURN,
        meeting=meeting,
    )
    services.decision_record(
        stay=second,
        by=coordinator,
        kind="scenario",
        decided_on=meeting.held_on,
        scenario=Scenario.LEGALISATION,
        meeting=meeting,
    )
    if lvv.name == "Utrecht":  # Utrecht practice: the NGO sets the scenario alone
        services.decision_record(
            stay=third,
            by=ngo,
            kind="scenario",
            decided_on=today - dt.timedelta(days=2),
            scenario=Scenario.LEGALISATION,
            decider=str(ngo.organisation),
        )
    services.action_create(
        stay=oldest,
        by=coordinator,
        description="Reisdocument aanvragen bij de ambassade",
        responsible_organisation=ngo_organisation,
        responsible_user=ngo,
        due_on=today - dt.timedelta(days=3),
        meeting=meeting,
        reason="Afgesproken in het LSO van vorige week",
    )
    services.action_create(
        stay=second,
        by=coordinator,
        description="Medisch dossier opvragen",
        responsible_organisation=ngo_organisation,
        due_on=today + dt.timedelta(days=10),
        meeting=meeting,
    )
    services.meeting_create(
        lvv=lvv,
        by=coordinator,
        kind=Meeting.Kind.LSO,
        held_on=today + dt.timedelta(days=7),
        title=f"{DEMO_TITLE} {lvv.name} (volgende)",
    )
    ngo2 = _u("ngo2-amsterdam") if lvv.name == "Amsterdam" else None
    if ngo2 is not None:
        services.meeting_create(
            lvv=lvv,
            by=coordinator,
            kind=Meeting.Kind.CLUSTER,
            held_on=today + dt.timedelta(days=3),
            title=f"{DEMO_TITLE} cluster",
            scope_organisation=ngo2.organisation,
        )

    if policy.max_stay_days and policy.extension_reasons:
        services.stay_extend(
            stay=oldest,
            by=coordinator,
            on=today - dt.timedelta(days=7),
            reason=policy.extension_reasons[0],
            durable_prospect=True,
            meeting=meeting,
        )
    positions = {
        "ind": "Terugkeer is mogelijk; geen procedure meer open",
        "ngo": "Terugkeer nu niet verantwoord; eerst medische stabilisatie",
        "municipality": "Zoekt een doorbraak",
    }
    esc = services.escalation_propose(
        stay=oldest,
        by=coordinator,
        level="mrt",
        question="Is terugkeer haalbaar of is medische stabilisatie eerst nodig?",
        positions=positions,
        on=today - dt.timedelta(days=7),
        meeting=meeting,
    )
    services.escalation_submit(escalation=esc, by=coordinator, on=today - dt.timedelta(days=6))
    services.document_upload(
        stay=oldest,
        by=ngo,
        kind="ind_decision",
        title="Beschikking IND (demo)",
        upload=SimpleUploadedFile("beschikking.pdf", PDF),
    )
    services.activity_create(
        stay=second,
        by=ngo,
        kind="language",
        title="Taalles Nederlands",
        starts_on=_admitted_on(second),
    )
    if policy.pays_living_allowance:
        training = services.activity_create(
            stay=oldest,
            by=ngo,
            kind="future_orientation",
            title="Vijfdaagse training toekomstoriëntatie",
            starts_on=_admitted_on(oldest),
            ends_on=_admitted_on(oldest) + dt.timedelta(days=4),
            portfolio="Portfolio: talen, werkervaring als lasser, wens om terug te keren met startkapitaal",
        )
        services.attendance_record(activity=training, by=ngo, on=_admitted_on(oldest), present=True)
        services.allowance_record(
            stay=oldest, by=ngo, period_start=today.replace(day=1), amount_cents=6000, paid_on=today
        )
    if policy.forced_departure_requires_ngo_check and dtv is not None:
        services.forced_departure_ngo_check(
            stay=third,
            by=dtv,
            asked_on=today - dt.timedelta(days=1),
            no_objection=False,
            ngo_answer="Medische behandeling loopt nog",
        )
    # One person left to another LVV (Amsterdam -> Utrecht): outflow 'andere LVV' and a new
    # registration there, linked to the previous stay. Elsewhere: departed to unknown destination.
    left_on = today - dt.timedelta(days=1)
    if lvv.name == "Amsterdam":
        services.outflow_register(
            stay=fourth, by=coordinator, kind=OutflowType.OTHER_LVV, on=left_on
        )
        fourth.refresh_from_db()
        services.stay_transfer(
            previous=fourth,
            to_lvv=LVV.objects.get(name="Utrecht"),
            by=coordinator,
            on=left_on,
            organisation=getattr(_u("ngo-utrecht"), "organisation", None),
        )
    else:
        services.outflow_register(
            stay=fourth, by=coordinator, kind=OutflowType.UNKNOWN_DESTINATION, on=left_on
        )
    return len(stays)


def _duplicates() -> None:
    """A few persons who reported at a second LVV: the national check proposes the pairs."""
    today = timezone.localdate()
    for lvv_name, given, family, year, country in [
        ("Utrecht", "Samuel", "Bekele-Ams", 1987, "ETH"),
        ("Eindhoven", "Fatima", "Rahimi-Rot", 1991, "AFG"),
        ("Groningen", "Karim", "Nasser-Utr", 1984, "IRQ"),
    ]:
        lvv = LVV.objects.get(name=lvv_name)
        coordinator = _u(f"gemeente-{lvv_name.lower()}")
        ngo = _u(f"ngo-{lvv_name.lower()}")
        if coordinator is None or ngo is None:
            continue
        services.registration_create(
            by=coordinator,
            lvv=lvv,
            registration_date=today - dt.timedelta(days=1),
            channel="desk",
            organisation=ngo.organisation,
            given_names=given,
            family_name=family,
            birth_year=year,
            country=country,
        )
