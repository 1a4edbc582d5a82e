"""The whole route of a case in Chromium (issue 4, "Done when"), once for EACH of the five pilots'
policies as configured in `lvv.registry.demo.PILOTS`: report with a duplicate warning, admission
(with an exception decided by the mayor and a forced return where the policy says so, every
party's agreement where the policy asks it, and the signed intake form as the moment of admission
where the policy makes it so), intake (AVIM only where the policy has the identity
check; medical intake by GGD, nurse or NGO), the joint legal check filled by IND, DT&V and the NGO,
an LSO decision, an overdue action in the work queue, an extension (granted, demanded with a
durable prospect, or shown as impossible, as the policy says), an MRT escalation with its generated
dossier, and outflow with follow-up.

The walk branches on the POLICY ROW, never on the pilot's name; `EXPECTED` pins what the demo
configuration must produce for each pilot, so a changed policy shows up as a failing expectation.
One Chromium serves the module (the session fixture `chromium_browser`)."""

from __future__ import annotations

import datetime as dt
from typing import NotRequired, TypedDict

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lvv.access.consent import CONSENTABLE, consent_give
from lvv.registry.demo import DEMO_PASSWORD
from lvv.registry.demo import PILOTS as PILOT_SPECS
from lvv.registry.models import Policy, Stay
from lvv.web.tests.browser import CHROMIUM, assert_accessible, login, screenshot
from lvv.workflow.models import AdmissionVerdict, Escalation, LegalCheckSection
from lvv.workflow.tests.conftest import PARTY_USER, PILOTS, register, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class PilotExpectation(TypedDict):
    avim: bool
    medical_by: str
    extension: str
    exception: str
    intake_form: NotRequired[bool]


# What each pilot's demo policy must show on the route (the walk itself reads the policy).
EXPECTED: dict[str, PilotExpectation] = {
    "Amsterdam": {"avim": True, "medical_by": "medisch", "extension": "granted", "exception": ""},
    "Eindhoven": {
        "avim": False,
        "medical_by": "ngo",
        "extension": "no_maximum",
        "exception": "",
        "intake_form": True,
    },
    "Groningen": {
        "avim": False,
        "medical_by": "medisch",
        "extension": "no_maximum",
        "exception": "return",
    },
    "Rotterdam": {
        "avim": True,
        "medical_by": "medisch",
        "extension": "needs_durable_prospect",
        "exception": "",
    },
    "Utrecht": {"avim": False, "medical_by": "ngo", "extension": "no_maximum", "exception": ""},
}
# A signed intake form as the participant's scan (synthetic).
INTAKE_FORM_FILE = {
    "name": "intakeformulier.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n% synthetisch intakeformulier\n%%EOF\n",
}
CRITERIA = ("no_right_of_residence", "entry_ban", "undesirable", "eu_citizen", "dublin")


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


def _submit(page, name: str) -> None:
    page.get_by_role("button", name=name).first.click()
    page.wait_for_load_state()


def _consent(stay, slug: str) -> None:
    # The participant consents to sharing with the LSO parties (recorded by the NGO).
    for party, categories in CONSENTABLE.items():
        consent_give(
            person=stay.person,
            party=party,
            categories=categories,
            method="participation_form",
            by=user(f"ngo-{slug}"),
        )


def _medical_user(policy: Policy, slug: str) -> str:
    # The GGD's medical staff (also the nurse's employer in the demo) or the guiding NGO.
    return (
        f"ngo-{slug}"
        if policy.medical_intake_by == Policy.MedicalIntakeBy.NGO
        else (f"medisch-{slug}")
    )


def _extension_kind(policy: Policy) -> str:
    if not policy.max_stay_days:
        return "no_maximum"
    if not policy.extension_reasons or not policy.extension_days:
        return "not_extendable"
    return "needs_durable_prospect" if policy.extension_requires_durable_prospect else "granted"


@pytest.mark.parametrize("pilot", PILOTS)
def test_full_case_route(chromium_browser, live_server, demo_structure, pilot):
    assert CHROMIUM
    slug = pilot.lower()
    policy = Policy.objects.get(lvv__name=pilot)
    spec = next(s for s in PILOT_SPECS if s.name == pilot)
    expected = EXPECTED[pilot]
    assert bool(policy.avim_identity_check) is expected["avim"]
    assert _medical_user(policy, slug).startswith(expected["medical_by"])
    assert _extension_kind(policy) == expected["extension"]
    assert policy.exception_forced_scenario == expected["exception"]
    assert policy.admission_by_signed_intake_form is expected.get("intake_form", False)
    today = timezone.localdate()
    start = today - dt.timedelta(days=170)
    # Someone alike is already known in another LVV.
    other = "Utrecht" if pilot == "Amsterdam" else "Amsterdam"
    register(other, given="Tesfay", family="Haile", birth_year=1988, country="ERI")
    pages = []

    page = _as(chromium_browser, live_server, f"gemeente-{slug}")
    pages.append(page)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Aanmelden").click()
    assert_accessible(page)
    page.get_by_label("Verwezen door een LSO-partij").check()
    page.get_by_label("Verwezen door", exact=True).select_option(label="IND")
    page.get_by_label("Datum aanmelding").fill(start.isoformat())
    page.get_by_label("Voornamen").fill("Tesfaye")
    page.get_by_label("Achternaam").fill("Haile")
    page.get_by_label("Geboortejaar").fill("1989")
    page.get_by_label("Land van herkomst").select_option(label="Eritrea")
    page.get_by_label("Begeleidende organisatie").select_option(label=spec.ngos[0])
    _submit(page, "Aanmelding registreren")
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Mogelijk al bekend")
    expect(warning).to_contain_text(other)
    expect(warning).to_contain_text(f"Gemeente {other}")
    stay = Stay.objects.get(lvv__name=pilot, person__family_name="Haile")
    case_url = page.url.split("#")[0]
    if policy.consent_mode == Policy.ConsentMode.AT_INTAKE:
        _consent(stay, slug)

    # Admission check: an empty source is refused with a Dutch message, then the full check.
    # Where the policy forces a scenario on an exception (Groningen), the person is a Dublin
    # claimant and admitted as an exception decided by the policy's decider.
    exception = bool(policy.exception_forced_scenario)
    for code in CRITERIA:
        meets = code == "no_right_of_residence" or (exception and code == "dublin")
        page.select_option(f'[name="ac-criterion_{code}"]', "ja" if meets else "nee")
    _submit(page, "Toelatingscheck opslaan")
    expect(page.locator("#toelating")).to_contain_text("Geef de bron")
    for code in CRITERIA:
        page.fill(f'[name="ac-source_{code}"]', "IND-gegevens")
    for code in policy.admission_conditions:
        page.select_option(f'[name="ac-condition_{code}"]', "ja")
    if exception:
        page.fill('[name="ac-exception_reason"]', "Ernstig ziek, opvang nodig")
        page.select_option('[name="ac-exception_decider"]', policy.exception_decider)
        page.fill('[name="ac-exception_decided_by"]', "Burgemeester")
    _submit(page, "Toelatingscheck opslaan")
    expect(page.get_by_text("De toelatingscheck is vastgelegd.")).to_be_visible()

    # Every party's agreement where the policy asks it (Eindhoven); otherwise no such section.
    if policy.admission_parties:
        expect(page.locator("#akkoord")).to_contain_text("Wacht nog op akkoord van")
        page.check('[name="ad-decision"][value="admit"]')
        page.fill('[name="ad-on"]', start.isoformat())
        _submit(page, "Besluit opslaan")
        expect(page.get_by_role("alert").first).to_contain_text("moeten alle partijen akkoord")
        assert_accessible(page)
        screenshot(page, f"workflow-{slug}-admission-parties")
        for party in policy.admission_parties:
            username = f"{PARTY_USER[party]}-{slug}"
            party_page = (
                page if party == "municipality" else _as(chromium_browser, live_server, username)
            )
            party_page.goto(case_url)
            party_page.check('[name="av-agrees"][value="ja"]')
            _submit(party_page, "Akkoord vastleggen")
            expect(
                party_page.get_by_text("Het akkoord van uw organisatie is vastgelegd.")
            ).to_be_visible()
            if party_page is not page:
                party_page.context.close()
        assert AdmissionVerdict.objects.filter(stay=stay, agrees=True).count() == len(
            policy.admission_parties
        )
        page.goto(case_url)
    else:
        expect(page.locator("#akkoord")).to_have_count(0)
    _open(page, "Besluit over toelating")  # folded while a signed intake form is awaited
    page.check('[name="ad-decision"][value="admit"]')
    page.fill('[name="ad-on"]', start.isoformat())
    _submit(page, "Besluit opslaan")
    if policy.admission_by_signed_intake_form:
        # The signed intake form is the moment of admission (Eindhoven): a bare decision is
        # refused naming what is missing; registering the signed form (a document) admits on
        # the day it was signed.
        expect(page.get_by_role("alert").first).to_contain_text(
            "Ontbreekt: het ondertekende intakeformulier"
        )
        expect(page.locator(".case-status")).to_contain_text("wacht op ondertekend intakeformulier")
        page.fill('[name="if-signed_on"]', (today + dt.timedelta(days=1)).isoformat())
        page.set_input_files('[name="if-upload"]', INTAKE_FORM_FILE)
        _submit(page, "Intakeformulier registreren en toelaten")
        expect(page.locator("#intakeformulier")).to_contain_text(
            "De datum van ondertekening ligt in de toekomst."
        )
        page.fill('[name="if-signed_on"]', start.isoformat())
        page.set_input_files('[name="if-upload"]', INTAKE_FORM_FILE)
        _submit(page, "Intakeformulier registreren en toelaten")
        expect(page.get_by_text("de persoon is toegelaten")).to_be_visible()
        expect(page.locator("#intakeformulier")).to_contain_text(start.strftime("%d-%m-%Y"))
        expect(page.locator("#documenten")).to_contain_text("Intakeformulier")
        assert_accessible(page)
        screenshot(page, f"workflow-{slug}-intake-form")
    else:
        expect(page.get_by_text("De persoon is toegelaten.")).to_be_visible()
    stay.refresh_from_db()
    assert stay.status == "admitted" and stay.admission_date == start
    if exception:
        toelating = page.locator("#toelating")
        expect(toelating).to_contain_text("verplicht scenario: Terugkeer")
        assert stay.scenario == policy.exception_forced_scenario
        assert stay.scenario_discussed_in_lso is (policy.exception_decider == "lso")
    if policy.consent_mode != Policy.ConsentMode.AT_INTAKE:
        _consent(stay, slug)  # Utrecht asks consent separately, later
    page.fill('[name="lc-on"]', today.isoformat())
    _submit(page, "Juridische check starten")
    expect(page.locator("#juridisch")).to_contain_text("Wacht nog op")

    # Intake: AVIM only where the policy has the identity check; medical by whom the policy says.
    if policy.avim_identity_check:
        avim = _as(chromium_browser, live_server, f"avim-{slug}")
        avim.goto(case_url)
        _open(avim, "Uitkomst vastleggen")
        avim.select_option('[name="id-result"]', "fraud_found")
        _submit(avim, "Opslaan")
        expect(avim.locator("#intake")).to_contain_text("Identiteitsfraude vastgesteld")
        avim.context.close()
    else:
        expect(page.locator("#intake")).to_contain_text("laat geen identiteitsonderzoek door AVIM")
    medical = _as(chromium_browser, live_server, _medical_user(policy, slug))
    medical.goto(case_url)
    expect(medical.locator("#intake")).to_contain_text(
        f"Medische intake ({policy.get_medical_intake_by_display()})"
    )
    _open(medical, "Medische intake vastleggen")
    medical.select_option('[name="med-shelter_advice"]', "medical")
    medical.fill('[name="med-note"]', "Hartklachten, medicatie")
    medical.locator("#intake").get_by_role("button", name="Opslaan").click()
    medical.wait_for_load_state()
    expect(medical.locator("#intake")).to_contain_text("Medische opvangplek nodig")
    medical.context.close()

    # The joint legal check: three parties, each in its own section.
    for party, fields in [
        (
            "ind",
            {"current_status": "Uitgeprocedeerd", "earlier_procedures": "Asiel 2014 afgewezen"},
        ),
        ("dtv", {"departure_procedures": "Vertrekgesprek 2015"}),
        ("ngo", {"legalisation_options": "Buitenschuld", "conclusion": "Kansrijk"}),
    ]:
        party_page = _as(chromium_browser, live_server, f"{party}-{slug}")
        party_page.goto(case_url)
        section = LegalCheckSection.objects.get(legal_check__stay=stay, party=party)
        for name, value in fields.items():
            party_page.fill(f'[name="s{section.pk}-{name}"]', value)
        party_page.locator(f"#onderdeel-{party}").get_by_role("button").click()
        party_page.wait_for_load_state()
        expect(party_page.get_by_text("is ingevuld").first).to_be_visible()
        party_page.context.close()
    page.goto(case_url)
    expect(page.locator("#juridisch")).to_contain_text("compleet")
    expect(page.locator("#juridisch")).to_contain_text("Kansrijk")

    # LSO meeting with the proposed agenda, and the scenario decision in it.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overleggen").click()
    page.get_by_label("Titel").fill("LSO")
    _submit(page, "Overleg aanmaken")
    expect(page.get_by_text("Juridische check klaar, scenario nodig").first).to_be_visible()
    assert_accessible(page)
    page.goto(case_url)
    _open(page, "Besluit vastleggen")
    scenario = policy.exception_forced_scenario or "legalisation"
    page.select_option('[name="dec-scenario"]', scenario)
    page.select_option('[name="dec-meeting"]', label="LSO")
    _submit(page, "Besluit opslaan")
    stay.refresh_from_db()
    assert stay.scenario == scenario and stay.scenario_discussed_in_lso

    # An action whose deadline has passed (with a reason) shows up as overdue and in the queue.
    _open(page, "Actie toevoegen")
    page.fill('[name="act-description"]', "Paspoort ophalen bij de ambassade")
    page.select_option('[name="act-responsible_organisation"]', label=spec.ngos[0])
    page.fill('[name="act-due_on"]', (today - dt.timedelta(days=2)).isoformat())
    _submit(page, "Actie opslaan")
    expect(page.locator("#acties")).to_contain_text("deadline ligt in het verleden")
    page.fill('[name="act-reason"]', "Afgesproken in het vorige LSO")
    _submit(page, "Actie opslaan")
    expect(page.locator("#acties")).to_contain_text("over de deadline")
    ngo = _as(chromium_browser, live_server, f"ngo-{slug}")
    expect(ngo.locator("#wq-overdue ~ ul").first).to_contain_text("Paspoort ophalen")
    ngo.context.close()

    # Extension as the policy says: granted, demanded with a durable prospect, or impossible.
    page.goto(case_url)
    duration = page.locator("#verblijfsduur")
    kind = _extension_kind(policy)
    if kind == "no_maximum":
        expect(duration).to_contain_text(f"{pilot} kent geen maximale verblijfsduur")
        expect(duration.get_by_text("Verlenging vastleggen")).to_have_count(0)
    else:
        _open(page, "Verlenging vastleggen")
        page.select_option('[name="ext-reason"]', policy.extension_reasons[0])
        page.select_option('[name="ext-meeting"]', label="LSO")
        if kind == "needs_durable_prospect":
            _submit(page, "Verlengen met")
            expect(page.locator("#verblijfsduur")).to_contain_text("bestendige oplossing")
            page.check('[name="ext-durable_prospect"]')
        _submit(page, "Verlengen met")
        expect(page.get_by_text("Het verblijf is verlengd")).to_be_visible()
        assert stay.events.filter(kind="stay_extended").count() == 1

    # MRT escalation: the dossier is assembled from the case.
    _open(page, "Opschalen")
    page.select_option('[name="esc-level"]', "mrt")
    page.fill('[name="esc-question"]', "Is legalisering haalbaar?")
    page.select_option('[name="esc-meeting"]', label="LSO")
    page.fill('[name="esc-position_ind"]', "Weinig kans")
    page.fill('[name="esc-position_ngo"]', "Buitenschuld is kansrijk")
    _submit(page, "Opschaling vastleggen")
    page.locator("#opschaling").get_by_role("link", name="MRT").first.click()
    page.wait_for_load_state()
    dossier = page.locator("article.dossier")
    for text in ("Juridische check", "Asiel 2014 afgewezen", "Paspoort ophalen"):
        expect(dossier).to_contain_text(text)
    assert_accessible(page)
    if pilot == "Rotterdam":
        screenshot(page, "workflow-dossier")
    _submit(page, "Indienen met dit dossier")
    assert Escalation.objects.get(stay=stay).status == "submitted"

    # Outflow (repeat asylum application) and its follow-up.
    page.goto(case_url)
    _open(page, "Uitstroom vastleggen")
    page.select_option('[name="out-kind"]', "repeat_asylum_application")
    page.fill('[name="out-on"]', today.isoformat())
    _submit(page, "Uitstroom opslaan")
    _open(page, "Vervolg vastleggen")
    page.select_option('[name="fu-follow_up"]', "refused")
    page.fill('[name="fu-on"]', today.isoformat())
    _submit(page, "Vervolg opslaan")
    expect(page.locator("#uitstroom")).to_contain_text("vervolg:")
    stay.refresh_from_db()
    assert stay.outflow_type == "repeat_asylum_application" and stay.follow_up == "refused"
    assert_accessible(page)
    screenshot(page, f"workflow-{slug}-case")
    for p in pages:
        p.context.close()


def test_receiving_lvv_links_the_previous_stay(chromium_browser, live_server, demo_structure):
    """The move started by the receiving LVV (ADR 0055): after the duplicate pair is confirmed,
    Utrecht's coordinator links the new registration to the open stay in Amsterdam."""
    from lvv.workflow import services
    from lvv.workflow.models import DuplicateCandidate
    from lvv.workflow.tests.conftest import admit

    today = timezone.localdate()
    previous, _ = register(
        "Amsterdam",
        given="Samuel",
        family="Bekele",
        birth_year=1985,
        country="ETH",
        on=today - dt.timedelta(days=60),
    )
    admit("Amsterdam", previous)
    stay, matches = register(
        "Utrecht",
        given="Samuel",
        family="Bekele",
        birth_year=1985,
        country="ETH",
        on=today - dt.timedelta(days=1),
    )
    services.duplicate_decide(
        candidate=DuplicateCandidate.objects.get(pk=matches[0]["candidate_id"]),
        by=user("gemeente-utrecht"),
        same=True,
    )
    page = _as(chromium_browser, live_server, "gemeente-utrecht")
    page.goto(f"{live_server.url}/werk/casus/{stay.pk}/")
    section = page.locator("#vorig")
    expect(section).to_contain_text("Komt over uit een andere LVV?")
    expect(section).to_contain_text("Amsterdam (loopt nog; contact: Gemeente Amsterdam)")
    assert_accessible(page)
    screenshot(page, "workflow-transfer-offer")
    _submit(page, "Koppelen aan het vorige verblijf")
    expect(page.locator("#vorig")).to_contain_text("Overgekomen uit Amsterdam")
    expect(page.locator("#vorig")).to_contain_text("voor uw rol niet zichtbaar")
    stay.refresh_from_db()
    assert stay.previous_stay_id == previous.pk

    # Undoing it (ADR 0106): the reason is required, the error says so at the field.
    section = page.locator("#vorig")
    section.get_by_text("Koppeling losmaken", exact=True).first.click()
    _submit(page, "Koppeling losmaken")
    expect(page.locator("#vorig .field.invalid")).to_contain_text(
        "Geef aan waarom de koppeling wordt losgemaakt."
    )
    assert_accessible(page)
    page.locator("#vorig").screenshot(path=str(screenshot(page, "workflow-transfer-undo-error")))
    page.locator("#vorig").get_by_label("Reden", exact=True).fill("Verkeerd verblijf gekoppeld")
    _submit(page, "Koppeling losmaken")
    section = page.locator("#vorig")
    expect(section).to_contain_text("Komt over uit een andere LVV?")
    expect(section).to_contain_text("Eerdere koppelingen")
    expect(section).to_contain_text("Verkeerd verblijf gekoppeld")
    assert_accessible(page)
    section.screenshot(path=str(screenshot(page, "workflow-transfer-undone")))
    stay.refresh_from_db()
    assert stay.previous_stay_id is None
    page.context.close()
