"""Consent decides what IND, DT&V, AVIM and medical see; a withdrawal takes effect at once."""

import pytest

from lvv.access import consent
from lvv.access.gate import PersonNotFound, access_person, persons_visible_to, visible_categories
from lvv.access.models import ConsentEvent
from lvv.accounts.models import Organisation, Role
from lvv.registry.tests.factories import LVVFactory, OrganisationFactory, StayFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    utrecht, groningen = LVVFactory(name="Utrecht"), LVVFactory(name="Groningen")
    ind_org = OrganisationFactory(name="IND", kind=Organisation.Kind.IND)
    ines = UserFactory(username="ines", role=Role.IND, organisation=ind_org, lvvs=[utrecht])
    dirk = UserFactory(username="dirk", role=Role.DTV, organisation=ind_org, lvvs=[utrecht])
    coordinator = UserFactory(username="coco", lvvs=[utrecht])
    consenting = StayFactory(lvv=utrecht)
    silent = StayFactory(lvv=utrecht)
    elsewhere = StayFactory(lvv=groningen)
    for stay in (consenting, elsewhere):
        consent.consent_give(
            person=stay.person,
            party="ind",
            categories=["identity", "stay", "ind"],
            method="separate_form",
            by=coordinator,
        )
    return locals()


def test_ind_sees_only_consented_persons_in_own_lvv(world):
    assert set(persons_visible_to(world["ines"])) == {world["consenting"].person}
    with pytest.raises(PersonNotFound):
        access_person(world["ines"], world["silent"].person_id)
    with pytest.raises(PersonNotFound):
        access_person(world["ines"], world["elsewhere"].person_id)


def test_ind_sees_only_consented_categories(world):
    cats = visible_categories(world["ines"], world["consenting"].person)
    assert cats == {"identity", "stay", "ind"}
    assert "legal" not in cats and "medical" not in cats
    with pytest.raises(PersonNotFound):
        access_person(world["ines"], world["consenting"].person_id, categories=["legal"])


def test_consent_for_ind_does_not_open_the_door_for_dtv(world):
    assert not persons_visible_to(world["dirk"]).exists()


def test_withdrawal_takes_effect_at_once_and_history_is_kept(world):
    person = world["consenting"].person
    access_person(world["ines"], person.pk)
    consent.consent_withdraw(person=person, party="ind", by=world["coordinator"])
    with pytest.raises(PersonNotFound):
        access_person(world["ines"], person.pk)
    assert visible_categories(world["ines"], person) == set()
    history = list(
        ConsentEvent.objects.filter(person=person).values_list(
            "category", "action", "recorded_by__username"
        )
    )
    assert len(history) == 6
    assert {h[1] for h in history} == {"given", "withdrawn"}
    assert {h[2] for h in history} == {"coco"}


def test_partial_withdrawal_narrows_categories(world):
    person = world["consenting"].person
    consent.consent_withdraw(
        person=person, party="ind", categories=["ind"], by=world["coordinator"]
    )
    assert visible_categories(world["ines"], person) == {"identity", "stay"}


def test_consent_for_a_category_the_party_cannot_receive_is_refused(world):
    with pytest.raises(consent.ConsentError, match="medical"):
        consent.consent_give(
            person=world["silent"].person,
            party="avim",
            categories=["medical"],
            method="verbal",
            by=world["coordinator"],
        )


def test_coordinator_never_sees_medical(world):
    assert "medical" not in visible_categories(world["coordinator"], world["silent"].person)
