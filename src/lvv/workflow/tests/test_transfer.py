"""Moving to another LVV initiated by the RECEIVING LVV (issue 4 item 12): the coordinator there
registers the person, the national duplicate check finds the stay elsewhere, the pair is confirmed
as the same person, and the new stay is linked to the previous one. And re-admission through the
registry's own page runs the same national duplicate check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from lvv.workflow import selectors, services
from lvv.workflow.models import DuplicateCandidate
from lvv.workflow.tests.conftest import admit, lvv, register, user

pytestmark = pytest.mark.django_db


def _known_in_amsterdam(today, **kw):
    stay, _ = register(
        "Amsterdam",
        given="Samuel",
        family="Bekele",
        birth_year=1985,
        country="ETH",
        on=today - dt.timedelta(days=120),
        **kw,
    )
    admit("Amsterdam", stay)
    return stay


def _arrives_in_utrecht(today):
    stay, matches = register(
        "Utrecht",
        given="Samuel",
        family="Bekele",
        birth_year=1985,
        country="ETH",
        on=today - dt.timedelta(days=2),
    )
    return stay, matches


def test_receiving_lvv_links_the_stay_found_by_the_duplicate_check(pilots, today, client):
    previous = _known_in_amsterdam(today)
    stay, matches = _arrives_in_utrecht(today)
    # The registering coordinator learns only where and whom to contact.
    assert matches and matches[0]["where"] == [
        {"lvv": "Amsterdam", "contact": "Gemeente Amsterdam"}
    ]
    # Before the pair is confirmed as the same person there is nothing to link.
    assert selectors.transfer_sources(stay) == []
    with pytest.raises(ValidationError, match="komt niet in aanmerking"):
        services.stay_link_previous(
            stay=stay, previous_stay_id=previous.pk, by=user("gemeente-utrecht")
        )
    candidate = DuplicateCandidate.objects.get(pk=matches[0]["candidate_id"])
    services.duplicate_decide(candidate=candidate, by=user("gemeente-utrecht"), same=True)
    sources = selectors.transfer_sources(stay)
    assert [(s["stay_id"], s["lvv"], s["open"]) for s in sources] == [
        (previous.pk, "Amsterdam", True)
    ]

    # Through the case page of the receiving LVV.
    client.force_login(user("gemeente-utrecht"))
    case = reverse("workflow:case", args=[stay.pk])
    page = client.get(case).content.decode()
    assert "Komt over uit een andere LVV?" in page and "Gemeente Amsterdam" in page
    assert "Bekele" not in page.split("Komt over uit")[1].split("</section>")[0]
    step = reverse("workflow:case_step", args=[stay.pk, "link_previous"])
    response = client.post(step, {"prev-previous_stay": str(previous.pk)})
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.previous_stay_id == previous.pk
    page = client.get(case).content.decode()
    assert "Overgekomen uit <strong>Amsterdam</strong>" in page
    # Utrecht's role does not reach Amsterdam's file: it is told whom to contact instead.
    assert "voor uw rol niet zichtbaar" in page
    assert "Komt over uit een andere LVV?" not in page
    # The sending LVV sees where the person went (and can register its outflow).
    client.force_login(user("gemeente-amsterdam"))
    page = client.get(reverse("workflow:case", args=[previous.pk])).content.decode()
    assert "Doorgestroomd naar <strong>Utrecht</strong>" in page
    # A link is made once.
    with pytest.raises(ValidationError, match="al gekoppeld"):
        services.stay_link_previous(
            stay=stay, previous_stay_id=previous.pk, by=user("gemeente-utrecht")
        )


@pytest.mark.parametrize(
    ("closed_days_ago", "offered"),
    [(selectors.TRANSFER_RECENT_DAYS - 10, True), (selectors.TRANSFER_RECENT_DAYS + 10, False)],
)
def test_only_open_or_recently_closed_stays_elsewhere_qualify(
    pilots, today, closed_days_ago, offered
):
    previous = _known_in_amsterdam(today)
    services.outflow_register(
        stay=previous,
        by=user("gemeente-amsterdam"),
        kind="other_lvv",
        on=today - dt.timedelta(days=closed_days_ago),
    )
    stay, matches = _arrives_in_utrecht(today)
    candidate = DuplicateCandidate.objects.get(pk=matches[0]["candidate_id"])
    services.duplicate_decide(candidate=candidate, by=user("gemeente-utrecht"), same=True)
    sources = selectors.transfer_sources(stay)
    # Closed longer ago than the window: a new start, not a move.
    assert [(s["stay_id"], s["open"]) for s in sources] == (
        [(previous.pk, False)] if offered else []
    )


def test_undoing_the_person_link_removes_the_source(pilots, today):
    previous = _known_in_amsterdam(today)
    stay, matches = _arrives_in_utrecht(today)
    candidate = DuplicateCandidate.objects.get(pk=matches[0]["candidate_id"])
    services.duplicate_decide(candidate=candidate, by=user("gemeente-utrecht"), same=True)
    link = candidate.links.get()
    services.person_link_undo(link=link, by=user("gemeente-utrecht"), reason="Toch iemand anders")
    assert selectors.transfer_sources(stay) == []
    assert previous.pk  # untouched


def test_registry_readmission_page_runs_the_national_duplicate_check(pilots, today, client):
    _known_in_amsterdam(today)
    stay, _ = register(
        "Rotterdam",
        given="Samuel",
        family="Bekelé",
        birth_year=1986,
        country="ETH",
        on=today - dt.timedelta(days=400),
    )
    services.admission_decide(
        stay=stay,
        by=user("gemeente-rotterdam"),
        on=stay.registration_date,
        admit=False,
        reason="Geen plek",
    )
    DuplicateCandidate.objects.all().delete()  # as if the first check predates the match
    client.force_login(user("gemeente-rotterdam"))
    url = reverse("registry:person_register_stay", kwargs={"person_id": stay.person_id})
    response = client.post(
        url,
        {
            "lvv": lvv("Rotterdam").pk,
            "registration_date": today.isoformat(),
            "target_group": "convenant",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mogelijk al bekend in een andere registratie: Amsterdam" in page
    pair = DuplicateCandidate.objects.filter(
        Q(person_a_id=stay.person_id) | Q(person_b_id=stay.person_id)
    )
    assert pair.count() == 1


def _register_new_in_rotterdam(client, today, **person):
    """Post the registry's new-person form as the municipality of Rotterdam; the page after it."""
    client.force_login(user("gemeente-rotterdam"))
    response = client.post(
        reverse("registry:person_register"),
        {
            **person,
            "lvv": lvv("Rotterdam").pk,
            "registration_date": today.isoformat(),
            "target_group": "convenant",
        },
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_registry_new_person_page_runs_the_national_duplicate_check(pilots, today, client):
    known = _known_in_amsterdam(today)
    page = _register_new_in_rotterdam(
        client,
        today,
        given_names="Samuel",
        family_name="Bekelé",
        birth_year="1985",
        gender="male",
        country="ETH",
    )
    assert "De persoon is aangemeld." in page
    assert "Mogelijk al bekend in een andere registratie: Amsterdam" in page
    # Only where and whom to contact: nothing of the Amsterdam file itself.
    assert str(known.person_id) not in page
    pair = DuplicateCandidate.objects.filter(
        Q(person_a_id=known.person_id) | Q(person_b_id=known.person_id)
    )
    assert pair.count() == 1


def test_registry_new_person_page_without_a_match_says_nothing_more(pilots, today, client):
    _known_in_amsterdam(today)
    page = _register_new_in_rotterdam(
        client,
        today,
        given_names="Ingrid",
        family_name="Vasquez",
        birth_year="1972",
        gender="female",
        country="VEN",
    )
    assert "De persoon is aangemeld." in page and "Mogelijk al bekend" not in page
    assert not DuplicateCandidate.objects.exists()
