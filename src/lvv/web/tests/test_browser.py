"""The register end to end in a real browser (issue 3, "Done when"): a coordinator logs in,
registers and admits a person, sets a scenario, registers an outflow and sees it all on the
timeline; axe-core finds no serious or critical violation on any page visited."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lvv.registry.models import Person, RegionMunicipality
from lvv.registry.taxonomy import OutflowType, Scenario
from lvv.registry.tests.factories import (
    LocationFactory,
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)
from lvv.web.tests.browser import assert_accessible, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _iso(day: dt.date) -> str:
    return day.isoformat()


def test_coordinator_registers_admits_sets_scenario_and_outflow(browser_page, live_server):
    page = browser_page
    utrecht = LVVFactory(name="Utrecht")
    ngo = OrganisationFactory(name="Stichting Vluchtelingenhulp")
    ngo.lvvs.add(utrecht)
    RegionMunicipality.objects.create(lvv=utrecht, name="Nieuwegein")
    LocationFactory(lvv=utrecht, name="Huis aan de Gracht")
    UserFactory(username="alice", first_name="Alice", last_name="de Vries", lvvs=[utrecht])
    for i in range(3):  # something to see in the list
        StayFactory(lvv=utrecht, organisation=ngo, person=PersonFactory(family_name=f"Bestaand{i}"))

    login(page, live_server, "alice")
    assert_accessible(page)  # start page
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Personen").click()
    page.wait_for_load_state()
    assert_accessible(page)
    screenshot(page, "person-list")

    # Register a new person.
    page.get_by_role("link", name="Persoon aanmelden").click()
    assert_accessible(page)
    page.get_by_label("Voornamen").fill("Samira")
    page.get_by_label("Achternaam", exact=True).fill("Testpersoon")
    page.get_by_label("Geboortejaar").fill("1990")
    page.get_by_label("Geslacht").select_option(label="Vrouw")
    page.get_by_label("Land van herkomst").select_option(label="Eritrea")
    page.get_by_label("V-nummer").fill("1234567890")
    page.get_by_label("Datum van aanmelding").fill(_iso(dt.date(2024, 3, 1)))
    page.get_by_label("Begeleidende organisatie").select_option(label="Stichting Vluchtelingenhulp")
    page.get_by_label("Gemeente van aanmelding").select_option(label="Nieuwegein")
    page.get_by_label("Correspondentienummer").fill("UTR-001")
    screenshot(page, "form-register")
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Samira Testpersoon"
    assert_accessible(page)

    # Admit, with first an impossible date: the form says what to fix and nothing is written.
    page.get_by_role("link", name="Toelaten", exact=True).click()
    page.get_by_label("Datum van toelating").fill(_iso(dt.date(2024, 2, 1)))
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert "vóór de aanmelding" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "form-error")
    page.get_by_label("Datum van toelating").fill(_iso(dt.date(2024, 3, 4)))
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert "De toelating is geregistreerd." in page.inner_text("main")

    # Set the scenario.
    page.get_by_role("link", name="Scenario vaststellen").click()
    assert_accessible(page)
    page.get_by_label("Begeleidingsscenario").select_option(
        label="Terugkeer naar land van herkomst"
    )
    page.get_by_label("Vastgesteld op").fill(_iso(dt.date(2024, 4, 2)))
    page.get_by_label("Nee").check()
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()

    # Register the outflow.
    page.get_by_role("link", name="Uitstroom registreren").click()
    assert_accessible(page)
    page.get_by_label("Wijze van uitstroom").select_option(label="Terugkeer")
    page.get_by_label("Datum van uitstroom").fill(_iso(dt.date(2024, 9, 30)))
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert_accessible(page)
    screenshot(page, "person-page")

    timeline = page.get_by_role("region", name="Tijdlijn").inner_text()
    for text in (
        "Uitstroom geregistreerd: Terugkeer",
        "Datum 30-09-2024",
        "Begeleidingsscenario vastgesteld: Terugkeer naar land van herkomst",
        "niet besproken in het LSO",
        "Toegelaten",
        "Datum 04-03-2024",
        "Aangemeld",
        "Persoon geregistreerd",
        "door Alice de Vries",
    ):
        assert text in timeline, text
    # Newest first.
    assert timeline.index("Uitstroom geregistreerd") < timeline.index("Toegelaten")

    stay = Person.objects.get(v_number="1234567890").stays.get()
    assert (stay.status, stay.outflow_type, stay.scenario) == ("left", "return", "return")
    assert stay.admission_date == dt.date(2024, 3, 4)

    # The list finds the person by V-number while typing (htmx).
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Personen").click()
    # Typed only once the list has loaded: before htmx has bound the field, the input is lost.
    page.wait_for_url("**/personen/")
    page.get_by_label("Zoeken").fill("1234567890")
    # A locator assertion, not wait_for_function: the Content-Security-Policy forbids eval.
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "Samira Testpersoon" in page.inner_text("#results")
    assert_accessible(page)


def test_person_and_case_pages_fit_a_phone_screen(browser_page, live_server):
    """At 390 px the page itself does not scroll sideways: a wide table scrolls in its own region
    (the consent table on the person page, the actions table on the case page)."""
    page = browser_page
    utrecht = LVVFactory(name="Utrecht")
    ngo = OrganisationFactory(name="Stichting Vluchtelingenhulp")
    ngo.lvvs.add(utrecht)
    UserFactory(username="alice", lvvs=[utrecht])
    stay = StayFactory(lvv=utrecht, organisation=ngo, person=PersonFactory(family_name="Smal"))

    login(page, live_server, "alice")
    page.set_viewport_size({"width": 390, "height": 800})
    for path in (f"/personen/{stay.person_id}/", f"/werk/casus/{stay.pk}/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow} px wider than the screen"


def test_person_list_fits_a_laptop_screen(browser_page, live_server):
    """At 1024 px the persons list needs no sideways scrolling: a long outflow type under the
    outflow date wraps instead of widening its column (and squeezing the others)."""
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 800})
    utrecht = LVVFactory(name="Utrecht")
    ngo = OrganisationFactory(name="Stichting Noodopvang Vluchtelingen Utrecht")
    ngo.lvvs.add(utrecht)
    UserFactory(username="alice", lvvs=[utrecht])
    StayFactory(
        lvv=utrecht,
        organisation=ngo,
        scenario=Scenario.NOT_YET_DETERMINED,
        scenario_date=dt.date(2020, 2, 1),
        outflow_type=OutflowType.UNKNOWN_DESTINATION,
        outflow_date=dt.date(2020, 6, 1),
    )

    login(page, live_server, "alice")
    page.goto(live_server.url + "/personen/")
    page.wait_for_load_state()
    wrap = page.locator(".table-wrap")
    expect(wrap).to_contain_text("Met onbekende bestemming vertrokken (MOB)")
    overflow = wrap.evaluate("element => element.scrollWidth - element.clientWidth")
    assert overflow <= 0, f"the list is {overflow} px wider than its box"


def test_pages_raise_no_console_errors(browser_page, live_server):
    """No script error and no Content-Security-Policy refusal in the console (htmx's inline
    indicator style was refused on every page)."""
    page = browser_page
    utrecht = LVVFactory(name="Utrecht")
    UserFactory(username="alice", lvvs=[utrecht])
    stay = StayFactory(lvv=utrecht)
    errors: list[str] = []

    def on_console(message) -> None:
        # The browser asks for /favicon.ico by itself; the register has none.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))

    login(page, live_server, "alice")
    for path in ("/", "/personen/", f"/personen/{stay.person_id}/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/personen/")
    page.get_by_label("Zoeken").fill("x")
    expect(page.locator(".result-count")).to_contain_text("0 verblijven")
    assert errors == []
