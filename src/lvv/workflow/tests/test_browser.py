"""The whole route of a case in Chromium (issue 4, "Done when"), under Rotterdam's policy (AVIM
identity check, GGD medical intake, a local admission condition, 6 months extendable only with a
durable prospect): report with a duplicate warning, admission, intake, the joint legal check filled
by IND, DT&V and the NGO, an LSO decision, an overdue action in the work queue, an extension, an MRT
escalation with its generated dossier, and outflow with follow-up. The other pilots' policies are
exercised in test_services.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lvv.access.consent import CONSENTABLE, consent_give
from lvv.registry.demo import DEMO_PASSWORD
from lvv.registry.models import Stay
from lvv.web.tests.browser import CHROMIUM, assert_accessible, login, screenshot
from lvv.workflow.models import Escalation, LegalCheckSection
from lvv.workflow.tests.conftest import register, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(page, summary: str) -> None:
    details = page.locator("details", has=page.locator("summary", has_text=summary))
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _as(chromium_browser, live_server, username):
    context = chromium_browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    login(page, live_server, username, DEMO_PASSWORD)
    return page


def test_full_case_route_rotterdam(chromium_browser, live_server, demo_structure):
    assert CHROMIUM
    today = timezone.localdate()
    start = today - dt.timedelta(days=170)
    # Someone alike is already known in Amsterdam.
    register("Amsterdam", given="Tesfay", family="Haile", birth_year=1988, country="ERI")

    page = _as(chromium_browser, live_server, "gemeente-rotterdam")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Aanmelden").click()
    assert_accessible(page)
    page.get_by_label("Verwezen door een LSO-partij").check()
    page.get_by_label("Verwezen door", exact=True).select_option(label="IND")
    page.get_by_label("Datum aanmelding").fill(start.isoformat())
    page.get_by_label("Voornamen").fill("Tesfaye")
    page.get_by_label("Achternaam").fill("Haile")
    page.get_by_label("Geboortejaar").fill("1989")
    page.get_by_label("Land van herkomst").select_option(label="Eritrea")
    page.get_by_label("Begeleidende organisatie").select_option(
        label="Stichting Rotterdamse Opvang (ROS)"
    )
    page.get_by_role("button", name="Aanmelding registreren").click()
    page.wait_for_load_state()
    warning = page.get_by_role("alert")
    assert "Mogelijk al bekend" in warning.inner_text() and "Amsterdam" in warning.inner_text()
    assert "Gemeente Amsterdam" in warning.inner_text()
    screenshot(page, "workflow-duplicate-warning")
    stay = Stay.objects.get(lvv__name="Rotterdam", person__family_name="Haile")

    # Admission check: an empty source is refused with a Dutch message, then the full check.
    for code in ("no_right_of_residence", "entry_ban", "undesirable", "eu_citizen", "dublin"):
        page.select_option(
            f'[name="ac-criterion_{code}"]', "ja" if code == "no_right_of_residence" else "nee"
        )
    page.get_by_role("button", name="Toelatingscheck opslaan").click()
    page.wait_for_load_state()
    assert "Geef de bron" in page.content()
    for code in ("no_right_of_residence", "entry_ban", "undesirable", "eu_citizen", "dublin"):
        page.fill(f'[name="ac-source_{code}"]', "IND-gegevens")
    page.select_option('[name="ac-condition_real_wish_to_leave_or_legalisation_chance"]', "ja")
    page.get_by_role("button", name="Toelatingscheck opslaan").click()
    page.wait_for_load_state()
    page.check('[name="ad-decision"][value="admit"]')
    page.fill('[name="ad-on"]', start.isoformat())
    page.get_by_role("button", name="Besluit opslaan").click()
    page.wait_for_load_state()
    assert "De persoon is toegelaten" in page.content()
    stay.refresh_from_db()
    assert stay.status == "admitted"
    # The participant consents to sharing with the LSO parties (recorded by the NGO).
    for party, categories in CONSENTABLE.items():
        consent_give(
            person=stay.person,
            party=party,
            categories=categories,
            method="participation_form",
            by=user("ngo-rotterdam"),
        )
    page.fill('[name="lc-on"]', today.isoformat())
    page.get_by_role("button", name="Juridische check starten").click()
    page.wait_for_load_state()
    assert "Wacht nog op" in page.content()
    case_url = page.url.split("#")[0]

    # Intake by AVIM and the GGD.
    avim = _as(chromium_browser, live_server, "avim-rotterdam")
    avim.goto(case_url)
    _open(avim, "Uitkomst vastleggen")
    avim.select_option('[name="id-result"]', "fraud_found")
    avim.get_by_role("button", name="Opslaan").first.click()
    avim.wait_for_load_state()
    assert "Identiteitsfraude vastgesteld" in avim.content()
    ggd = _as(chromium_browser, live_server, "medisch-rotterdam")
    ggd.goto(case_url)
    _open(ggd, "Medische intake vastleggen")
    ggd.select_option('[name="med-shelter_advice"]', "medical")
    ggd.fill('[name="med-note"]', "Hartklachten, medicatie")
    ggd.get_by_role("button", name="Opslaan").first.click()
    ggd.wait_for_load_state()
    assert "Medische opvangplek nodig" in ggd.content()

    # The joint legal check: three parties, each in its own section.
    for username, fields in [
        (
            "ind-rotterdam",
            {"current_status": "Uitgeprocedeerd", "earlier_procedures": "Asiel 2014 afgewezen"},
        ),
        ("dtv-rotterdam", {"departure_procedures": "Vertrekgesprek 2015"}),
        ("ngo-rotterdam", {"legalisation_options": "Buitenschuld", "conclusion": "Kansrijk"}),
    ]:
        party_page = _as(chromium_browser, live_server, username)
        party_page.goto(case_url)
        section = LegalCheckSection.objects.get(
            legal_check__stay=stay, party=username.split("-")[0].replace("ngo", "ngo")
        )
        for name, value in fields.items():
            party_page.fill(f'[name="s{section.pk}-{name}"]', value)
        party_page.locator(f"#onderdeel-{section.party}").get_by_role("button").click()
        party_page.wait_for_load_state()
        assert "is ingevuld" in party_page.content()
        party_page.context.close()
    page.goto(case_url)
    assert "compleet" in page.content() and "Kansrijk" in page.content()
    screenshot(page, "workflow-legal-check")

    # LSO meeting with the proposed agenda, and the scenario decision in it.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overleggen").click()
    page.get_by_label("Titel").fill("BRIO")
    page.get_by_role("button", name="Overleg aanmaken").click()
    page.wait_for_load_state()
    assert "Juridische check klaar, scenario nodig" in page.content()
    assert_accessible(page)
    screenshot(page, "workflow-meeting")
    page.goto(case_url)
    _open(page, "Besluit vastleggen")
    page.select_option('[name="dec-scenario"]', "legalisation")
    page.select_option('[name="dec-meeting"]', label="BRIO")
    page.get_by_role("button", name="Besluit opslaan").click()
    page.wait_for_load_state()
    stay.refresh_from_db()
    assert stay.scenario == "legalisation" and stay.scenario_discussed_in_lso

    # An action whose deadline has passed (with a reason) shows up as overdue and in the queue.
    _open(page, "Actie toevoegen")
    page.fill('[name="act-description"]', "Paspoort ophalen bij de ambassade")
    page.select_option(
        '[name="act-responsible_organisation"]', label="Stichting Rotterdamse Opvang (ROS)"
    )
    page.fill('[name="act-due_on"]', (today - dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Actie opslaan").click()
    page.wait_for_load_state()
    assert "deadline ligt in het verleden" in page.content()
    page.fill('[name="act-reason"]', "Afgesproken in het vorige LSO")
    page.get_by_role("button", name="Actie opslaan").click()
    page.wait_for_load_state()
    assert "over de deadline" in page.content()
    ngo = _as(chromium_browser, live_server, "ngo-rotterdam")
    assert "Paspoort ophalen bij de ambassade" in ngo.locator("#wq-overdue ~ ul").first.inner_text()
    screenshot(ngo, "workflow-work-queue")

    # Extension: Rotterdam requires a durable prospect.
    page.goto(case_url)
    _open(page, "Verlenging vastleggen")
    page.select_option('[name="ext-reason"]', "medical")
    page.select_option('[name="ext-meeting"]', label="BRIO")
    page.get_by_role("button", name="Verlengen met").click()
    page.wait_for_load_state()
    assert "bestendige oplossing" in page.content()
    page.check('[name="ext-durable_prospect"]')
    page.get_by_role("button", name="Verlengen met").click()
    page.wait_for_load_state()
    assert "Het verblijf is verlengd" in page.content()

    # MRT escalation: the dossier is assembled from the case.
    _open(page, "Opschalen")
    page.select_option('[name="esc-level"]', "mrt")
    page.fill('[name="esc-question"]', "Is legalisering haalbaar?")
    page.select_option('[name="esc-meeting"]', label="BRIO")
    page.fill('[name="esc-position_ind"]', "Weinig kans")
    page.fill('[name="esc-position_ngo"]', "Buitenschuld is kansrijk")
    page.get_by_role("button", name="Opschaling vastleggen").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="MRT").first.click()
    page.wait_for_load_state()
    dossier = page.locator("article.dossier").inner_text()
    assert (
        "Juridische check" in dossier
        and "Asiel 2014 afgewezen" in dossier
        and "Paspoort ophalen" in dossier
    )
    assert_accessible(page)
    screenshot(page, "workflow-dossier")
    page.get_by_role("button", name="Indienen met dit dossier").click()
    page.wait_for_load_state()
    assert Escalation.objects.get(stay=stay).status == "submitted"

    # Outflow (repeat asylum application) and its follow-up.
    page.goto(case_url)
    _open(page, "Uitstroom vastleggen")
    page.select_option('[name="out-kind"]', "repeat_asylum_application")
    page.fill('[name="out-on"]', today.isoformat())
    page.get_by_role("button", name="Uitstroom opslaan").click()
    page.wait_for_load_state()
    _open(page, "Vervolg vastleggen")
    page.select_option('[name="fu-follow_up"]', "refused")
    page.fill('[name="fu-on"]', today.isoformat())
    page.get_by_role("button", name="Vervolg opslaan").click()
    page.wait_for_load_state()
    stay.refresh_from_db()
    assert stay.outflow_type == "repeat_asylum_application" and stay.follow_up == "refused"
    assert_accessible(page)
    screenshot(page, "workflow-case")
