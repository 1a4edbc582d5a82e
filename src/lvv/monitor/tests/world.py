"""A small register whose monitor figures were computed by hand (docs/monitor.md walks through
them). Peildatum 2020-03-01.

Alfa (capacity 100 from 2019-01-01, 120 from 2020-03-01 = the peildatum):
  A1  male   1985 ERI  IND 2010-03-01  admitted 2019-02-01  onward migration (LSO)      in
  A2  female 1990 IRN                  admitted 2019-03-01  medical stabilisation (LSO) in
  A3  male   2003 ?                    admitted 2019-04-01  legalisation, NOT in LSO    in
  A4  ?      ?    XXA                  admitted 2019-05-01  out 2019-10-01 immigration detention,
                                                           forced departure ON the peildatum
  A5  male   1960 MAR                  admitted 2019-05-01  out 2020-01-15 onward migration
  A6  male   1953 IRN                  admitted ON the peildatum, scenario return       in
  A7  male   1980 ERI                  admitted 2020-03-02 (after the peildatum)
  A8  female 1985 ERI                  admitted 2019-06-01  out 2020-03-02 (after): still in
  A9  safe-country group, male 1990 MAR admitted 2019-07-01                           in
  A10 male   1975 DZA                  admitted 2019-06-01  out 2019-11-01 detention,
                                                           forced departure 2020-04-01 (after)
  A11 female 1995 DZA  IND 2015-12-01  admitted 2019-06-01  out 2019-12-01 detention,
                                                           forced departure without date
Beta (capacity 50 from 2019-06-01; 60 from 2020-04-01, after the peildatum):
  B1  male   1985 IRN  IND 2019-01-01  admitted 2019-07-01  out 2019-12-01 HASA
  B2  female 1985 AFG                  admitted 2019-08-01  medical stabilisation, NOT in LSO, in
  B3  family group, female 2010 AFG    admitted 2019-09-01                                in
Gamma (capacity 10 from 2019-01-01) has no participants.

The waiting list on the peildatum (ADR 102): a stay with a waiting-list event valid by the
peildatum that by then was not admitted, refused or ended:
  W1  Alfa  waitlisted 2020-01-15, admitted 2020-03-10 (after the peildatum)      on the list
  W2  Alfa  waitlisted ON the peildatum                                           on the list
  W3  Alfa  waitlisted 2020-02-01, refused 2020-02-15                             not on it
  W4  Alfa  waitlisted 2020-03-05 (after the peildatum)                           not on it
  W5  Beta  waitlisted 2020-02-01, refused 2020-03-02 (after the peildatum)       on the list
  W6  Beta  safe-country group, waitlisted 2020-02-01                             reported apart
  W7  Beta  waitlisted 2020-01-10, admitted 2020-02-01 but that admission voided   on the list
Occupancy as % of capacity: Alfa 5 / 120 = 4.17 -> 4.2; Beta 1 / 50 = 2.0; Gamma 0 / 10 = 0.0;
national 6 / 180 = 3.33 -> 3.3. Waiting list: Alfa 2, Beta 2, national 4.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from lvv.registry import services
from lvv.registry.models import LVV, Stay
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario, TargetGroup
from lvv.registry.tests.factories import CapacityFactory, LVVFactory, PersonFactory, StayFactory

PEILDATUM = dt.date(2020, 3, 1)


class World(TypedDict):
    """The three LVVs and the stays of the world, stays keyed by their name in the docstring."""

    alfa: LVV
    beta: LVV
    gamma: LVV
    stays: dict[str, Stay]


D = dt.date


def _stay(lvv, *, admitted, person=None, follow_up=None, follow_up_on=None, **kw):
    person = person or PersonFactory()
    stay = StayFactory(
        person=person, lvv=lvv, registration_date=admitted, admission_date=admitted, **kw
    )
    if follow_up:
        services.stay_register_follow_up(
            stay=stay, follow_up=follow_up, on=follow_up_on, by=None, source="test"
        )
        stay.refresh_from_db()
    return stay


def _waiting(lvv, on, *, admitted=None, refused=None, **kw):
    """A stay registered on 2020-01-01, put on the waiting list `on`, then admitted or refused."""
    stay = StayFactory(lvv=lvv, registration_date=D(2020, 1, 1), admission_date=None, **kw)
    services.stay_waitlist(stay=stay, on=on, by=None, source="test")
    stay.refresh_from_db()
    if admitted:
        services.stay_admit(stay=stay, on=admitted, by=None, source="test")
    if refused:
        services.stay_refuse(stay=stay, on=refused, reason="vol", by=None, source="test")
    stay.refresh_from_db()
    return stay


def build_world() -> World:
    alfa: LVV = LVVFactory.create(name="Alfa", start_date=D(2019, 1, 1))
    beta = LVVFactory(name="Beta", start_date=D(2019, 6, 1))
    gamma = LVVFactory(name="Gamma", start_date=D(2019, 1, 1))
    alfa.policy.durable_outflow_target_pct = 40
    alfa.policy.save()
    CapacityFactory(lvv=alfa, valid_from=D(2019, 1, 1), places=100)
    CapacityFactory(lvv=alfa, valid_from=D(2020, 3, 1), places=120)
    CapacityFactory(lvv=beta, valid_from=D(2019, 6, 1), places=50)
    CapacityFactory(lvv=beta, valid_from=D(2020, 4, 1), places=60)
    CapacityFactory(lvv=gamma, valid_from=D(2019, 1, 1), places=10)

    def person(gender="male", year=None, country="", ind=None):
        return PersonFactory(
            gender=gender, birth_year=year, country=country, first_ind_application_date=ind
        )

    s: dict[str, Stay] = {}
    s["A1"] = _stay(alfa, admitted=D(2019, 2, 1), person=person("male", 1985, "ERI", D(2010, 3, 1)),
                    scenario=Scenario.ONWARD_MIGRATION, scenario_date=D(2019, 2, 10))  # fmt: skip
    s["A2"] = _stay(alfa, admitted=D(2019, 3, 1), person=person("female", 1990, "IRN"),
                    scenario=Scenario.MEDICAL_STABILISATION, scenario_date=D(2019, 3, 5))  # fmt: skip
    s["A3"] = _stay(alfa, admitted=D(2019, 4, 1), person=person("male", 2003, ""),
                    scenario=Scenario.LEGALISATION, discussed_in_lso=False)  # fmt: skip
    s["A4"] = _stay(alfa, admitted=D(2019, 5, 1), person=person("unknown", None, "XXA"),
                    outflow_type=OutflowType.IMMIGRATION_DETENTION, outflow_date=D(2019, 10, 1),
                    follow_up=FollowUp.FORCED_DEPARTURE, follow_up_on=PEILDATUM)  # fmt: skip
    s["A5"] = _stay(alfa, admitted=D(2019, 5, 1), person=person("male", 1960, "MAR"),
                    outflow_type=OutflowType.ONWARD_MIGRATION, outflow_date=D(2020, 1, 15))  # fmt: skip
    s["A6"] = _stay(alfa, admitted=PEILDATUM, person=person("male", 1953, "IRN"),
                    scenario=Scenario.RETURN)  # fmt: skip
    s["A7"] = _stay(alfa, admitted=D(2020, 3, 2), person=person("male", 1980, "ERI"))
    s["A8"] = _stay(alfa, admitted=D(2019, 6, 1), person=person("female", 1985, "ERI"),
                    outflow_type=OutflowType.RETURN, outflow_date=D(2020, 3, 2))  # fmt: skip
    s["A9"] = _stay(alfa, admitted=D(2019, 7, 1), person=person("male", 1990, "MAR"),
                    target_group=TargetGroup.SAFE_COUNTRY)  # fmt: skip
    s["A10"] = _stay(alfa, admitted=D(2019, 6, 1), person=person("male", 1975, "DZA"),
                     outflow_type=OutflowType.IMMIGRATION_DETENTION, outflow_date=D(2019, 11, 1),
                     follow_up=FollowUp.FORCED_DEPARTURE, follow_up_on=D(2020, 4, 1))  # fmt: skip
    s["A11"] = _stay(alfa, admitted=D(2019, 6, 1), person=person("female", 1995, "DZA", D(2015, 12, 1)),
                     outflow_type=OutflowType.IMMIGRATION_DETENTION, outflow_date=D(2019, 12, 1),
                     follow_up=FollowUp.FORCED_DEPARTURE, follow_up_on=None)  # fmt: skip
    s["B1"] = _stay(beta, admitted=D(2019, 7, 1), person=person("male", 1985, "IRN", D(2019, 1, 1)),
                    outflow_type=OutflowType.REPEAT_ASYLUM_APPLICATION, outflow_date=D(2019, 12, 1))  # fmt: skip
    s["B2"] = _stay(beta, admitted=D(2019, 8, 1), person=person("female", 1985, "AFG"),
                    scenario=Scenario.MEDICAL_STABILISATION, discussed_in_lso=False)  # fmt: skip
    s["B3"] = _stay(beta, admitted=D(2019, 9, 1), person=person("female", 2010, "AFG"),
                    target_group=TargetGroup.FAMILY)  # fmt: skip
    s["W1"] = _waiting(alfa, D(2020, 1, 15), admitted=D(2020, 3, 10))
    s["W2"] = _waiting(alfa, PEILDATUM)
    s["W3"] = _waiting(alfa, D(2020, 2, 1), refused=D(2020, 2, 15))
    s["W4"] = _waiting(alfa, D(2020, 3, 5))
    s["W5"] = _waiting(beta, D(2020, 2, 1), refused=D(2020, 3, 2))
    s["W6"] = _waiting(beta, D(2020, 2, 1), target_group=TargetGroup.SAFE_COUNTRY)
    s["W7"] = _waiting(beta, D(2020, 1, 10), admitted=D(2020, 2, 1))
    admission = s["W7"].events.get(kind="stay_admitted")
    services.event_void(event=admission, by=None, reason="test")
    return {"alfa": alfa, "beta": beta, "gamma": gamma, "stays": s}


def zeros(keys):
    return dict.fromkeys(keys, 0)


SCENARIOS = ("legalisation", "return", "onward_migration", "not_yet_determined",
             "medical_stabilisation", "not_discussed_in_lso")  # fmt: skip
TYPES = ("legalisation", "return", "onward_migration", "repeat_asylum_application",
         "article_64", "unknown_destination", "terminated", "other")  # fmt: skip
REGIONS = ("sub_saharan_africa", "middle_east", "asia", "north_africa", "latin_america",
           "europe_non_eu", "eu", "other", "stateless", "unknown")  # fmt: skip
BANDS = ("0-17", "18-25", "26-35", "36-45", "46-55", "56-65", "66+", "unknown")


def record(name, *, capacity, occupancy, intake, scenario, outflow, types, classes, gender,
           bands, mean_age, region, top, years, occupancy_pct, waiting):  # fmt: skip
    return {
        "lvv": name,
        "capacity": capacity,
        "occupancy": occupancy,
        "intake_total": intake,
        "current_by_scenario": {**zeros(SCENARIOS), **scenario},
        "outflow_total": outflow,
        "outflow_by_type": {**zeros(TYPES), **types},
        "outflow_by_class": {"durable": 0, "semi_durable": 0, "non_durable": 0, **classes},
        "background": {
            "gender": {"male": 0, "female": 0, "unknown": 0, **gender},
            "age_bands": {**zeros(BANDS), **bands},
            "mean_age": mean_age,
            "region": {**zeros(REGIONS), **region},
            "top_countries": [{"country": c, "count": n} for c, n in top],
            "mean_years_first_application_to_admission": years,
        },
        "occupancy_pct": occupancy_pct,
        "waiting_list": waiting,
    }


ALFA_BG = dict(
    gender={"male": 5, "female": 3, "unknown": 1},
    # ages on 2020: 35, 30, 17, ?, 60, 67, 35, 45, 25
    bands={"0-17": 1, "18-25": 1, "26-35": 3, "36-45": 1, "56-65": 1, "66+": 1, "unknown": 1},
    mean_age=39.3,  # 314 / 8 = 39.25: half away from zero (Python's round() would give 39.2)
    region={
        "sub_saharan_africa": 2,
        "middle_east": 2,
        "north_africa": 3,
        "stateless": 1,
        "unknown": 1,
    },
    top=[("DZA", 2), ("ERI", 2), ("IRN", 2), ("MAR", 1)],  # ties by ISO code
    years=6.2,  # (3259 + 1278) days / 2 / 365.25 = 6.21
)
BETA_BG = dict(
    gender={"male": 1, "female": 1},
    bands={"26-35": 2},
    mean_age=35.0,
    region={"middle_east": 1, "asia": 1},
    top=[("AFG", 1), ("IRN", 1)],
    years=0.5,  # 181 / 365.25 = 0.4956
)
GAMMA = dict(
    capacity=10, occupancy=0, intake=0, scenario={}, outflow=0, types={}, classes={},
    gender={}, bands={}, mean_age=None, region={}, top=[], years=None,
    occupancy_pct=0.0, waiting=0,
)  # fmt: skip


def expected(scheme: str) -> dict:
    if scheme == "evaluation":
        alfa_flow = dict(
            scenario={
                "legalisation": 1,
                "return": 1,
                "onward_migration": 1,
                "not_yet_determined": 1,
                "medical_stabilisation": 1,
            },
            types={"onward_migration": 1, "other": 3},
            classes={"durable": 1, "non_durable": 3},
        )
        beta_flow = dict(scenario={"medical_stabilisation": 1})
        national_flow = dict(
            scenario={
                "legalisation": 1,
                "return": 1,
                "onward_migration": 1,
                "not_yet_determined": 1,
                "medical_stabilisation": 2,
            },
            types={"onward_migration": 1, "other": 3, "repeat_asylum_application": 1},
            classes={"durable": 1, "semi_durable": 1, "non_durable": 3},
        )
    else:
        alfa_flow = dict(
            # A1 onward -> return; A2 medical -> not yet determined; A3 not discussed.
            scenario={"return": 2, "not_yet_determined": 2, "not_discussed_in_lso": 1},
            # A5 onward -> return; A4 and A11 detention + forced departure by the peildatum.
            types={"return": 3, "other": 1},
            classes={"durable": 3, "non_durable": 1},
        )
        beta_flow = dict(scenario={"not_discussed_in_lso": 1})
        national_flow = dict(
            scenario={"return": 2, "not_yet_determined": 2, "not_discussed_in_lso": 2},
            types={"return": 3, "other": 1, "repeat_asylum_application": 1},
            classes={"durable": 3, "semi_durable": 1, "non_durable": 1},
        )
    alfa = record("Alfa", capacity=120, occupancy=5, intake=9, outflow=4,
                  occupancy_pct=4.2, waiting=2,
                  **{"types": {}, "classes": {}, **alfa_flow}, **ALFA_BG)  # fmt: skip
    beta = record("Beta", capacity=50, occupancy=1, intake=2, outflow=1,
                  occupancy_pct=2.0, waiting=2,
                  types={"repeat_asylum_application": 1}, classes={"semi_durable": 1},
                  **beta_flow, **BETA_BG)  # fmt: skip
    gamma = record("Gamma", **GAMMA)
    national = record(
        "national", capacity=180, occupancy=6, intake=11, outflow=5,
        occupancy_pct=3.3, waiting=4,
        **national_flow,
        gender={"male": 6, "female": 4, "unknown": 1},
        bands={"0-17": 1, "18-25": 1, "26-35": 5, "36-45": 1, "56-65": 1, "66+": 1, "unknown": 1},
        mean_age=38.4,  # (314 + 70) / 10
        region={"sub_saharan_africa": 2, "middle_east": 3, "asia": 1, "north_africa": 3,
                "stateless": 1, "unknown": 1},
        top=[("IRN", 3), ("DZA", 2), ("ERI", 2), ("AFG", 1), ("MAR", 1)],
        years=4.3,  # (3259 + 1278 + 181) / 3 / 365.25 = 4.31
    )  # fmt: skip
    return {"peildatum": "2020-03-01", "scheme": scheme, "lvvs": [alfa, beta, gamma],
            "national": national}  # fmt: skip
