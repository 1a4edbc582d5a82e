"""The workflow pages: allowed/denied pairs with the same setup, and forms that say what to fix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvv.access.consent import consent_give
from lvv.workflow import services
from lvv.workflow.models import AdmissionCheck, Document, LegalCheckSection
from lvv.workflow.tests.conftest import admit, organisation_of, register, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(client):
    def login(username):
        client.force_login(user(username))
        return client

    return login


def _case(stay):
    return reverse("workflow:case", args=[stay.pk])


def test_case_page_allowed_for_own_lvv_denied_for_other(pilots, client_as):
    stay, _ = register("Utrecht")
    admit("Utrecht", stay)
    assert client_as("gemeente-utrecht").get(_case(stay)).status_code == 200
    assert client_as("gemeente-amsterdam").get(_case(stay)).status_code == 404


def test_case_worker_of_other_ngo_is_denied(pilots, client_as):
    stay, _ = register("Amsterdam")
    assert client_as("ngo-amsterdam").get(_case(stay)).status_code == 200
    assert client_as("ngo2-amsterdam").get(_case(stay)).status_code == 404


def test_ind_sees_case_only_with_consent_and_only_fills_its_own_section(pilots, client_as, today):
    stay, _ = register("Eindhoven")
    admit("Eindhoven", stay)
    check = services.legal_check_open(stay=stay, by=user("gemeente-eindhoven"), on=today)
    section = check.sections.get(party="ind")
    url = reverse("workflow:legal_section", args=[section.pk])
    data = {
        f"s{section.pk}-current_status": "Uitgeprocedeerd",
        f"s{section.pk}-earlier_procedures": "Asiel 2014",
    }
    ind = client_as("ind-eindhoven")
    assert ind.get(_case(stay)).status_code == 404
    assert ind.post(url, data).status_code == 404
    consent_give(
        person=stay.person,
        party="ind",
        categories=["identity", "stay", "trajectory", "legal", "ind"],
        method="participation_form",
        by=user("ngo-eindhoven"),
    )
    page = ind.get(_case(stay))
    assert page.status_code == 200 and "Onderdeel IND opslaan" in page.content.decode()
    assert ind.post(url, data).status_code == 302
    assert LegalCheckSection.objects.get(pk=section.pk).answered
    ngo_section = check.sections.get(party="ngo")
    wrong = ind.post(
        reverse("workflow:legal_section", args=[ngo_section.pk]),
        {f"s{ngo_section.pk}-legalisation_options": "x", f"s{ngo_section.pk}-conclusion": "y"},
    )
    assert wrong.status_code in (400, 404)
    assert not LegalCheckSection.objects.get(pk=ngo_section.pk).answered


def test_legal_section_with_an_empty_answer_shows_the_case_page_with_the_error(
    pilots, client_as, today
):
    stay, _ = register("Eindhoven")
    admit("Eindhoven", stay)
    check = services.legal_check_open(stay=stay, by=user("gemeente-eindhoven"), on=today)
    section = check.sections.get(party="ngo")
    url = reverse("workflow:legal_section", args=[section.pk])
    client = client_as("ngo-eindhoven")
    response = client.post(url, {f"s{section.pk}-legalisation_options": "Geen"})
    assert response.status_code == 400
    assert "Vul dit in" in response.content.decode()
    assert not LegalCheckSection.objects.get(pk=section.pk).answered
    data = {f"s{section.pk}-legalisation_options": "Geen", f"s{section.pk}-conclusion": "Terugkeer"}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == _case(stay) + "#juridisch"
    assert LegalCheckSection.objects.get(pk=section.pk).answered


def test_registration_form_validates_in_dutch_and_warns_about_duplicates(pilots, client_as, today):
    register("Amsterdam", given="Reza", family="Karimi", birth_year=1979, country="IRN")
    client = client_as("gemeente-rotterdam")
    url = reverse("workflow:register")
    page = client.post(
        url,
        {
            "lvv": user("gemeente-rotterdam").lvvs.get().pk,
            "channel": "desk",
            "registration_date": today.isoformat(),
            "given_names": "Reza",
            "family_name": "",
            "v_number": "123",
        },
    )
    body = page.content.decode()
    assert (
        page.status_code == 200 and "precies 10 cijfers" in body and "Dit veld is vereist" in body
    )
    response = client.post(
        url,
        {
            "lvv": user("gemeente-rotterdam").lvvs.get().pk,
            "channel": "desk",
            "registration_date": today.isoformat(),
            "given_names": "Reza",
            "family_name": "Karimi",
            "birth_year": "1979",
            "country": "IRN",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Mogelijk al bekend" in body and "Amsterdam" in body and "Gemeente Amsterdam" in body
    assert AdmissionCheck.objects.filter(stay__lvv__name="Rotterdam").count() == 1
    assert client_as("ind-rotterdam").get(url).status_code == 403


def test_admission_check_form_errors_and_nothing_saved(pilots, client_as):
    stay, _ = register("Rotterdam")
    client = client_as("gemeente-rotterdam")
    response = client.post(
        reverse("workflow:case_step", args=[stay.pk, "admission_check"]),
        {"ac-criterion_no_right_of_residence": "ja"},
    )
    assert response.status_code == 400
    assert "Geef de bron" in response.content.decode()
    assert AdmissionCheck.objects.get(stay=stay).criteria == {}
    assert (
        client_as("gemeente-utrecht")
        .post(reverse("workflow:case_step", args=[stay.pk, "admission_check"]), {})
        .status_code
        == 404
    )


def test_decision_without_meeting_or_decider_is_refused(pilots, client_as, today):
    stay, _ = register("Groningen")
    admit("Groningen", stay)
    response = client_as("gemeente-groningen").post(
        reverse("workflow:case_step", args=[stay.pk, "decision"]),
        {"dec-kind": "scenario", "dec-scenario": "return", "dec-decided_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert "overleg of een beslisser" in response.content.decode()


def test_document_download_is_gated_and_logged(pilots, client_as):
    stay, _ = register("Utrecht")
    doc = services.document_upload(
        stay=stay,
        by=user("ngo-utrecht"),
        kind="identity",
        title="ID",
        upload=SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n0000"),
    )
    url = reverse("workflow:document", args=[doc.pk])
    ok = client_as("ngo-utrecht").get(url)
    assert ok.status_code == 200 and ok.content.startswith(b"\x89PNG")
    assert client_as("ngo2-utrecht").get(url).status_code == 404
    assert Document.objects.count() == 1


def test_home_shows_work_queue_counts(pilots, client_as, today):
    stay, _ = register("Groningen")
    admit("Groningen", stay)
    worker = user("ngo-groningen")
    services.action_create(
        stay=stay,
        by=user("gemeente-groningen"),
        description="Paspoort",
        responsible_organisation=organisation_of(worker),
        due_on=today - dt.timedelta(days=2),
        reason="Vorige week afgesproken",
    )
    body = client_as("ngo-groningen").get(reverse("web:home")).content.decode()
    assert (
        "Mijn werkvoorraad" in body
        and "Mijn acties over de deadline" in body
        and "Paspoort" in body
    )


def test_meeting_pages_and_minutes_export(pilots, client_as, today):
    stay, _ = register("Rotterdam")
    admit("Rotterdam", stay, on=today)
    client = client_as("gemeente-rotterdam")
    response = client.post(
        reverse("workflow:meetings"),
        {"lvv": stay.lvv_id, "kind": "lso", "held_on": today.isoformat(), "title": "BRIO"},
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Nieuwe toelating" in page.content.decode()
    minutes = client.get(response.url + "?format=md")
    assert (
        minutes["Content-Type"].startswith("text/markdown") and b"# Notulen BRIO" in minutes.content
    )
    assert client_as("gemeente-utrecht").get(response.url).status_code == 404


def test_other_pages_render(pilots, client_as):
    client = client_as("gemeente-amsterdam")
    for name in (
        "workflow:actions",
        "workflow:waiting",
        "workflow:duplicates",
        "workflow:meetings",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    assert client_as("programmabureau").get(reverse("workflow:actions")).status_code == 403


def test_medical_note_only_for_roles_with_the_medical_category(pilots, client_as, today):
    stay, _ = register("Amsterdam")
    admit("Amsterdam", stay)
    step = reverse("workflow:case_step", args=[stay.pk, "medical"])
    data = {
        "med-held_on": today.isoformat(),
        "med-shelter_advice": "medical",
        "med-note": "Geheime notitie",
    }
    medic = client_as("medisch-amsterdam")
    assert medic.post(step, data).status_code == 404  # no consent yet
    consent_give(
        person=stay.person,
        party="medical",
        categories=["identity", "stay", "medical"],
        method="participation_form",
        by=user("ngo-amsterdam"),
    )
    assert medic.post(step, data).status_code == 302
    assert "Geheime notitie" in medic.get(_case(stay)).content.decode()
    coordinator_page = client_as("gemeente-amsterdam").get(_case(stay)).content.decode()
    assert (
        "Medische opvangplek nodig" in coordinator_page
        and "Geheime notitie" not in coordinator_page
    )


def test_avim_records_identity_only_with_consent(pilots, client_as, today):
    stay, _ = register("Rotterdam")
    admit("Rotterdam", stay)
    step = reverse("workflow:case_step", args=[stay.pk, "identity"])
    data = {"id-result": "fraud_found", "id-concluded_on": today.isoformat()}
    avim = client_as("avim-rotterdam")
    assert avim.post(step, data).status_code == 404
    consent_give(
        person=stay.person,
        party="avim",
        categories=["identity", "stay"],
        method="participation_form",
        by=user("ngo-rotterdam"),
    )
    assert avim.post(step, data).status_code == 302
    assert stay.identity_investigations.get().result == "fraud_found"


def test_scenario_decision_from_the_meeting_agenda(pilots, client_as, today):
    stay, _ = register("Amsterdam")
    admit("Amsterdam", stay, on=today)
    client = client_as("gemeente-amsterdam")
    meeting = services.meeting_create(
        lvv=stay.lvv, by=user("gemeente-amsterdam"), kind="lso", held_on=today
    )
    url = reverse("workflow:meeting", args=[meeting.pk])
    assert client.post(url, {"stay": str(stay.pk), "scenario": "return"}).status_code == 302
    stay.refresh_from_db()
    assert stay.scenario == "return" and stay.scenario_discussed_in_lso
    assert meeting.agenda.get(stay=stay).discussed
    assert (
        client_as("ind-amsterdam")
        .post(url, {"stay": str(stay.pk), "scenario": "legalisation"})
        .status_code
        == 403
    )


def test_meeting_page_offers_scenarios(pilots, client_as, today):
    stay, _ = register("Utrecht")
    admit("Utrecht", stay, on=today)
    meeting = services.meeting_create(
        lvv=stay.lvv, by=user("gemeente-utrecht"), kind="lso", held_on=today
    )
    body = (
        client_as("gemeente-utrecht")
        .get(reverse("workflow:meeting", args=[meeting.pk]))
        .content.decode()
    )
    assert "Terugkeer naar land van herkomst" in body
