"""factory_boy factories for the register. Persons and stays are created through the services, so
every factory-made stay has the events its state is derived from."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db.models import Model

from lvv.accounts.models import Organisation, Role, User
from lvv.registry import services
from lvv.registry.models import LVV, CapacityRecord, Location, Person, Policy, Stay
from lvv.registry.taxonomy import Gender, OutflowType, Scenario, TargetGroup

M = TypeVar("M", bound=Model)


class ModelFactory(factory.django.DjangoModelFactory[M]):
    """A DjangoModelFactory whose call (`UserFactory(...)`) is typed as returning its model.

    At runtime factory_boy's metaclass `__call__` returns `create(...)`, a model instance; mypy
    does not follow a metaclass `__call__` and types the call as an instance of the factory class.
    This declaration, seen only by the type checker, says what the call really returns."""

    if TYPE_CHECKING:
        # factory_boy's typing is wrong here (the call returns the model, not the factory); mypy
        # refuses a __new__ that returns another class, so this one line is ignored.
        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]


class OrganisationFactory(ModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = Organisation.Kind.NGO


class LVVFactory(ModelFactory[LVV]):
    class Meta:
        model = LVV
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testgemeente{n}")
    start_date = dt.date(2019, 1, 1)
    policy = factory.RelatedFactory(
        "lvv.registry.tests.factories.PolicyFactory", factory_related_name="lvv"
    )


class PolicyFactory(ModelFactory[Policy]):
    class Meta:
        model = Policy
        django_get_or_create = ("lvv",)

    lvv = factory.SubFactory(LVVFactory, policy=None)


class LocationFactory(ModelFactory[Location]):
    class Meta:
        model = Location

    lvv = factory.SubFactory(LVVFactory)
    name = factory.Sequence(lambda n: f"Locatie {n}")
    shelter_type = Location.ShelterType.FULL_DAY
    places = 50


class CapacityFactory(ModelFactory[CapacityRecord]):
    class Meta:
        model = CapacityRecord

    lvv = factory.SubFactory(LVVFactory)
    valid_from = dt.date(2019, 1, 1)
    places = 100


class UserFactory(ModelFactory[User]):
    """A user; pass `lvvs=[...]` to place them in LVVs."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    role = Role.COORDINATOR
    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.MUNICIPALITY)
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def lvvs(self, create, extracted, **kwargs):
        if create and extracted:
            self.lvvs.set(extracted)

    class Params:
        case_worker = factory.Trait(
            role=Role.CASE_WORKER,
            organisation=factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.NGO),
        )
        administrator = factory.Trait(
            role=Role.ADMINISTRATOR,
            organisation=factory.SubFactory(
                OrganisationFactory, kind=Organisation.Kind.ADMINISTRATION
            ),
        )


class PersonFactory(ModelFactory[Person]):
    class Meta:
        model = Person

    given_names = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_year = 1985
    gender = Gender.MALE
    country = "ERI"
    v_number = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.person_create(by=None, source="test", **kwargs)


class StayFactory(ModelFactory[Stay]):
    """An admitted stay (through the services). Traits: `registered_only`, `left`."""

    class Meta:
        model = Stay

    person = factory.SubFactory(PersonFactory)
    lvv = factory.SubFactory(LVVFactory)
    organisation = None
    registration_date = dt.date(2020, 1, 1)
    admission_date = dt.date(2020, 1, 6)
    target_group = TargetGroup.CONVENANT
    correspondence_number = ""
    scenario = None
    scenario_date = None
    discussed_in_lso = True
    outflow_type = None
    outflow_date = None

    class Params:
        registered_only = factory.Trait(admission_date=None)
        left = factory.Trait(outflow_type=OutflowType.RETURN, outflow_date=dt.date(2020, 6, 1))

    @classmethod
    def _create(cls, model_class, *args, **kw):
        stay = services.stay_register(
            person=kw["person"],
            lvv=kw["lvv"],
            registration_date=kw["registration_date"],
            by=None,
            source="test",
            target_group=kw["target_group"],
            organisation=kw["organisation"],
            correspondence_number=kw["correspondence_number"],
        )
        if kw["admission_date"]:
            services.stay_admit(stay=stay, on=kw["admission_date"], by=None, source="test")
        if kw["scenario"]:
            services.stay_set_scenario(
                stay=stay,
                scenario=kw["scenario"],
                on=kw["scenario_date"] or kw["admission_date"],
                discussed_in_lso=kw["discussed_in_lso"],
                by=None,
                source="test",
            )
        if kw["outflow_type"]:
            services.stay_register_outflow(
                stay=stay, kind=kw["outflow_type"], on=kw["outflow_date"], by=None, source="test"
            )
        stay.refresh_from_db()
        return stay


__all__ = [
    "CapacityFactory",
    "LVVFactory",
    "LocationFactory",
    "OrganisationFactory",
    "PersonFactory",
    "PolicyFactory",
    "Scenario",
    "StayFactory",
    "UserFactory",
]
