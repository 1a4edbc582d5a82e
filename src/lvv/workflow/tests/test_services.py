"""The workflow services against the database, with each pilot's policy driving behaviour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lvv.access.models import AccessRecord
from lvv.registry.models import CapacityRecord, Event, EventKind, Location, Policy
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario
from lvv.workflow import selectors, services
from lvv.workflow.models import (
    Action,
    AdmissionCheck,
    Decision,
    Document,
    DuplicateCandidate,
    Escalation,
    LegalCheckSection,
    Meeting,
)
from lvv.workflow.models.admission import Criterion
from lvv.workflow.tests.conftest import (
    GOOD_CRITERIA,
    PILOTS,
    admit,
    agree_all,
    decide_admit,
    lvv,
    organisation_of,
    register,
    user,
)

pytestmark = pytest.mark.django_db


# Registration and admission ---------------------------------------------------------------------


@pytest.mark.parametrize("pilot", PILOTS)
def test_registration_records_channel_and_admission_follows_policy(pilots, pilot):
    stay, matches = register(
        pilot, channel="referral", referred_by=user(f"ind-{pilot.lower()}").organisation
    )
    assert matches == []
    check = AdmissionCheck.objects.get(stay=stay)
    assert check.channel == "referral" and check.referred_by is not None
    assert check.referred_by.name == "IND"
    policy = lvv(pilot).policy
    coordinator = user(f"gemeente-{pilot.lower()}")
    if policy.admission_conditions:
        # Rotterdam: the local condition must be answered; the service says which.
        with pytest.raises(ValidationError) as err:
            services.admission_check_record(stay=stay, by=coordinator, criteria=GOOD_CRITERIA)
        assert "Reële vertrekwens" in str(err.value)
    assert admit(pilot, stay) == "admitted"
    assert stay.status == "admitted"


def test_criteria_need_a_source(pilots):
    stay, _ = register("Utrecht")
    criteria = dict(GOOD_CRITERIA)
    criteria[Criterion.DUBLIN] = (False, "")
    with pytest.raises(ValidationError) as err:
        services.admission_check_record(stay=stay, by=user("gemeente-utrecht"), criteria=criteria)
    assert "source_dublin" in err.value.message_dict


@pytest.mark.parametrize("pilot", PILOTS)
def test_exception_needs_the_policy_decider_and_may_force_a_scenario(pilots, pilot):
    stay, _ = register(pilot)
    policy = lvv(pilot).policy
    coordinator = user(f"gemeente-{pilot.lower()}")
    criteria = dict(GOOD_CRITERIA)
    criteria[Criterion.ENTRY_BAN] = (True, "IND: inreisverbod 10 jaar")
    conditions = dict.fromkeys(policy.admission_conditions, (True, ""))
    services.admission_check_record(
        stay=stay, by=coordinator, criteria=criteria, conditions=conditions
    )
    with pytest.raises(ValidationError, match="voldoet niet"):
        services.admission_decide(stay=stay, by=coordinator, on=stay.registration_date, admit=True)
    wrong = "lso" if policy.exception_decider == "mayor" else "mayor"
    with pytest.raises(ValidationError) as err:
        services.admission_check_record(
            stay=stay,
            by=coordinator,
            criteria=criteria,
            conditions=conditions,
            exception_reason="Medisch kwetsbaar",
            exception_decider=wrong,
            exception_decided_by="x",
        )
    assert "exception_decider" in err.value.message_dict
    services.admission_check_record(
        stay=stay,
        by=coordinator,
        criteria=criteria,
        conditions=conditions,
        exception_reason="Medisch kwetsbaar",
        exception_decider=policy.exception_decider,
        exception_decided_by="LSO van deze week",
    )
    agree_all(pilot, stay)
    decide_admit(stay, by=coordinator, on=stay.registration_date)
    stay.refresh_from_db()
    assert Decision.objects.filter(stay=stay, kind="admission_exception").exists()
    # Groningen's policy forces return after an exception; the others leave the scenario open.
    expected = policy.exception_forced_scenario or Scenario.NOT_YET_DETERMINED
    assert stay.scenario == expected
    if policy.exception_forced_scenario:
        assert stay.scenario_discussed_in_lso is (policy.exception_decider == "lso")


def test_refusal_needs_a_reason_and_is_recorded(pilots):
    stay, _ = register("Eindhoven")
    coordinator = user("gemeente-eindhoven")
    with pytest.raises(ValidationError):
        services.admission_decide(stay=stay, by=coordinator, on=stay.registration_date, admit=False)
    services.admission_decide(
        stay=stay, by=coordinator, on=stay.registration_date, admit=False, reason="EU-burger"
    )
    stay.refresh_from_db()
    assert stay.status == "refused"
    assert Event.objects.get(stay=stay, kind=EventKind.STAY_REFUSED).data["reason"] == "EU-burger"


def test_full_lvv_puts_people_on_the_waiting_list_in_order(pilots, today):
    rotterdam = lvv("Rotterdam")
    CapacityRecord.objects.create(lvv=rotterdam, valid_from=today - dt.timedelta(days=60), places=1)
    first, _ = register("Rotterdam", family="Een")
    admit("Rotterdam", first)
    second, _ = register("Rotterdam", family="Twee", on=today - dt.timedelta(days=5))
    third, _ = register("Rotterdam", family="Drie", on=today - dt.timedelta(days=5))
    assert admit("Rotterdam", second, on=today - dt.timedelta(days=4)) == "waitlisted"
    assert admit("Rotterdam", third, on=today - dt.timedelta(days=3)) == "waitlisted"
    order = [s.pk for s, _d in selectors.waiting_list(type(first).objects.all(), rotterdam)]
    assert order == [second.pk, third.pk]
    with pytest.raises(ValidationError, match="vol"):
        services.admission_decide(stay=second, by=user("gemeente-rotterdam"), on=today, admit=True)
    services.outflow_register(stay=first, by=user("gemeente-rotterdam"), kind="return", on=today)
    services.admission_decide(stay=second, by=user("gemeente-rotterdam"), on=today, admit=True)
    second.refresh_from_db()
    assert second.status == "admitted"


def test_places_per_location_and_moves_are_events(pilots, today):
    stay, _ = register("Utrecht")
    admit("Utrecht", stay)
    small = Location.objects.create(
        lvv=stay.lvv, name="Huisje", shelter_type="small_house", places=1
    )
    other = Location.objects.get(lvv=stay.lvv, name="Locatie Centrum")
    coordinator = user("gemeente-utrecht")
    services.stay_assign_location(stay=stay, location=small, on=today, by=coordinator)
    second, _ = register("Utrecht", family="Ander")
    admit("Utrecht", second)
    with pytest.raises(ValidationError, match="vol"):
        services.stay_assign_location(stay=second, location=small, on=today, by=coordinator)
    services.stay_assign_location(stay=stay, location=other, on=today, by=coordinator)
    assert Event.objects.filter(stay=stay, kind=EventKind.LOCATION_SET).count() == 2


# Duplicates ---------------------------------------------------------------------------------------


def test_duplicate_check_across_lvvs_reveals_only_lvv_and_contact(pilots):
    original, _ = register(
        "Amsterdam", given="Tesfay", family="Haile", birth_year=1988, v_number="1234567890"
    )
    _, matches = register("Rotterdam", given="Tesfaye", family="Haile", birth_year=1989)
    assert len(matches) == 1
    assert matches[0]["where"] == [{"lvv": "Amsterdam", "contact": "Gemeente Amsterdam"}]
    assert set(matches[0]["reasons"]) >= {"name", "birth_year", "country"}
    assert (
        AccessRecord.objects.for_person(original.person_id)
        .filter(activity="duplicate_check", audit__username="gemeente-rotterdam")
        .exists()
    )
    _, by_number = register(
        "Utrecht",
        given="Anders",
        family="Iemand",
        birth_year=1970,
        country="IRN",
        v_number="1234567890",
    )
    assert by_number[0]["reasons"] == ["v_number"]


def test_duplicate_alias_and_swapped_names(pilots):
    from lvv.workflow.duplicates import duplicates_find

    stay, _ = register(
        "Groningen",
        given="Amina",
        family="Diallo",
        birth_year=1995,
        country="GIN",
        aliases=[("Aminata", "Barry")],
    )
    found = duplicates_find(
        given_names="Aminata",
        family_name="Barry",
        aliases=[],
        birth_year=1995,
        country="GIN",
        v_number="",
    )
    assert [m.person_id for m in found] == [stay.person_id]
    assert found[0].reasons[0] == "alias"
    swapped = duplicates_find(
        given_names="Diallo",
        family_name="Amina",
        aliases=[],
        birth_year=None,
        country="",
        v_number="",
    )
    assert [m.person_id for m in swapped] == [stay.person_id]
    assert (
        duplicates_find(
            given_names="Ali",
            family_name="Diallo",
            aliases=[],
            birth_year=1960,
            country="GIN",
            v_number="",
        )
        == []
    )


def test_duplicate_verdicts_link_without_destroying_and_can_be_undone(pilots):
    first, _ = register("Amsterdam", given="Omar", family="Osman", birth_year=1980, country="SOM")
    second, matches = register(
        "Eindhoven", given="Omar", family="Osman", birth_year=1980, country="SOM"
    )
    candidate = DuplicateCandidate.objects.get(pk=matches[0]["candidate_id"])
    ids = [first.person_id, second.person_id]
    assert selectors.distinct_person_count(ids) == 2
    services.duplicate_decide(candidate=candidate, by=user("gemeente-eindhoven"), same=True)
    assert selectors.distinct_person_count(ids) == 1
    link = candidate.links.get()
    services.person_link_undo(link=link, by=user("gemeente-amsterdam"), reason="Toch twee broers")
    assert selectors.distinct_person_count(ids) == 2
    assert first.person.__class__.objects.filter(pk__in=ids).count() == 2
    candidate.refresh_from_db()
    services.duplicate_decide(candidate=candidate, by=user("gemeente-amsterdam"), same=False)
    # A third registration of the same name is matched to both, but the rejected pair stays quiet.
    services.duplicate_check_on_registration(person=second.person, by=user("gemeente-eindhoven"))
    assert DuplicateCandidate.objects.filter(pk=candidate.pk, status="different").exists()
    assert DuplicateCandidate.objects.count() == 1


# Intake ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pilot", PILOTS)
def test_avim_identity_check_only_where_policy_asks(pilots, pilot, today):
    stay, _ = register(pilot)
    admit(pilot, stay)
    if lvv(pilot).policy.avim_identity_check:
        row = services.identity_investigation_record(
            stay=stay,
            by=user(f"avim-{pilot.lower()}"),
            result="fraud_found",
            concluded_on=today,
            note="Twee identiteiten",
        )
        assert row.get_result_display() == "Identiteitsfraude vastgesteld"
    else:
        with pytest.raises(ValidationError, match="geen identiteitsonderzoek"):
            services.identity_investigation_record(
                stay=stay,
                by=user(f"gemeente-{pilot.lower()}"),
                result="confirmed",
                concluded_on=today,
            )


@pytest.mark.parametrize("pilot", PILOTS)
def test_medical_intake_by_the_policy_party_and_encrypted(pilots, pilot, today):
    from django.db import connection

    stay, _ = register(pilot)
    admit(pilot, stay)
    performer = {"ggd": "medisch", "nurse": "medisch", "ngo": "ngo"}[
        lvv(pilot).policy.medical_intake_by
    ]
    with pytest.raises(ValidationError):
        services.medical_intake_record(
            stay=stay, by=user(f"dtv-{pilot.lower()}"), held_on=today, shelter_advice="regular"
        )
    intake = services.medical_intake_record(
        stay=stay,
        by=user(f"{performer}-{pilot.lower()}"),
        held_on=today,
        shelter_advice="medical",
        note="Diabetes, insuline",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM workflow_medicalintake WHERE id = %s", [intake.pk])
        raw = cursor.fetchone()[0]
    assert "insuline" not in raw
    intake.refresh_from_db()
    assert intake.note == "Diabetes, insuline"


@pytest.mark.parametrize("pilot", PILOTS)
def test_joint_legal_check_per_party_with_policy_norm(pilots, pilot, today):
    stay, _ = register(pilot)
    admit(pilot, stay)
    slug = pilot.lower()
    check = services.legal_check_open(stay=stay, by=user(f"gemeente-{slug}"), on=today)
    assert check.due_on == today + dt.timedelta(days=lvv(pilot).policy.legal_check_norm_days)
    status = selectors.legal_check_status(check)
    assert (
        status.waiting_for == ["IND", "DT&V", "Maatschappelijke organisatie"]
        or len(status.waiting_for) == 3
    )
    ind = check.sections.get(party="ind")
    dtv = check.sections.get(party="dtv")
    with pytest.raises(ValidationError, match="Alleen IND"):
        services.legal_check_answer(
            section=ind,
            by=user(f"dtv-{slug}"),
            answers={"current_status": "x", "earlier_procedures": "y"},
        )
    with pytest.raises(ValidationError):
        services.legal_check_answer(
            section=ind, by=user(f"ind-{slug}"), answers={"current_status": "x"}
        )
    services.legal_check_answer(
        section=ind,
        by=user(f"ind-{slug}"),
        answers={"current_status": "Uitgeprocedeerd", "earlier_procedures": "Asiel 2015 afgewezen"},
    )
    services.legal_check_answer(
        section=dtv, by=user(f"dtv-{slug}"), answers={"departure_procedures": "Vertrekgesprek 2016"}
    )
    status = selectors.legal_check_status(check)
    assert status.waiting_for == ["Maatschappelijke organisatie"] and not status.complete
    ngo = check.sections.get(party="ngo")
    services.legal_check_answer(
        section=ngo,
        by=user(f"ngo-{slug}"),
        answers={"legalisation_options": "Buitenschuld", "conclusion": "Kansrijk"},
    )
    status = selectors.legal_check_status(check)
    assert status.complete
    ind.refresh_from_db()
    assert ind.current_status == "Uitgeprocedeerd"  # not overwritten by the other parties
    assert (
        LegalCheckSection.objects.filter(legal_check=check, answered_at__isnull=False).count() == 3
    )


# Meetings, decisions, actions --------------------------------------------------------------------


def test_agenda_proposal_and_decisions(pilots, today):
    stay, _ = register("Eindhoven")
    admit("Eindhoven", stay, on=today - dt.timedelta(days=3))
    coordinator = user("gemeente-eindhoven")
    check = services.legal_check_open(stay=stay, by=coordinator, on=today)
    for section, username, answers in [
        ("ind", "ind-eindhoven", {"current_status": "a", "earlier_procedures": "b"}),
        ("dtv", "dtv-eindhoven", {"departure_procedures": "c"}),
        ("ngo", "ngo-eindhoven", {"legalisation_options": "d", "conclusion": "e"}),
    ]:
        services.legal_check_answer(
            section=check.sections.get(party=section), by=user(username), answers=answers
        )
    meeting = services.meeting_create(
        lvv=stay.lvv,
        by=coordinator,
        kind="lso",
        held_on=today,
        participants=[organisation_of(coordinator)],
    )
    item = meeting.agenda.get(stay=stay)
    assert set(item.reasons) == {"new_admission", "legal_check_done"}
    with pytest.raises(ValidationError, match="overleg of een beslisser"):
        services.decision_record(
            stay=stay, by=coordinator, kind="scenario", decided_on=today, scenario="return"
        )
    services.decision_record(
        stay=stay,
        by=coordinator,
        kind="scenario",
        decided_on=today,
        scenario="legalisation",
        meeting=meeting,
    )
    stay.refresh_from_db()
    assert stay.scenario == "legalisation" and stay.scenario_discussed_in_lso
    event = Event.objects.filter(stay=stay, kind=EventKind.SCENARIO_SET).latest("recorded_at")
    assert event.data["meeting_id"] == meeting.pk
    item.refresh_from_db()
    assert item.discussed
    # Utrecht practice: the NGO decides alone; the scenario records that it was not in the LSO.
    services.decision_record(
        stay=stay,
        by=user("ngo-eindhoven"),
        kind="scenario",
        decided_on=today,
        scenario="return",
        decider="Maatschappelijke organisatie",
    )
    stay.refresh_from_db()
    assert not stay.scenario_discussed_in_lso


def test_narrow_meeting_only_proposes_its_organisations_cases(pilots, today):
    stay_a, _ = register("Amsterdam", family="Eerste")
    admit("Amsterdam", stay_a, on=today)
    coordinator = user("gemeente-amsterdam")
    other_ngo = user("ngo2-amsterdam").organisation
    with pytest.raises(ValidationError):
        services.meeting_create(lvv=stay_a.lvv, by=coordinator, kind="cluster", held_on=today)
    meeting = services.meeting_create(
        lvv=stay_a.lvv, by=coordinator, kind="cluster", held_on=today, scope_organisation=other_ngo
    )
    assert not meeting.agenda.exists()
    lso = services.meeting_create(lvv=stay_a.lvv, by=coordinator, kind="lso", held_on=today)
    assert lso.agenda.filter(stay=stay_a).exists()


def test_actions_deadlines_and_overdue_overviews(pilots, today):
    stay, _ = register("Groningen")
    admit("Groningen", stay)
    coordinator = user("gemeente-groningen")
    ngo_user = user("ngo-groningen")
    with pytest.raises(ValidationError, match="verleden"):
        services.action_create(
            stay=stay,
            by=coordinator,
            description="Paspoort ophalen",
            responsible_organisation=organisation_of(ngo_user),
            due_on=today - dt.timedelta(days=1),
        )
    action = services.action_create(
        stay=stay,
        by=coordinator,
        description="Paspoort ophalen",
        responsible_user=ngo_user,
        responsible_organisation=organisation_of(ngo_user),
        due_on=today - dt.timedelta(days=1),
        reason="Afgesproken in vorig LSO, nu pas vastgelegd",
    )
    summary = selectors.overdue_summary(type(stay).objects.all(), today)
    assert summary["per_lvv"] == [{"stay__lvv__name": "Groningen", "n": 1}]
    assert summary["per_worker"][0]["responsible_user__username"] == "ngo-groningen"
    with pytest.raises(ValidationError, match="reden"):
        services.action_reset_deadline(
            action=action, by=coordinator, new_due_on=today + dt.timedelta(days=7), reason=""
        )
    services.action_reset_deadline(
        action=action,
        by=coordinator,
        new_due_on=today + dt.timedelta(days=7),
        reason="Ambassade gesloten",
    )
    assert [c.reason for c in action.deadline_changes.all()][-1] == "Ambassade gesloten"
    assert not selectors.overdue_actions(type(stay).objects.all(), today).exists()
    with pytest.raises(ValidationError) as future:
        services.action_complete(action=action, by=ngo_user, on=today + dt.timedelta(days=1))
    assert future.value.message_dict == {"on": ["De datum ligt in de toekomst."]}
    services.action_complete(action=action, by=ngo_user, on=today)
    assert Action.objects.get(pk=action.pk).status == "done"


# Maximum stay and extensions ---------------------------------------------------------------------


@pytest.mark.parametrize("pilot", PILOTS)
def test_extension_by_policy(pilots, pilot, today):
    policy: Policy = lvv(pilot).policy
    admitted_on = today - dt.timedelta(days=170)
    stay, _ = register(pilot, on=admitted_on)
    admit(pilot, stay, on=admitted_on)
    coordinator = user(f"gemeente-{pilot.lower()}")
    meeting = Meeting.objects.create(
        lvv=stay.lvv, kind="lso", held_on=today, created_by=coordinator
    )
    near = [s.pk for s, _e in selectors.stays_near_maximum(type(stay).objects.all(), today=today)]
    if not policy.max_stay_days:
        assert near == []
        with pytest.raises(ValidationError, match="geen maximale verblijfsduur"):
            services.stay_extend(
                stay=stay,
                by=coordinator,
                on=today,
                reason="medical",
                durable_prospect=True,
                meeting=meeting,
            )
        return
    assert near == [stay.pk]
    end = selectors.stay_end_date(stay)
    assert end == admitted_on + dt.timedelta(days=policy.max_stay_days)
    with pytest.raises(ValidationError):
        services.stay_extend(
            stay=stay,
            by=coordinator,
            on=today,
            reason="holiday",
            durable_prospect=True,
            meeting=meeting,
        )
    if policy.extension_requires_durable_prospect:
        with pytest.raises(ValidationError, match="bestendige oplossing"):
            services.stay_extend(
                stay=stay,
                by=coordinator,
                on=today,
                reason="medical",
                durable_prospect=False,
                meeting=meeting,
            )
    services.stay_extend(
        stay=stay,
        by=coordinator,
        on=today,
        reason="medical",
        durable_prospect=True,
        meeting=meeting,
    )
    new_end = selectors.stay_end_date(stay)
    assert policy.extension_days  # stay_extend refuses a policy without one
    assert new_end == end + dt.timedelta(days=policy.extension_days)
    assert Event.objects.filter(stay=stay, kind=EventKind.STAY_EXTENDED).count() == 1
    if policy.max_total_stay_days:
        # Amsterdam: 1.5 years absolute; extensions stop there.
        for _ in range(3):
            try:
                services.stay_extend(
                    stay=stay,
                    by=coordinator,
                    on=today,
                    reason="medical",
                    durable_prospect=True,
                    meeting=meeting,
                )
            except ValidationError as exc:
                assert "absolute maximum" in str(exc)
                break
        assert selectors.stay_end_date(stay) == admitted_on + dt.timedelta(
            days=policy.max_total_stay_days
        )


# Escalation --------------------------------------------------------------------------------------


def test_escalation_dossier_is_assembled_and_counted(pilots, today):
    stay, _ = register("Rotterdam")
    admit("Rotterdam", stay)
    coordinator = user("gemeente-rotterdam")
    services.legal_check_open(stay=stay, by=coordinator, on=today)
    services.action_create(
        stay=stay,
        by=coordinator,
        description="Documenten verzamelen",
        responsible_organisation=organisation_of(user("ngo-rotterdam")),
        due_on=today,
    )
    meeting = services.meeting_create(lvv=stay.lvv, by=coordinator, kind="lso", held_on=today)
    with pytest.raises(ValidationError, match="twee partijen"):
        services.escalation_propose(
            stay=stay,
            by=coordinator,
            level="mrt",
            question="Terugkeer?",
            positions={"ind": "terugkeer"},
            on=today,
            meeting=meeting,
        )
    esc = services.escalation_propose(
        stay=stay,
        by=coordinator,
        level="mrt",
        question="Is terugkeer haalbaar?",
        positions={"ind": "Terugkeer is mogelijk", "ngo": "Medisch niet verantwoord"},
        on=today,
        meeting=meeting,
    )
    assert "## Juridische check" in esc.dossier and "Documenten verzamelen" in esc.dossier
    assert "Medisch niet verantwoord" in esc.dossier
    services.escalation_submit(escalation=esc, by=coordinator, on=today)
    services.escalation_record_advice(
        escalation=esc,
        by=coordinator,
        advice="Art. 64 onderzoeken",
        advised_on=today,
        follow_up="Aanvraag art. 64 ingediend",
    )
    assert Escalation.objects.get(pk=esc.pk).status == "closed"
    assert selectors.escalations_per_lvv() == [
        {"stay__lvv__name": "Rotterdam", "level": "mrt", "n": 1}
    ]


# Outflow, transfer -------------------------------------------------------------------------------


def test_outflow_with_follow_up_and_transfer_links_stays(pilots, today):
    stay, _ = register("Groningen")
    admit("Groningen", stay)
    coordinator = user("gemeente-groningen")
    services.outflow_register(
        stay=stay, by=coordinator, kind=OutflowType.REPEAT_ASYLUM_APPLICATION, on=today
    )
    services.follow_up_register(stay=stay, by=coordinator, follow_up=FollowUp.REFUSED, on=today)
    stay.refresh_from_db()
    assert stay.follow_up == FollowUp.REFUSED
    with pytest.raises(ValidationError):
        services.stay_transfer(
            previous=stay, to_lvv=lvv("Utrecht"), by=user("gemeente-utrecht"), on=today
        )

    moving, _ = register("Amsterdam", family="Verhuizer")
    admit("Amsterdam", moving)
    services.outflow_register(
        stay=moving, by=user("gemeente-amsterdam"), kind=OutflowType.OTHER_LVV, on=today
    )
    moving.refresh_from_db()
    new = services.stay_transfer(
        previous=moving, to_lvv=lvv("Utrecht"), by=user("gemeente-utrecht"), on=today
    )
    assert new.previous_stay_id == moving.pk and new.person_id == moving.person_id


# Documents ---------------------------------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_documents_are_type_checked_encrypted_and_downloads_logged(pilots, settings):
    stay, _ = register("Utrecht")
    worker = user("ngo-utrecht")
    with pytest.raises(ValidationError, match="PDF"):
        services.document_upload(
            stay=stay,
            by=worker,
            kind="identity",
            title="Paspoort",
            upload=SimpleUploadedFile("paspoort.pdf", b"MZ\x90\x00 not a pdf"),
        )
    settings.LVV_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="te groot"):
        services.document_upload(
            stay=stay,
            by=worker,
            kind="identity",
            title="Paspoort",
            upload=SimpleUploadedFile("paspoort.pdf", PDF),
        )
    settings.LVV_DOCUMENT_MAX_BYTES = 1024 * 1024
    doc = services.document_upload(
        stay=stay,
        by=worker,
        kind="ind_decision",
        title="Beschikking",
        upload=SimpleUploadedFile("beschikking.pdf", PDF),
    )
    assert b"%PDF" not in bytes(Document.objects.get(pk=doc.pk).content)
    assert services.document_read(document=doc, by=worker) == PDF
    record = AccessRecord.objects.for_person(stay.person_id).filter(operation="download").get()
    assert record.categories == ["documents"] and record.audit.username == "ngo-utrecht"


# Activation, allowance, forced departure --------------------------------------------------------


@pytest.mark.parametrize("pilot", PILOTS)
def test_living_allowance_only_where_policy_pays(pilots, pilot, today):
    stay, _ = register(pilot)
    admit(pilot, stay)
    worker = user(f"ngo-{pilot.lower()}")
    activity = services.activity_create(
        stay=stay,
        by=worker,
        kind="future_orientation",
        title="Training toekomstoriëntatie",
        starts_on=stay.admission_date,
        portfolio="Doelen: taal, werk",
    )
    with pytest.raises(ValidationError) as future:
        services.attendance_record(
            activity=activity, by=worker, on=today + dt.timedelta(days=1), present=True
        )
    assert future.value.message_dict == {"on": ["De datum ligt in de toekomst."]}
    services.attendance_record(activity=activity, by=worker, on=today, present=True)
    if lvv(pilot).policy.pays_living_allowance:
        services.allowance_record(
            stay=stay,
            by=worker,
            period_start=today.replace(day=1),
            amount_cents=5000,
            paid_on=today,
        )
    else:
        with pytest.raises(ValidationError, match="geen leefgeld"):
            services.allowance_record(
                stay=stay,
                by=worker,
                period_start=today.replace(day=1),
                amount_cents=5000,
                paid_on=today,
            )


@pytest.mark.parametrize("pilot", PILOTS)
def test_forced_departure_safeguard(pilots, pilot, today):
    stay, _ = register(pilot)
    admit(pilot, stay)
    dtv = user(f"dtv-{pilot.lower()}")
    if lvv(pilot).policy.forced_departure_requires_ngo_check:
        with pytest.raises(ValidationError, match="Vraag eerst"):
            services.forced_departure_start(stay=stay, by=dtv, on=today)
        services.forced_departure_ngo_check(stay=stay, by=dtv, asked_on=today, no_objection=False)
        with pytest.raises(ValidationError, match="bezwaar"):
            services.forced_departure_start(stay=stay, by=dtv, on=today)
        services.forced_departure_ngo_check(stay=stay, by=dtv, asked_on=today, no_objection=True)
    check = services.forced_departure_start(stay=stay, by=dtv, on=today)
    assert check.started_on == today


# Query counts -----------------------------------------------------------------------------------


def test_duplicate_check_and_work_queue_use_a_fixed_number_of_queries(
    pilots, today, django_assert_max_num_queries
):
    from lvv.workflow.duplicates import duplicates_find

    for i in range(6):
        stay, _ = register("Rotterdam", family=f"Persoon{i}", on=today - dt.timedelta(days=200))
        admit("Rotterdam", stay)
    with django_assert_max_num_queries(5):
        duplicates_find(
            given_names="Yusuf",
            family_name="Persoon1",
            aliases=[("Y", "P")],
            birth_year=1990,
            country="ERI",
            v_number="1234567890",
        )
    coordinator = user("gemeente-rotterdam")
    with django_assert_max_num_queries(25):
        queue = selectors.work_queue(coordinator)
    assert {i.key: i.count for i in queue}["near_maximum"] == 6


def test_daily_digest_has_counts_and_a_link_but_no_names(pilots, today):
    from django.core import mail
    from django.core.management import call_command

    stay, _ = register("Groningen", given="Uniekenaam", family="Digesttest")
    admit("Groningen", stay)
    worker = user("ngo-groningen")
    worker.email = "casemanager@example.org"
    worker.save()
    services.action_create(
        stay=stay,
        by=user("gemeente-groningen"),
        description="Paspoort",
        responsible_organisation=organisation_of(worker),
        due_on=today - dt.timedelta(days=1),
        reason="Vorig LSO",
    )
    call_command("workflow-digest", "--base-url", "https://lvv.example.org")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "1 × Mijn acties over de deadline" in body and "https://lvv.example.org/" in body
    assert "Uniekenaam" not in body and "Digesttest" not in body and "Paspoort" not in body
