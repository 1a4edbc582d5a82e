"""The signed intake form as the formal moment of admission where the LVV's policy says so
(Eindhoven, DOMAIN.md section 3; `Policy.admission_by_signed_intake_form`, ADR 0105). The other
LVVs admit by a decision, as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from lvv.access.consent import CONSENTABLE, consent_give
from lvv.access.models import AccessRecord
from lvv.access.retention import person_erase
from lvv.exchange import services as exchange
from lvv.exchange.tests.test_api import client_for
from lvv.registry.demo import DEMO_PASSWORD
from lvv.registry.models import CapacityRecord, Event, EventKind, Policy
from lvv.web.tests.browser import assert_accessible, login, screenshot
from lvv.workflow import selectors, services
from lvv.workflow.models import AdmissionCheck, Document
from lvv.workflow.tests.conftest import (
    GOOD_CRITERIA,
    PILOTS,
    agree_all,
    intake_form_upload,
    lvv,
    register,
    user,
)

pytestmark = pytest.mark.django_db

MISSING = "Ontbreekt: het ondertekende intakeformulier"


def _ready(pilot="Eindhoven", on=None):
    """A registered person whose check is met and whom every listed party agreed to admit."""
    stay, _ = register(pilot, on=on)
    conditions = dict.fromkeys(stay.lvv.policy.admission_conditions, (True, "gesprek"))
    services.admission_check_record(
        stay=stay,
        by=user(f"gemeente-{pilot.lower()}"),
        criteria=GOOD_CRITERIA,
        conditions=conditions,
    )
    agree_all(pilot, stay)
    return stay


def _register_form(stay, signed_on, **kw):
    return services.admission_intake_form_register(
        stay=stay,
        by=user("gemeente-eindhoven"),
        signed_on=signed_on,
        upload=kw.pop("upload", intake_form_upload()),
        **kw,
    )


def _consent_all(stay):
    for party, categories in CONSENTABLE.items():
        consent_give(
            person=stay.person,
            party=party,
            categories=categories,
            method="participation_form",
            by=user("ngo-eindhoven"),
        )


@pytest.mark.parametrize("pilot", PILOTS)
def test_the_demo_policies_make_the_form_the_admission_in_eindhoven_only(pilots, pilot):
    assert lvv(pilot).policy.admission_by_signed_intake_form is (pilot == "Eindhoven")
    assert Policy._meta.get_field("admission_by_signed_intake_form").default is False


def test_without_the_signed_form_admission_is_refused_naming_what_is_missing(pilots):
    stay = _ready()
    assert services.admission_waits_for_intake_form(stay)
    with pytest.raises(ValidationError, match=MISSING):
        services.admission_decide(
            stay=stay, by=user("gemeente-eindhoven"), on=stay.registration_date, admit=True
        )
    stay.refresh_from_db()
    assert stay.status == "registered" and stay.admission_date is None
    assert not Event.objects.filter(stay=stay, kind=EventKind.STAY_ADMITTED).exists()
    assert AdmissionCheck.objects.get(stay=stay).outcome == "pending"


def test_the_signed_form_admits_on_its_signing_date_and_is_a_document(pilots, today):
    stay = _ready(on=today - dt.timedelta(days=10))
    signed_on = today - dt.timedelta(days=6)
    check = _register_form(stay, signed_on)
    stay.refresh_from_db()
    assert stay.status == "admitted" and stay.admission_date == signed_on
    event = Event.objects.get(stay=stay, kind=EventKind.STAY_ADMITTED)
    assert event.valid_on == signed_on and event.data == {"intake_form": "signed"}
    assert event.recorded_by == user("gemeente-eindhoven")
    assert check.outcome == "admitted" and check.intake_form_signed_on == signed_on
    assert check.intake_form_recorded_by == user("gemeente-eindhoven")
    document = Document.objects.get(stay=stay)
    assert check.intake_form == document and document.kind == Document.Kind.INTAKE_FORM
    assert document.title == "Ondertekend intakeformulier"
    assert b"intakeformulier" not in bytes(document.content)  # stored encrypted
    assert not services.admission_waits_for_intake_form(stay)
    # Admitted once: the form cannot be registered again.
    with pytest.raises(ValidationError, match="al besloten"):
        _register_form(stay, signed_on)


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "ligt in de toekomst"), (-11, "vóór de aanmelding")],
    ids=["future", "before-registration"],
)
def test_the_signing_date_is_not_in_the_future_nor_before_the_registration(
    pilots, today, days, message
):
    stay = _ready(on=today - dt.timedelta(days=10))
    with pytest.raises(ValidationError) as err:
        _register_form(stay, today + dt.timedelta(days=days))
    assert message in " ".join(err.value.message_dict["signed_on"])
    stay.refresh_from_db()
    assert stay.status == "registered"
    assert not Document.objects.filter(stay=stay).exists()  # nothing half-written
    # Signed today is fine (the intake interview is today).
    _register_form(stay, today)
    stay.refresh_from_db()
    assert stay.admission_date == today


def test_the_form_needs_the_file_and_everything_admission_needs(pilots):
    stay, _ = register("Eindhoven")
    with pytest.raises(ValidationError, match="toelatingscheck"):
        _register_form(stay, stay.registration_date)
    services.admission_check_record(
        stay=stay, by=user("gemeente-eindhoven"), criteria=GOOD_CRITERIA
    )
    with pytest.raises(ValidationError, match="Wacht nog op"):
        _register_form(stay, stay.registration_date)
    assert not services.admission_waits_for_intake_form(stay)
    agree_all("Eindhoven", stay)
    with pytest.raises(ValidationError) as err:
        _register_form(stay, stay.registration_date, upload=None)
    assert "upload" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _register_form(
            stay, stay.registration_date, upload=intake_form_upload("form.pdf", b"not a pdf")
        )
    assert "upload" in err.value.message_dict
    assert not Document.objects.filter(stay=stay).exists()


def test_refusal_needs_no_form(pilots):
    stay = _ready()
    services.admission_decide(
        stay=stay,
        by=user("gemeente-eindhoven"),
        on=stay.registration_date,
        admit=False,
        reason="EU-burger",
    )
    stay.refresh_from_db()
    assert stay.status == "refused"
    with pytest.raises(ValidationError, match="al besloten"):
        _register_form(stay, stay.registration_date)


def test_a_full_lvv_puts_the_person_on_the_waiting_list_and_the_form_admits_later(pilots, today):
    eindhoven = lvv("Eindhoven")
    CapacityRecord.objects.create(lvv=eindhoven, valid_from=today - dt.timedelta(days=60), places=0)
    stay = _ready(on=today - dt.timedelta(days=10))
    coordinator = user("gemeente-eindhoven")
    # The waiting list behaves as before: no form needed to wait for a place.
    assert (
        services.admission_decide(stay=stay, by=coordinator, on=today, admit=True) == "waitlisted"
    )
    stay.refresh_from_db()
    assert stay.status == "waiting"
    with pytest.raises(ValidationError, match="vol"):
        _register_form(stay, today)
    CapacityRecord.objects.create(lvv=eindhoven, valid_from=today - dt.timedelta(days=1), places=5)
    with pytest.raises(ValidationError, match=MISSING):
        services.admission_decide(stay=stay, by=coordinator, on=today, admit=True)
    _register_form(stay, today)
    stay.refresh_from_db()
    assert stay.status == "admitted" and stay.admission_date == today


@pytest.mark.parametrize("pilot", [p for p in PILOTS if p != "Eindhoven"])
def test_other_lvvs_admit_by_a_decision_as_before(pilots, pilot):
    stay = _ready(pilot)
    assert not services.admission_waits_for_intake_form(stay)
    with pytest.raises(ValidationError, match="niet het moment van toelating"):
        services.admission_intake_form_register(
            stay=stay,
            by=user(f"gemeente-{pilot.lower()}"),
            signed_on=stay.registration_date,
            upload=intake_form_upload(),
        )
    assert (
        services.admission_decide(
            stay=stay, by=user(f"gemeente-{pilot.lower()}"), on=stay.registration_date, admit=True
        )
        == "admitted"
    )


def test_the_rule_is_data_not_code(pilots):
    Policy.objects.filter(lvv__name="Utrecht").update(admission_by_signed_intake_form=True)
    Policy.objects.filter(lvv__name="Eindhoven").update(admission_by_signed_intake_form=False)
    utrecht = _ready("Utrecht")
    with pytest.raises(ValidationError, match=f"In Utrecht .*{MISSING}"):
        services.admission_decide(
            stay=utrecht, by=user("gemeente-utrecht"), on=utrecht.registration_date, admit=True
        )
    eindhoven = _ready()
    assert (
        services.admission_decide(
            stay=eindhoven,
            by=user("gemeente-eindhoven"),
            on=eindhoven.registration_date,
            admit=True,
        )
        == "admitted"
    )


def test_the_general_document_form_does_not_take_the_form_before_admission(pilots):
    stay = _ready()
    with pytest.raises(ValidationError) as err:
        services.document_upload(
            stay=stay,
            by=user("gemeente-eindhoven"),
            kind=Document.Kind.INTAKE_FORM,
            title="Intakeformulier",
            upload=intake_form_upload(),
        )
    assert "Aanmelding en toelating" in " ".join(err.value.message_dict["kind"])


# The case page ---------------------------------------------------------------------------------


def _step(client, stay, data, files=True):
    payload = {"if-signed_on": data.get("signed_on"), "if-expected_version": data["version"]}
    if files:
        payload["if-upload"] = intake_form_upload()
    return client.post(
        reverse("workflow:case_step", args=[stay.pk, "intake_form"]),
        {k: v for k, v in payload.items() if v is not None},
    )


def test_the_case_page_waits_for_the_form_and_registers_it(pilots, client, today):
    stay = _ready(on=today - dt.timedelta(days=5))
    client.force_login(user("gemeente-eindhoven"))
    page = client.get(reverse("workflow:case", args=[stay.pk])).content.decode()
    assert "wacht op ondertekend intakeformulier" in page
    assert "Ondertekend intakeformulier registreren" in page
    # Deciding "admit" without the form: the page says what is missing.
    response = client.post(
        reverse("workflow:case_step", args=[stay.pk, "admission_decision"]),
        {"ad-decision": "admit", "ad-on": today.isoformat()},
    )
    assert response.status_code == 400 and MISSING in response.content.decode()
    # A future date and a missing file are refused on their fields; nothing is written.
    response = _step(
        client,
        stay,
        {"signed_on": (today + dt.timedelta(days=1)).isoformat(), "version": stay.version},
    )
    assert response.status_code == 400
    assert "De datum van ondertekening ligt in de toekomst." in response.content.decode()
    response = _step(
        client, stay, {"signed_on": today.isoformat(), "version": stay.version}, files=False
    )
    assert response.status_code == 400
    assert not Document.objects.filter(stay=stay).exists()
    # Someone else changed the case meanwhile: a conflict, nothing admitted.
    response = _step(client, stay, {"signed_on": today.isoformat(), "version": stay.version - 1})
    assert response.status_code == 400 and "intussen door iemand anders gewijzigd" in (
        response.content.decode()
    )
    stay.refresh_from_db()
    assert stay.status == "registered" and not Document.objects.filter(stay=stay).exists()
    signed_on = today - dt.timedelta(days=2)
    response = _step(client, stay, {"signed_on": signed_on.isoformat(), "version": stay.version})
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.status == "admitted" and stay.admission_date == signed_on
    page = client.get(reverse("workflow:case", args=[stay.pk])).content.decode()
    assert "wacht op ondertekend intakeformulier" not in page
    assert "Ondertekend op" in page and signed_on.strftime("%d-%m-%Y") in page
    coordinator = user("gemeente-eindhoven")
    assert (
        f"<dt>Geregistreerd door</dt><dd>{coordinator.get_full_name()} (Gemeente Eindhoven)" in page
    )
    document = Document.objects.get(stay=stay)
    assert reverse("workflow:document", args=[document.pk]) in page
    assert "Toegelaten: intakeformulier ondertekend" in page  # the timeline


def test_a_role_without_documents_sees_the_step_but_not_the_form(pilots, client, today):
    stay = _ready(on=today - dt.timedelta(days=5))
    _consent_all(stay)
    _register_form(stay, today)
    document = Document.objects.get(stay=stay)
    medical = user("medisch-eindhoven")
    client.force_login(medical)
    page = client.get(reverse("workflow:case", args=[stay.pk])).content.decode()
    assert "Ondertekend op" in page and today.strftime("%d-%m-%Y") in page
    assert "niet zichtbaar voor uw rol" in page
    assert reverse("workflow:document", args=[document.pk]) not in page
    assert client.get(reverse("workflow:document", args=[document.pk])).status_code == 404
    downloads = AccessRecord.objects.for_person(stay.person_id).filter(operation="download")
    assert not downloads.exists()
    # The coordinator may see and download it; the download is logged.
    client.force_login(user("gemeente-eindhoven"))
    assert client.get(reverse("workflow:document", args=[document.pk])).status_code == 200
    assert downloads.get().audit.username == "gemeente-eindhoven"


def test_the_registry_admit_page_sends_eindhoven_to_the_case_page(pilots, client, today):
    stay = _ready(on=today - dt.timedelta(days=5))
    client.force_login(user("gemeente-eindhoven"))
    response = client.post(
        reverse("registry:stay_admit", args=[stay.pk]),
        {"on": today.isoformat(), "expected_version": stay.version},
    )
    assert response.status_code == 200
    assert "wordt toegelaten op de casuspagina" in response.content.decode()
    stay.refresh_from_db()
    assert stay.status == "registered"
    # Another LVV admits there as before.
    utrecht = _ready("Utrecht", on=today - dt.timedelta(days=5))
    client.force_login(user("gemeente-utrecht"))
    response = client.post(
        reverse("registry:stay_admit", args=[utrecht.pk]),
        {"on": today.isoformat(), "expected_version": utrecht.version},
    )
    assert response.status_code == 302
    utrecht.refresh_from_db()
    assert utrecht.status == "admitted"


# The other ways into a stay (ADR 0105) ---------------------------------------------------------

IMPORT_HEADER = (
    "LVV,Correspondentienummer,V_nummer,Land van herkomst,Geboortejaar,Geslacht,Doelgroep,"
    "Datum aanmelding,Datum toelating,Begeleidingsscenario,Besproken in LSO,Datum uitstroom,"
    "Wijze van uitstroom,Vervolg,Datum vervolg\n"
)


def test_the_import_keeps_recording_the_pilots_admission_dates(pilots, client, tmp_path):
    """In the pilot's files the admission date is the date the form was signed: the import
    records it as history (no form in the register) and the case page says so."""
    path = tmp_path / "eindhoven.csv"
    path.write_text(
        IMPORT_HEADER + "Eindhoven,E-901,,Eritrea,1985,Man,convenant,2020-01-02,2020-01-06,,,,,,\n",
        encoding="utf-8",
    )
    result = exchange.persons_import(path=path)
    assert result.ok, result.problems
    stay = lvv("Eindhoven").stays.get(correspondence_number="E-901")
    assert stay.status == "admitted" and stay.admission_date == dt.date(2020, 1, 6)
    client.force_login(user("gemeente-eindhoven"))
    page = client.get(reverse("workflow:case", args=[stay.pk])).content.decode()
    assert "Toegelaten op 06-01-2020 zonder geregistreerd formulier" in page
    assert "wacht op ondertekend intakeformulier" not in page


def test_the_api_cannot_admit(pilots):
    """`POST stays/{id}/decisions/` records scenario and note decisions only (ADR 0101): no
    admission, so it cannot bypass the signed form."""
    stay = _ready()
    api = client_for(user("gemeente-eindhoven"))
    url = f"/api/v1/stays/{stay.pk}/decisions/"
    body = {"decider": "LSO", "decided_on": stay.registration_date.isoformat(), "text": "x"}
    for kind in ("admission", "admission_exception", "admitted"):
        response = api.post(url, {**body, "kind": kind}, format="json")
        assert response.status_code == 400 and "kind" in response.json()
    assert api.post(url, {**body, "kind": "note"}, format="json").status_code == 201
    stay.refresh_from_db()
    assert stay.status == "registered"


# In the browser ---------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_the_medical_role_sees_who_registered_the_form_but_not_the_form(
    chromium_browser, live_server, demo_structure
):
    today = timezone.localdate()
    stay = _ready(on=today - dt.timedelta(days=5))
    _consent_all(stay)
    _register_form(stay, today - dt.timedelta(days=1))
    context = chromium_browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server, "medisch-eindhoven", DEMO_PASSWORD)
    page.goto(live_server.url + reverse("workflow:case", args=[stay.pk]))
    block = page.locator("#intakeformulier")
    expect(block).to_contain_text((today - dt.timedelta(days=1)).strftime("%d-%m-%Y"))
    expect(block).to_contain_text("niet zichtbaar voor uw rol")
    expect(block.get_by_role("link")).to_have_count(0)
    expect(page.locator("#documenten")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "workflow-eindhoven-intake-form-medical")
    context.close()
    # The coordinator's view of a case that waits for the signed form.
    waiting = _ready(on=today - dt.timedelta(days=2))
    context = chromium_browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server, "gemeente-eindhoven", DEMO_PASSWORD)
    page.goto(live_server.url + reverse("workflow:case", args=[waiting.pk]) + "#toelating")
    expect(page.locator(".case-status")).to_contain_text("wacht op ondertekend intakeformulier")
    expect(page.locator("#intakeformulier")).to_contain_text("Wacht op ondertekend intakeformulier")
    expect(page.get_by_label("Datum van ondertekening")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "workflow-eindhoven-intake-form-waiting")
    context.close()


def test_erasure_deletes_the_form_and_keeps_the_signing_date(pilots, today):
    stay = _ready(on=today - dt.timedelta(days=5))
    _register_form(stay, today - dt.timedelta(days=1))
    person_erase(person=stay.person, kind="request", reason="Verzoek 2026-002", by=None)
    check = AdmissionCheck.objects.get(stay=stay)
    assert not Document.objects.filter(stay=stay).exists()
    assert check.intake_form is None
    assert check.intake_form_signed_on == today - dt.timedelta(days=1)
    stay.refresh_from_db()
    assert stay.admission_date == today - dt.timedelta(days=1)


def test_the_work_queue_lists_the_cases_waiting_for_their_form(
    pilots, today, django_assert_max_num_queries
):
    waiting = [_ready(on=today - dt.timedelta(days=d)) for d in (9, 4, 2)]
    parties_missing, _ = register("Eindhoven", family="Nogniet")
    services.admission_check_record(
        stay=parties_missing, by=user("gemeente-eindhoven"), criteria=GOOD_CRITERIA
    )
    _register_form(waiting[1], today)
    coordinator = user("gemeente-eindhoven")
    with django_assert_max_num_queries(30):
        queue = {i.key: i for i in selectors.work_queue(coordinator)}
    rows = queue["intake_form"].rows
    assert [r["url"] for r in rows] == [
        reverse("workflow:case", args=[s.pk]) for s in (waiting[0], waiting[2])
    ]
    assert all(services.admission_waits_for_intake_form(s) for s in (waiting[0], waiting[2]))
    assert not services.admission_waits_for_intake_form(parties_missing)
    # Not for an LVV without the rule, nor for a party that does not register the form.
    assert "intake_form" not in {i.key for i in selectors.work_queue(user("gemeente-utrecht"))}
    assert "intake_form" not in {i.key for i in selectors.work_queue(user("ind-eindhoven"))}


def test_a_refused_case_says_no_form_was_registered(pilots, client):
    stay = _ready()
    services.admission_decide(
        stay=stay,
        by=user("gemeente-eindhoven"),
        on=stay.registration_date,
        admit=False,
        reason="Geen vrijwillige deelname",
    )
    client.force_login(user("gemeente-eindhoven"))
    page = client.get(reverse("workflow:case", args=[stay.pk])).content.decode()
    assert "Geen ondertekend intakeformulier geregistreerd." in page
    assert "Ondertekend intakeformulier registreren" not in page
