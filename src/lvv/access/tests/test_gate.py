"""The one door: allowed and denied with the same setup, and every look on record."""

import uuid

import pytest

from lvv.access.gate import PersonNotFound, access_person, access_stay, persons_visible_to
from lvv.access.models import AccessRecord
from lvv.access.pseudonyms import person_pseudonym
from lvv.registry.tests.factories import LVVFactory, StayFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    amsterdam, utrecht = LVVFactory(name="Amsterdam"), LVVFactory(name="Utrecht")
    alice = UserFactory(username="alice", lvvs=[amsterdam])  # coordinator in Amsterdam
    bob = UserFactory(username="bob", case_worker=True, lvvs=[amsterdam])  # case worker of one NGO
    mine = StayFactory(lvv=amsterdam, organisation=bob.organisation)
    other_ngo = StayFactory(lvv=amsterdam)
    elsewhere = StayFactory(lvv=utrecht)
    return locals()


def test_coordinator_sees_own_lvv_only(world):
    visible = set(persons_visible_to(world["alice"]))
    assert visible == {world["mine"].person, world["other_ngo"].person}


def test_case_worker_sees_own_ngo_only(world):
    assert set(persons_visible_to(world["bob"])) == {world["mine"].person}


def test_access_is_logged_allowed_and_refused(world):
    alice = world["alice"]
    access_person(alice, world["mine"].person_id)
    with pytest.raises(PersonNotFound):
        access_person(alice, world["elsewhere"].person_id)
    lines = list(
        AccessRecord.objects.select_related("audit")
        .order_by("id")
        .values_list("person_pseudonym", "outcome", "audit__username")
    )
    assert lines == [
        (person_pseudonym(world["mine"].person_id), "allowed", "alice"),
        (person_pseudonym(world["elsewhere"].person_id), "refused", "alice"),
    ]
    assert AccessRecord.objects.for_person(world["mine"].person_id).count() == 1


def test_missing_and_forbidden_look_the_same(world):
    with pytest.raises(PersonNotFound) as missing:
        access_person(world["bob"], uuid.uuid4())
    with pytest.raises(PersonNotFound) as forbidden:
        access_person(world["bob"], world["other_ngo"].person_id)
    assert str(missing.value) == str(forbidden.value)
    with pytest.raises(PersonNotFound):
        access_person(world["bob"], "not-a-uuid")


def test_administrator_sees_no_case_data(world):
    admin = UserFactory(administrator=True, lvvs=[world["amsterdam"]])
    assert not persons_visible_to(admin).exists()
    with pytest.raises(PersonNotFound):
        access_stay(admin, world["mine"].pk)


def test_asking_for_categories_logs_them_or_refuses_both_for_persons_and_stays(world):
    alice, mine = world["alice"], world["mine"]
    access_person(alice, mine.person_id, categories=["identity"])
    access_stay(alice, mine.pk, categories=["stay"])
    with pytest.raises(PersonNotFound):
        access_person(alice, mine.person_id, categories=["identity", "medical"])
    with pytest.raises(PersonNotFound):
        access_stay(alice, mine.pk, categories=["medical"])
    lines = list(AccessRecord.objects.order_by("id").values_list("outcome", "categories"))
    assert lines == [
        ("allowed", ["identity"]),
        ("allowed", ["stay"]),
        ("refused", ["identity", "medical"]),
        ("refused", ["medical"]),
    ]
