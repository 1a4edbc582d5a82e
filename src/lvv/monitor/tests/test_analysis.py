"""Suppression, outcomes over time (Aalen-Johansen) and the reconciliation of the two schemes."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lvv.monitor import figures, reconcile
from lvv.monitor.outcomes import aalen_johansen
from lvv.monitor.suppression import suppress_cells, suppress_document
from lvv.monitor.tests.world import PEILDATUM, build_world, expected

# Suppression ----------------------------------------------------------------------------------------

Cell = tuple[int | str, int | str]  # (row, column) of a table, "t" the total


def test_primary_and_complementary_suppression():
    values = {"total": 20, "a": 2, "b": 8, "c": 10}
    hidden = suppress_cells(values, [("total", ["a", "b", "c"])], threshold=5)
    # a is small; b, the smallest other cell, is hidden too so a cannot be derived from total.
    assert hidden == {"a", "b"}


def test_zero_is_not_suppressed_but_can_be_a_complement():
    values = {"total": 3, "a": 3, "b": 0}
    hidden = suppress_cells(values, [("total", ["a", "b"])], threshold=5)
    assert "a" in hidden and "total" in hidden


def test_hidden_parts_that_add_up_to_a_small_number_are_protected():
    values = {"total": 30, "a": 1, "b": 1, "c": 28}
    hidden = suppress_cells(values, [("total", ["a", "b", "c"])], threshold=5)
    assert hidden == {"a", "b", "c", "total"} or {"a", "b", "c"} <= hidden


def test_threshold_below_two_hides_nothing():
    assert suppress_cells({"a": 1}, [], threshold=1) == set()


def _derivable(values, relations, hidden):
    """Cells that can be computed back: repeatedly solve relations with one unknown."""
    known = {k for k in values if k not in hidden}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            unknown = [m for m in [total, *parts] if m not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
    return {k for k in hidden if k in known}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 12), min_size=2, max_size=5), min_size=1, max_size=4),
    st.integers(2, 6),
)
def test_no_small_cell_can_be_derived(table, threshold):
    """Rows with a row total, columns with a column total, and a grand total."""
    width = max(len(r) for r in table)
    rows = [r + [0] * (width - len(r)) for r in table]
    values: dict[Cell, int] = {}
    relations: list[tuple[Cell, list[Cell]]] = []
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            values[(i, j)] = v
        values[(i, "t")] = sum(row)
        relations.append(((i, "t"), [(i, j) for j in range(width)]))
    for j in range(width):
        values[("t", j)] = sum(r[j] for r in rows)
        relations.append((("t", j), [(i, j) for i in range(len(rows))]))
    values[("t", "t")] = sum(map(sum, rows))
    relations.append((("t", "t"), [(i, "t") for i in range(len(rows))]))
    hidden = suppress_cells(values, relations, threshold=threshold)
    small = {k for k, v in values.items() if 0 < v < threshold}
    assert small <= hidden
    assert not _derivable(values, relations, hidden)


@pytest.mark.django_db
def test_suppressed_document_keeps_its_shape():
    build_world()
    doc = figures.monitor_compute(peildatum=PEILDATUM)
    suppressed = suppress_document(doc, threshold=3)
    assert doc == expected("evaluation")  # the input is not changed
    assert suppressed.keys() == doc.keys()
    beta = suppressed["lvvs"][1]
    assert beta["intake_total"] is None
    assert beta["background"]["mean_age"] is None
    assert beta["capacity"] == 50
    gamma = suppressed["lvvs"][2]
    assert gamma["intake_total"] == 0  # nothing to protect


# Aalen-Johansen -----------------------------------------------------------------------------------


def test_aalen_johansen_by_hand():
    """Six people: day 10 one durable; day 20 one non-durable and one censored; day 30 one
    durable; two censored at day 40.

    day 10: n=6, S(10-)=1   -> CIF_d = 1/6,                         S = 5/6
    day 20: n=5, S(20-)=5/6 -> CIF_n = 5/6 * 1/5 = 1/6,            S = 5/6 * 4/5 = 2/3
            (the censoring at day 20 leaves the risk set after the event)
    day 30: n=3, S(30-)=2/3 -> CIF_d = 1/6 + 2/3 * 1/3 = 7/18,      S = 4/9
    """
    observations = [(10, "durable"), (20, "non_durable"), (20, None), (30, "durable"),
                    (40, None), (40, None)]  # fmt: skip
    curve = aalen_johansen(observations, ["durable", "semi_durable", "non_durable"])
    assert curve.times == (10, 20, 30)
    assert curve.at(9, "durable") == 0
    assert curve.at(10, "durable") == pytest.approx(1 / 6)
    assert curve.at(25, "non_durable") == pytest.approx(1 / 6)
    assert curve.at(35, "durable") == pytest.approx(7 / 18)
    assert curve.at(35, "semi_durable") == 0
    # Cumulative incidences plus survival add up to one.
    assert curve.at(35, "durable") + curve.at(35, "non_durable") + 4 / 9 == pytest.approx(1)
    assert curve.followed_up_to(40) and not curve.followed_up_to(41)


def test_aalen_johansen_without_censoring_is_the_plain_proportion():
    obs = [(5, "durable"), (5, "non_durable"), (7, "durable"), (9, "semi_durable")]
    curve = aalen_johansen(obs, ["durable", "semi_durable", "non_durable"])
    assert curve.at(100, "durable") == pytest.approx(0.5)
    assert curve.at(100, "semi_durable") == pytest.approx(0.25)


# Reconciliation ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("peildatum", [PEILDATUM, PEILDATUM.replace(month=4)])
def test_totals_reconcile_person_by_person(peildatum):
    build_world()
    evaluation = figures.monitor_compute(peildatum=peildatum, scheme="evaluation")
    programme = figures.monitor_compute(peildatum=peildatum, scheme="programme")
    rows = reconcile.reconcile(peildatum=peildatum)
    for ev, pr in zip(
        [*evaluation["lvvs"], evaluation["national"]],
        [*programme["lvvs"], programme["national"]],
        strict=True,
    ):
        for block in ("current_by_scenario", "outflow_by_type", "outflow_by_class"):
            for key, count in ev[block].items():
                mine = [r for r in rows if ev["lvv"] in (r.lvv, "national")]
                if block == "outflow_by_class":
                    moved_in = sum(r.programme_class == key for r in mine)
                    moved_out = sum(r.evaluation_class == key for r in mine)
                else:
                    mine = [r for r in mine if r.figure == block]
                    moved_in = sum(r.programme == key for r in mine)
                    moved_out = sum(r.evaluation == key for r in mine)
                assert count + moved_in - moved_out == pr[block][key], (ev["lvv"], block, key)


@pytest.mark.django_db
def test_every_difference_names_its_rule():
    world = build_world()
    rows = reconcile.reconcile(peildatum=PEILDATUM)
    by_stay = {r.stay_id: r.rule for r in rows}
    s = world["stays"]
    assert by_stay == {
        str(s["A1"].pk): figures.RULE_ONWARD_AS_RETURN,
        str(s["A5"].pk): figures.RULE_ONWARD_AS_RETURN,
        str(s["A2"].pk): figures.RULE_MEDICAL_AS_NOT_YET_DETERMINED,
        str(s["A3"].pk): figures.RULE_NOT_DISCUSSED_IN_LSO,
        str(s["B2"].pk): figures.RULE_NOT_DISCUSSED_IN_LSO,
        str(s["A4"].pk): figures.RULE_DETENTION_FORCED_DEPARTURE,
        str(s["A11"].pk): figures.RULE_DETENTION_FORCED_DEPARTURE,
    }
    assert not list(itertools.filterfalse(lambda r: r.lvv in ("Alfa", "Beta"), rows))
