"""Model invariants: the services refuse impossible states and write nothing when they do."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lvv.accounts.models import Organisation
from lvv.registry import services
from lvv.registry.models import Event, EventKind, Stay
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
)

pytestmark = pytest.mark.django_db


def test_register_admit_scenario_outflow_are_events_and_state_is_derived():
    stay = StayFactory(scenario=Scenario.RETURN, left=True)
    kinds = list(stay.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        EventKind.STAY_REGISTERED,
        EventKind.STAY_ADMITTED,
        EventKind.SCENARIO_SET,
        EventKind.OUTFLOW_REGISTERED,
    ]
    assert (stay.status, stay.scenario, stay.outflow_type) == (
        "left",
        Scenario.RETURN,
        OutflowType.RETURN,
    )
    assert stay.version == 4


def test_outflow_before_admission_is_refused_and_nothing_written():
    stay = StayFactory(admission_date=dt.date(2020, 3, 1))
    count = Event.objects.count()
    with pytest.raises(ValidationError) as err:
        services.stay_register_outflow(
            stay=stay, kind=OutflowType.RETURN, on=dt.date(2020, 2, 1), by=None
        )
    assert "vóór de datum van toelating" in str(err.value)
    assert Event.objects.count() == count
    stay.refresh_from_db()
    assert stay.status == "admitted"


def test_outflow_without_admission_is_refused():
    stay = StayFactory(registered_only=True)
    with pytest.raises(ValidationError):
        services.stay_register_outflow(
            stay=stay, kind=OutflowType.RETURN, on=dt.date(2020, 2, 1), by=None
        )


def test_second_open_stay_in_same_lvv_is_refused_but_allowed_after_outflow():
    first = StayFactory()
    with pytest.raises(ValidationError, match="lopend verblijf"):
        services.stay_register(
            person=first.person, lvv=first.lvv, registration_date=dt.date(2020, 2, 1), by=None
        )
    services.stay_register_outflow(
        stay=first, kind=OutflowType.UNKNOWN_DESTINATION, on=dt.date(2020, 3, 1), by=None
    )
    again = services.stay_register(
        person=first.person, lvv=first.lvv, registration_date=dt.date(2020, 5, 1), by=None
    )
    assert again.status == "registered"


def test_database_refuses_second_open_stay_even_around_the_service():
    first = StayFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(person=first.person, lvv=first.lvv, status="admitted")


def test_database_refuses_outflow_before_admission_even_around_the_service():
    stay = StayFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.filter(pk=stay.pk).update(
            outflow_date=dt.date(2019, 1, 1), outflow_type="return", status="left"
        )


def test_unknown_labels_are_refused():
    stay = StayFactory()
    with pytest.raises(ValidationError):
        services.stay_set_scenario(stay=stay, scenario="holiday", on=dt.date(2020, 2, 1), by=None)
    with pytest.raises(ValidationError):
        services.stay_register_outflow(
            stay=stay, kind="teleported", on=dt.date(2020, 2, 1), by=None
        )


def test_follow_up_must_fit_outflow_type():
    stay = StayFactory(
        outflow_type=OutflowType.REPEAT_ASYLUM_APPLICATION, outflow_date=dt.date(2020, 6, 1)
    )
    with pytest.raises(ValidationError, match="past niet"):
        services.stay_register_follow_up(
            stay=stay, follow_up=FollowUp.FORCED_DEPARTURE, on=dt.date(2020, 7, 1), by=None
        )
    services.stay_register_follow_up(
        stay=stay, follow_up=FollowUp.PERMIT_GRANTED, on=dt.date(2020, 7, 1), by=None
    )
    stay.refresh_from_db()
    assert stay.follow_up == FollowUp.PERMIT_GRANTED


def test_correction_is_a_new_event_and_void_restores_previous_state():
    stay = StayFactory(left=True)
    outflow = stay.events.get(kind=EventKind.OUTFLOW_REGISTERED)
    services.event_void(event=outflow, by=None, reason="Verkeerd dossier")
    stay.refresh_from_db()
    assert stay.status == "admitted"
    assert stay.outflow_date is None
    assert Event.objects.filter(pk=outflow.pk).exists()  # never deleted


def test_stale_version_is_a_conflict_not_a_lost_update():
    stay = StayFactory()
    loaded_version = stay.version
    services.stay_set_scenario(
        stay=stay,
        scenario=Scenario.RETURN,
        on=dt.date(2020, 2, 1),
        by=None,
        expected_version=loaded_version,
    )
    with pytest.raises(services.ConflictError):
        services.stay_set_scenario(
            stay=stay,
            scenario=Scenario.LEGALISATION,
            on=dt.date(2020, 2, 1),
            by=None,
            expected_version=loaded_version,
        )
    stay.refresh_from_db()
    assert stay.scenario == Scenario.RETURN
    assert stay.events.filter(kind=EventKind.SCENARIO_SET).count() == 1


def test_person_correction_is_recorded_and_invalid_v_number_refused():
    person = PersonFactory(birth_year=1980)
    services.person_correct(person=person, by=None, changes={"birth_year": 1982})
    person.refresh_from_db()
    assert person.birth_year == 1982
    assert person.events.filter(kind=EventKind.PERSON_CORRECTED).count() == 1
    with pytest.raises(ValidationError, match="10 cijfers"):
        services.person_correct(person=person, by=None, changes={"v_number": "12AB"})
    person.refresh_from_db()
    assert person.v_number == ""


def test_correspondence_number_unique_within_lvv_only():
    lvv, other = LVVFactory(), LVVFactory()
    StayFactory(lvv=lvv, correspondence_number="A-1")
    StayFactory(lvv=other, correspondence_number="A-1")
    with pytest.raises(ValidationError, match="correspondentienummer"):
        StayFactory(lvv=lvv, correspondence_number="A-1")


def test_only_an_ngo_guides_a_stay_at_registration_and_later():
    municipality = OrganisationFactory(kind=Organisation.Kind.MUNICIPALITY)
    ngo = OrganisationFactory()
    person, lvv = PersonFactory(), LVVFactory()
    message = {
        "organisation": ["De begeleidende organisatie moet een maatschappelijke organisatie zijn."]
    }
    with pytest.raises(ValidationError) as err:
        services.stay_register(
            person=person,
            lvv=lvv,
            registration_date=dt.date(2024, 1, 1),
            by=None,
            organisation=municipality,
        )
    assert err.value.message_dict == message
    assert not Stay.objects.filter(person=person).exists()
    stay = services.stay_register(
        person=person, lvv=lvv, registration_date=dt.date(2024, 1, 1), by=None, organisation=ngo
    )
    with pytest.raises(ValidationError) as err:
        services.stay_set_organisation(
            stay=stay, organisation=municipality, on=dt.date(2024, 2, 1), by=None
        )
    assert err.value.message_dict == message
    stay.refresh_from_db()
    assert stay.organisation == ngo
