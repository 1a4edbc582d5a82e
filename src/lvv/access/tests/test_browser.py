"""The consent panel and the privacy officer's log in the browser (accessible, and they work)."""

from __future__ import annotations

import pytest

from lvv.access.gate import access_person
from lvv.accounts.models import Organisation, Role
from lvv.registry.tests.factories import LVVFactory, OrganisationFactory, StayFactory, UserFactory
from lvv.web.tests.browser import assert_accessible, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    lvv = LVVFactory(name="Rotterdam")
    ngo = OrganisationFactory(name="ROS", kind=Organisation.Kind.NGO)
    worker = UserFactory(username="wim", role=Role.CASE_WORKER, organisation=ngo, lvvs=[lvv])
    ind = UserFactory(username="ineke", role=Role.IND, lvvs=[lvv])
    officer = UserFactory(username="petra", role=Role.PRIVACY_OFFICER)
    stay = StayFactory(lvv=lvv, organisation=ngo)
    return {"worker": worker, "ind": ind, "officer": officer, "stay": stay}


def test_case_worker_records_consent_and_ind_then_sees_the_person(browser_page, live_server, world):
    page = browser_page
    person_url = f"{live_server.url}/personen/{world['stay'].person_id}/"
    login(page, live_server, "ineke")
    assert page.goto(person_url).status == 404  # no consent yet: as if the person did not exist
    page.context.clear_cookies()

    login(page, live_server, "wim")
    page.goto(person_url)
    page.get_by_text("Toestemming vastleggen of intrekken").click()
    page.get_by_label("Delen met").select_option("ind")
    page.get_by_label("Identiteit (naam, V-nummer, geboortejaar, land)").check()
    page.get_by_label("Verblijf in de LVV (aanmelding, toelating, locatie, uitstroom)").check()
    page.get_by_role("button", name="Vastleggen").click()
    page.wait_for_load_state()
    assert "Toestemming vastgelegd" in page.content()
    assert_accessible(page)
    screenshot(page, "access-consent-panel")
    page.context.clear_cookies()

    login(page, live_server, "ineke")
    assert page.goto(person_url).status == 200


def test_privacy_officer_searches_the_log(browser_page, live_server, world):
    access_person(world["worker"], world["stay"].person_id)
    page = browser_page
    login(page, live_server, "petra")
    page.goto(f"{live_server.url}/privacy/logboek/")
    page.get_by_label("Persoon (ID of pseudoniem)").fill(str(world["stay"].person_id))
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state()
    assert "wim" in page.locator("table").inner_text()
    assert_accessible(page)
    screenshot(page, "access-log")
