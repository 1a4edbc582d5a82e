"""The occupancy percentage and the waiting list (ADR 102): in every path, in every output, under
suppression, behind a drill-down; an LVV listed for its waiting list alone."""

import csv
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lvv.monitor import figures, renderers, report
from lvv.monitor.suppression import suppress_document
from lvv.monitor.tests.world import PEILDATUM, build_world, expected
from lvv.registry import services
from lvv.registry.taxonomy import TargetGroup
from lvv.registry.tests.factories import LVVFactory, StayFactory, UserFactory


@pytest.fixture
def world(db):
    return build_world()


def _build(**kw):
    return report.build_report(peildatum=PEILDATUM, scheme=figures.EVALUATION, **kw)


def test_new_keys_come_after_the_contract_keys_in_every_record(world):
    doc = figures.monitor_compute(peildatum=PEILDATUM)
    for record in [*doc["lvvs"], doc["national"]]:
        keys = list(record)
        assert keys[-2:] == ["occupancy_pct", "waiting_list"]
        assert keys[:-2] == [
            "lvv", "capacity", "occupancy", "intake_total", "current_by_scenario",
            "outflow_total", "outflow_by_type", "outflow_by_class", "background",
        ]  # fmt: skip
    assert doc["national"]["waiting_list"] == sum(r["waiting_list"] for r in doc["lvvs"])


def test_the_cut_off_path_and_the_projection_path_agree(world):
    after = timezone.now()
    for day in (dt.date(2020, 1, 31), PEILDATUM, dt.date(2020, 3, 3), dt.date(2020, 4, 1)):
        for scheme in figures.SCHEMES:
            fast = figures.monitor_compute(peildatum=day, scheme=scheme)
            assert fast == figures.monitor_compute(peildatum=day, scheme=scheme, known_at=after)
            facts = figures.collect(peildatum=day)
            assert fast == figures.document_from_facts(facts, scheme=scheme)


def test_before_the_waiting_list_changes_are_known(world):
    """W5's refusal (valid after the peildatum) recorded now: before it was recorded, W5 was on
    the list too; W3's refusal voided: back on the list."""
    cutoff = timezone.now()
    w3 = world["stays"]["W3"]
    services.event_void(event=w3.events.get(kind="stay_refused"), by=None, reason="test")
    now = figures.monitor_compute(peildatum=PEILDATUM)
    assert now["lvvs"][0]["waiting_list"] == 3  # W1, W2, W3
    then = figures.monitor_compute(peildatum=PEILDATUM, known_at=cutoff)
    assert then == expected("evaluation")


def test_an_lvv_with_only_a_waiting_list_is_listed(db):
    delta = LVVFactory(name="Delta", start_date=dt.date(2019, 1, 1))
    stay = StayFactory(lvv=delta, registration_date=dt.date(2020, 1, 1), admission_date=None)
    services.stay_waitlist(stay=stay, on=dt.date(2020, 1, 2), by=None)
    doc = figures.monitor_compute(peildatum=PEILDATUM)
    assert [r["lvv"] for r in doc["lvvs"]] == ["Delta"]
    delta_doc = doc["lvvs"][0]
    assert (delta_doc["capacity"], delta_doc["occupancy"], delta_doc["waiting_list"]) == (0, 0, 1)
    assert delta_doc["occupancy_pct"] is None  # no capacity
    assert doc["national"]["occupancy_pct"] is None
    # Before the waiting list it is not listed.
    assert figures.monitor_compute(peildatum=dt.date(2020, 1, 1))["lvvs"] == []


def test_other_target_groups_have_their_own_waiting_list(world):
    facts = figures.collect(peildatum=PEILDATUM)
    groups = figures.monitor_compute_groups(facts, scheme=figures.EVALUATION)
    assert groups[TargetGroup.SAFE_COUNTRY]["lvvs"][1]["waiting_list"] == 1  # W6
    assert groups[TargetGroup.FAMILY]["national"]["waiting_list"] == 0


def test_suppression_hides_a_small_waiting_list_and_the_percentage_of_a_hidden_occupancy(world):
    doc = figures.monitor_compute(peildatum=PEILDATUM)
    hidden = suppress_document(doc, threshold=3)
    alfa, beta, gamma = hidden["lvvs"]
    assert alfa["waiting_list"] is None and beta["waiting_list"] is None  # 2 < 3
    assert hidden["national"]["waiting_list"] == 4
    assert beta["occupancy"] is None and beta["occupancy_pct"] is None  # 1 / 50 gives 1 back
    assert gamma["waiting_list"] == 0 and gamma["occupancy_pct"] == 0.0
    for shown, original in zip(
        [*hidden["lvvs"], hidden["national"]], [*doc["lvvs"], doc["national"]], strict=True
    ):
        if shown["occupancy"] is None:
            assert shown["occupancy_pct"] is None
        else:
            assert shown["occupancy_pct"] == original["occupancy_pct"]


def test_an_older_document_without_the_new_keys_still_renders(world):
    doc = figures.monitor_compute(peildatum=PEILDATUM)
    for record in [*doc["lvvs"], doc["national"]]:
        del record["occupancy_pct"], record["waiting_list"]
    totals = renderers.tables(doc)[0]
    assert [row["path"] for row in totals["rows"]] == [
        "capacity", "occupancy", "intake_total", "outflow_total",
    ]  # fmt: skip
    assert "waiting_list" not in suppress_document(doc, threshold=3)["national"]


def test_csv_keeps_its_columns_and_rows_and_adds_rows(world):
    rep = _build()
    text = renderers.render_csv(rep).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["doelgroep", "tabel", "cel", "omschrijving", "lvv", "aantal", "percentage"]
    assert ["convenant", "totals", "occupancy", "Bezetting", "Alfa", "5", "4.2"] in rows
    assert [
        "convenant", "totals", "occupancy_pct", "Bezetting (% van capaciteit)", "Alfa", "", "4.2",
    ] in rows  # fmt: skip
    assert ["convenant", "totals", "waiting_list", "Wachtlijst", "national", "4", ""] in rows
    assert ["safe_country", "totals", "waiting_list", "Wachtlijst", "Beta", "1", ""] in rows


def test_xlsx_and_html_show_both(world):
    rep = _build()
    wb = load_workbook(io.BytesIO(renderers.render_xlsx(rep)))
    lines = [list(row) for row in wb["Monitor"].iter_rows(values_only=True)]
    by_label = {line[0]: line for line in lines if line and line[0]}
    # Alfa, % ; Beta, % ; Gamma, % ; national, %
    assert by_label["Wachtlijst"][1:9:2] == [2, 2, 0, 4]
    assert by_label["Bezetting (% van capaciteit)"][2:9:2] == [0.042, 0.02, 0.0, 0.033]
    html = renderers.render_html(rep).decode()
    assert "Bezetting (% van capaciteit)" in html and "Wachtlijst" in html
    assert "4,2%" in html
    pdf = renderers.render_pdf(rep)
    assert pdf.startswith(b"%PDF")


def test_web_page_and_drill_down_of_the_waiting_list(client, world):
    from lvv.accounts.models import Role

    coordinator = UserFactory(username="coord-w", role=Role.COORDINATOR, lvvs=[world["alfa"]])
    client.force_login(coordinator)
    query = {"peildatum": PEILDATUM.isoformat(), "scheme": "evaluation"}
    html = client.get(reverse("monitor:index") + "?" + urlencode(query)).content.decode()
    assert "Bezetting (% van capaciteit)" in html and "Wachtlijst" in html
    assert "cel=occupancy_pct" not in html  # a percentage has no stays behind it
    assert "cel=waiting_list" in html
    response = client.get(
        reverse("monitor:stays") + "?" + urlencode({**query, "lvv": "Alfa", "cel": "waiting_list"})
    )
    assert response.status_code == 200
    assert {s.pk for s in response.context["stays"]} == {
        world["stays"]["W1"].pk,
        world["stays"]["W2"].pk,
    }
