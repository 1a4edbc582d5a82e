"""The monitor's bulk path agrees with the register's fold on random histories (hypothesis):
waiting lists, refusals, admissions (also after a waiting list, before or after the peildatum),
scenario changes, outflows, follow-ups with and without date, voids and corrections,
recorded at random moments, looked at on random peildata and registration cut-offs. Without a
cut-off the monitor reads the stored projection where it may (ADR 76): its documents equal the
full fold's, figure by figure."""

import contextlib
import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lvv.monitor import figures
from lvv.registry import services
from lvv.registry.history import effective_events, stay_state
from lvv.registry.models import Person
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario, TargetGroup
from lvv.registry.tests.factories import LVVFactory, PersonFactory

START = dt.date(2020, 1, 1)
T0 = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
days = st.integers(0, 120).map(lambda n: START + dt.timedelta(days=n))
# Some moments fall on whole seconds (stored without microseconds on SQLite).
moments = st.one_of(
    st.integers(0, 10**6).map(lambda s: T0 + dt.timedelta(seconds=s)),
    st.integers(0, 10**12).map(lambda us: T0 + dt.timedelta(microseconds=us)),
)
operation = st.one_of(
    st.tuples(st.just("waitlist"), days),
    st.tuples(st.just("refuse"), days),
    st.tuples(st.just("admit"), days),
    st.tuples(st.just("scenario"), days, st.sampled_from(Scenario.values), st.booleans()),
    st.tuples(st.just("outflow"), days, st.sampled_from(OutflowType.values)),
    st.tuples(st.just("follow_up"), st.one_of(st.none(), days)),
    st.tuples(st.just("void"), st.integers(0, 20)),
    st.tuples(st.just("target"), st.sampled_from(TargetGroup.values)),
)


def apply(stay, op, at):
    kind = op[0]
    kw = {"by": None, "recorded_at": at}
    stay.refresh_from_db()
    if kind == "waitlist":
        services.stay_waitlist(stay=stay, on=op[1], **kw)
    elif kind == "refuse":
        services.stay_refuse(stay=stay, on=op[1], reason="vol", **kw)
    elif kind == "admit":
        services.stay_admit(stay=stay, on=op[1], **kw)
    elif kind == "scenario":
        services.stay_set_scenario(
            stay=stay, on=op[1], scenario=op[2], discussed_in_lso=op[3], **kw
        )
    elif kind == "outflow":
        services.stay_register_outflow(stay=stay, on=op[1], kind=op[2], **kw)
    elif kind == "follow_up":
        allowed = {
            OutflowType.IMMIGRATION_DETENTION: FollowUp.FORCED_DEPARTURE,
            OutflowType.REPEAT_ASYLUM_APPLICATION: FollowUp.REFUSED,
        }
        services.stay_register_follow_up(
            stay=stay, on=op[1], follow_up=allowed.get(stay.outflow_type, FollowUp.REFUSED), **kw
        )
    elif kind == "void":
        voidable = list(
            stay.events.exclude(kind__in=["event_voided", "stay_registered"]).order_by("id")
        )
        if voidable:
            services.event_void(
                event=voidable[op[1] % len(voidable)], by=None, reason="test", recorded_at=at
            )
    elif kind == "target":
        services.stay_correct_details(stay=stay, changes={"target_group": op[1]}, **kw)


@pytest.mark.django_db
@override_settings(MONITOR_DATABASE_ALIAS="default")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=st.lists(st.tuples(operation, moments), min_size=1, max_size=10),
    peildatum=days,
    cutoff=st.one_of(st.none(), moments),
)
def test_bulk_path_agrees_with_the_register_fold(ops, peildatum, cutoff):
    lvv = LVVFactory(name="Prop", start_date=dt.date(2019, 1, 1))
    stay = services.stay_register(
        person=PersonFactory(), lvv=lvv, registration_date=START, by=None, recorded_at=T0
    )
    for op, at in sorted(ops, key=lambda x: x[1]):
        # An impossible step is refused by the register; the history goes on.
        with contextlib.suppress(ValidationError):
            apply(stay, op, at)
    facts = figures.collect(peildatum=peildatum, known_at=cutoff)
    got = {s.stay_id: s for s in facts.stays}
    expected = stay_state(stay.events.all(), on=peildatum, known_at=cutoff)
    mine = got.get(stay.pk)
    waiting = expected.status == "waiting"  # on the waiting list on the peildatum (ADR 102)
    event(f"status on the peildatum: {expected.status}")
    if mine is None:
        # Only the stays admitted on the peildatum or on its waiting list are in the facts.
        assert expected.admission_date is None
        assert not waiting
        return
    assert (
        mine.target_group,
        mine.admission_date,
        mine.outflow_date,
        mine.outflow_type,
        mine.follow_up,
        mine.follow_up_date,
        mine.scenario,
        mine.discussed_in_lso,
        mine.waiting,
    ) == (
        expected.target_group,
        expected.admission_date,
        expected.outflow_date,
        expected.outflow_type,
        expected.follow_up,
        expected.follow_up_date,
        expected.scenario,
        expected.scenario_discussed_in_lso,
        waiting,
    )
    assert figures.stay_cells(mine, None, peildatum=peildatum, scheme="evaluation")[:1] == (
        ["waiting_list"] if waiting else ["intake_total"]
    )
    # The specialised fold (stays without voids) on every random history with its voided events
    # taken out beforehand, so it is checked on histories the bulk path sends to the general fold.
    rows = [
        (e.stay_id, e.id, e.kind, e.valid_on, e.recorded_at, e.data, e.supersedes_id)
        for e in effective_events(stay.events.all(), known_at=cutoff)
        if e.kind in figures.STAY_KINDS
    ]
    if rows:
        assert figures._fold_stay(rows, peildatum, figures._json_decoder()) == (
            expected.target_group,
            expected.admission_date,
            expected.outflow_date,
            expected.outflow_type,
            expected.follow_up,
            expected.follow_up_date,
            expected.scenario,
            expected.scenario_discussed_in_lso,
            waiting,
        )
    assert timezone.is_aware(T0)


@pytest.mark.django_db
def test_reads_go_through_the_monitor_alias():
    LVVFactory(name="Alias", start_date=dt.date(2019, 1, 1))
    with (
        override_settings(MONITOR_DATABASE_ALIAS="no-such-alias"),
        pytest.raises(Exception, match="no-such-alias"),
    ):
        figures.monitor_compute(peildatum=dt.date(2020, 1, 1))


person_operation = st.one_of(
    st.tuples(st.just("gender"), st.sampled_from(["male", "female", "unknown"])),
    st.tuples(st.just("birth_year"), st.one_of(st.none(), st.integers(1950, 2005))),
    st.tuples(st.just("country"), st.sampled_from(["", "ERI", "IRN", "XXA", "SYR"])),
    # Only a birth date: the birth year is taken from it (the projection stores it, the fold not).
    st.tuples(st.just("birth_date"), st.dates(dt.date(1950, 1, 1), dt.date(2005, 12, 31))),
    st.tuples(
        st.just("first_ind_application_date"),
        st.one_of(st.none(), days.map(lambda d: d - dt.timedelta(days=900))),
    ),
    st.tuples(st.just("void_person"), st.integers(0, 20)),
)


def apply_person(person, op, at):
    person.refresh_from_db()
    if op[0] == "void_person":
        voidable = list(person.events.filter(kind="person_corrected").order_by("id"))
        if voidable:
            services.event_void(
                event=voidable[op[1] % len(voidable)], by=None, reason="test", recorded_at=at
            )
        return
    changes = {op[0]: op[1]}
    if op[0] == "birth_date":
        changes["birth_year"] = None
    services.person_correct(person=person, by=None, changes=changes, recorded_at=at)


@pytest.mark.django_db
@override_settings(MONITOR_DATABASE_ALIAS="default")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    histories=st.lists(
        st.tuples(
            st.lists(st.tuples(operation, moments), min_size=1, max_size=8),
            st.lists(st.tuples(person_operation, moments), max_size=3),
            st.integers(0, 2),  # the person: a new one, or one shared with an earlier stay
            st.booleans(),  # which LVV
        ),
        min_size=1,
        max_size=4,
    ),
    peildatum=days,
)
def test_projection_path_documents_equal_the_full_fold(histories, peildatum):
    """Several stays and persons with random histories; the document read from the projection
    (no cut-off) equals the document folded from every event (a cut-off after everything), for
    both schemes and every target group, figure by figure; and so do the drill-down facts, and
    the counts `monitor_compute` reads straight from the projection without facts (ADR 90)."""
    lvvs = [
        LVVFactory(name="Prop A", start_date=dt.date(2019, 1, 1)),
        LVVFactory(name="Prop B", start_date=dt.date(2019, 1, 1)),
    ]
    persons: list[Person] = []
    for stay_ops, person_ops, who, which in histories:
        if who < len(persons) and who > 0:
            person = persons[who - 1]
        else:
            person = PersonFactory(birth_year=1980, country="ERI")
            persons.append(person)
        for op, at in sorted(person_ops, key=lambda x: x[1]):
            with contextlib.suppress(ValidationError):
                apply_person(person, op, at)
        try:
            stay = services.stay_register(
                person=person, lvv=lvvs[which], registration_date=START, by=None, recorded_at=T0
            )
        except ValidationError:
            continue  # already an open stay of this person there
        for op, at in sorted(stay_ops, key=lambda x: x[1]):
            with contextlib.suppress(ValidationError):
                apply(stay, op, at)
    after_everything = T0 + dt.timedelta(days=10**5)
    fast = figures.collect(peildatum=peildatum)
    full = figures.collect(peildatum=peildatum, known_at=after_everything)

    def plain(stay):  # the ids as UUIDs (the paths may read them differently), then the facts
        return (stay.stay_id, stay.person_id, *dataclasses.astuple(stay)[2:])

    assert sorted(map(plain, fast.stays)) == sorted(map(plain, full.stays))
    assert {s.person_id: fast.person(s) for s in fast.stays} == {
        s.person_id: full.person(s) for s in full.stays
    }
    for scheme in figures.SCHEMES:
        assert figures.monitor_compute_groups(fast, scheme=scheme) == (
            figures.monitor_compute_groups(full, scheme=scheme)
        )
    # The command's path: the tally of every target group, nationally and for one LVV, and the
    # document it gives.
    assert figures._tally_projection("default", peildatum=peildatum, lvv_ids=None) == (
        figures.tally_facts(full)
    )
    one = figures.collect(peildatum=peildatum, known_at=after_everything, lvv_names=["Prop A"])
    assert figures._tally_projection("default", peildatum=peildatum, lvv_ids=[lvvs[0].pk]) == (
        figures.tally_facts(one)
    )
    for scheme in figures.SCHEMES:
        assert figures.monitor_compute(peildatum=peildatum, scheme=scheme) == (
            figures.document_from_facts(full, scheme=scheme)
        )
