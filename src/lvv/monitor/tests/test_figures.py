import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from lvv.monitor import figures
from lvv.monitor.tests.world import PEILDATUM, build_world, expected
from lvv.registry import services
from lvv.registry.history import stay_state
from lvv.registry.models import LVV, CapacityRecord, Stay
from lvv.registry.taxonomy import OutflowType


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("scheme", ["evaluation", "programme"])
def test_every_figure_matches_the_hand_computation(world, scheme):
    assert figures.monitor_compute(peildatum=PEILDATUM, scheme=scheme) == expected(scheme)


def test_default_scheme_is_evaluation(world):
    assert figures.monitor_compute(peildatum=PEILDATUM)["scheme"] == "evaluation"


def test_contract_shape_rules(world):
    doc = figures.monitor_compute(peildatum=PEILDATUM, scheme="programme")
    assert [r["lvv"] for r in doc["lvvs"]] == sorted(r["lvv"] for r in doc["lvvs"])
    assert set(doc["national"]) == set(doc["lvvs"][0])
    for record in [*doc["lvvs"], doc["national"]]:
        assert record["current_by_scenario"]["onward_migration"] == 0
        assert record["current_by_scenario"]["medical_stabilisation"] == 0
        assert record["outflow_by_type"]["onward_migration"] == 0
    evaluation = figures.monitor_compute(peildatum=PEILDATUM)
    assert all(
        r["current_by_scenario"]["not_discussed_in_lso"] == 0
        for r in [*evaluation["lvvs"], evaluation["national"]]
    )


def test_the_day_before_the_peildatum(world):
    """The capacity change, A6's admission and A4's forced departure dated on the peildatum are
    not there yet one day earlier."""
    doc = figures.monitor_compute(peildatum=PEILDATUM - dt.timedelta(days=1), scheme="programme")
    alfa = doc["lvvs"][0]
    assert alfa["capacity"] == 100
    assert alfa["intake_total"] == 8
    assert alfa["outflow_by_type"]["return"] == 2  # A5 (onward) and A11 (undated follow-up)
    assert alfa["outflow_by_type"]["other"] == 2  # A4 and A10 still in detention


def test_events_after_the_peildatum_count_later(world):
    doc = figures.monitor_compute(peildatum=dt.date(2020, 4, 1), scheme="programme")
    alfa, beta = doc["lvvs"][0], doc["lvvs"][1]
    assert alfa["intake_total"] == 11  # A7, W1
    assert alfa["outflow_total"] == 5  # A8
    assert alfa["outflow_by_type"]["return"] == 5  # A8 and A10's forced departure
    assert beta["capacity"] == 60
    assert alfa["waiting_list"] == 2  # W2, W4 (W1 admitted)
    assert beta["waiting_list"] == 1  # W7 (W5 refused)
    assert doc["national"]["waiting_list"] == 3
    assert alfa["occupancy_pct"] == 5.0  # 6 / 120 (A6, A1-A3, A7, W1)


def test_bad_input(world):
    with pytest.raises(figures.MonitorInputError, match="before the first LVV"):
        figures.monitor_compute(peildatum=dt.date(2018, 12, 31))
    with pytest.raises(figures.MonitorInputError, match="unknown scheme"):
        figures.monitor_compute(peildatum=PEILDATUM, scheme="national")


def test_lvv_filter(world):
    doc = figures.monitor_compute(peildatum=PEILDATUM, lvv_names=["Beta"])
    assert [r["lvv"] for r in doc["lvvs"]] == ["Beta"]
    assert doc["national"] == {**expected("evaluation")["lvvs"][1], "lvv": "national"}


def test_known_at_hides_later_registrations(world):
    cutoff = timezone.now()
    a5 = world["stays"]["A5"]
    outflow = a5.events.get(kind="outflow_registered")
    services.event_void(event=outflow, by=None, reason="verkeerd type")
    a5.refresh_from_db()
    services.stay_register_outflow(
        stay=a5, kind=OutflowType.TERMINATED, on=dt.date(2020, 1, 15), by=None
    )
    live = figures.monitor_compute(peildatum=PEILDATUM)
    assert live["lvvs"][0]["outflow_by_type"]["terminated"] == 1
    assert figures.monitor_compute(peildatum=PEILDATUM, known_at=cutoff) == expected("evaluation")


def test_capacity_correction_recorded_later(world):
    from lvv.registry.tests.factories import CapacityFactory

    cutoff = timezone.now()
    CapacityFactory(lvv=world["alfa"], valid_from=dt.date(2020, 3, 1), places=125)
    assert figures.monitor_compute(peildatum=PEILDATUM)["lvvs"][0]["capacity"] == 125
    before = figures.monitor_compute(peildatum=PEILDATUM, known_at=cutoff)
    assert before["lvvs"][0]["capacity"] == 120


@pytest.mark.parametrize("known_at", [None, "now"], ids=["projection", "fold"])
def test_fold_agrees_with_the_register(world, known_at):
    """Both paths (the stored projection, ADR 76; the fold of `--as-registered-on`) hold exactly
    the stays admitted on the peildatum or on its waiting list (ADR 102), as lvv.registry.history
    folds each stay's own events."""
    facts = figures.collect(
        peildatum=PEILDATUM, known_at=timezone.now() if known_at == "now" else None
    )
    by_id = {s.stay_id: s for s in facts.stays}
    admitted = {
        stay.pk
        for stay in Stay.objects.all()
        if stay_state(stay.events.all(), on=PEILDATUM).admission_date is not None
    }
    waiting = {
        stay.pk
        for stay in Stay.objects.all()
        if stay_state(stay.events.all(), on=PEILDATUM).status == "waiting"
    }
    assert set(by_id) == admitted | waiting
    # A7 is admitted after the peildatum; W3 was refused, W4 waitlisted after it.
    assert len(admitted | waiting) == Stay.objects.count() - 3
    assert {pk for pk, s in by_id.items() if s.waiting} == waiting
    assert len(waiting) == 5  # W1, W2, W5, W6 (another target group), W7
    for stay in Stay.objects.filter(pk__in=admitted | waiting):
        state = stay_state(stay.events.all(), on=PEILDATUM)
        got = by_id[stay.pk]
        assert (got.admission_date, got.outflow_date, got.outflow_type, got.scenario) == (
            state.admission_date,
            state.outflow_date,
            state.outflow_type,
            state.scenario,
        )
        assert (got.follow_up, got.discussed_in_lso, got.target_group) == (
            state.follow_up,
            state.scenario_discussed_in_lso,
            state.target_group,
        )


def test_query_count_does_not_grow_with_stays(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        figures.monitor_compute(peildatum=PEILDATUM)


def test_queries_of_the_projection_path(world, django_assert_num_queries):
    """Without a cut-off (ADR 90): the first LVV's start, the LVVs, the admitted stays joined
    with their persons, the capacity; stays with an event after the peildatum add two (those
    stays with their persons, their events)."""
    with django_assert_num_queries(4):
        figures.monitor_compute(peildatum=dt.date(2030, 1, 1))
    with django_assert_num_queries(6):
        figures.monitor_compute(peildatum=PEILDATUM)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(3925, 100), 39.3),
        (Fraction(3935, 100), 39.4),
        (Fraction(-25, 100), -0.3),
        (Fraction(24999, 1000), 25.0),
        (Fraction(1, 20), 0.1),
        (Fraction(0), 0.0),
        (None, None),
    ],
)
def test_round_half_away_from_zero(value, rounded):
    assert figures.round_half_away(value) == rounded


def test_age_bands():
    assert [figures.age_band(a) for a in (None, 0, 17, 18, 25, 26, 55, 56, 65, 66, 90)] == [
        "unknown", "0-17", "0-17", "18-25", "18-25", "26-35", "46-55", "56-65", "56-65", "66+",
        "66+",
    ]  # fmt: skip


def test_cached_facts_are_refreshed_by_a_new_event(world, django_assert_max_num_queries):
    from django.core.cache import cache

    cache.clear()
    first = figures.collect_cached(peildatum=PEILDATUM)
    with django_assert_max_num_queries(3):  # only the three freshness marks
        again = figures.collect_cached(peildatum=PEILDATUM)
    assert len(again.stays) == len(first.stays)
    services.stay_register_outflow(
        stay=world["stays"]["A1"], kind=OutflowType.RETURN, on=PEILDATUM, by=None
    )
    fresh = figures.collect_cached(peildatum=PEILDATUM)
    a1 = next(s for s in fresh.stays if s.stay_id == world["stays"]["A1"].pk)
    assert a1.outflow_type == OutflowType.RETURN


def test_earliest_date_falls_back_from_start_dates_to_capacity_to_admissions(world):
    # The world's LVVs start 2019-01-01 and 2019-06-01; capacity from 2019-01-01; the first
    # admission 2019-02-01 (A1).
    assert figures.earliest_date() == dt.date(2019, 1, 1)
    LVV.objects.update(start_date=None)
    assert figures.earliest_date() == dt.date(2019, 1, 1)  # the first capacity row
    CapacityRecord.objects.all().delete()
    # The first admission, read from the stay projection (ADR 0109).
    assert figures.earliest_date() == dt.date(2019, 2, 1)


@pytest.mark.django_db
def test_earliest_date_of_an_empty_register():
    assert figures.earliest_date() is None
