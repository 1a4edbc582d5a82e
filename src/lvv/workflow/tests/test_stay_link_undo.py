"""Undoing the receiving LVV's link to a previous stay (ADR 0106): behind the permission that
links, with a reason, recorded (who, when, why) in `StayLink`, checked against the version the
page showed, and followed by every consumer of `Stay.previous_stay`; afterwards the stay can be
linked again."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lvv.access.consent import consent_give
from lvv.access.models import AccessRecord
from lvv.registry.models import Stay
from lvv.registry.services import ConflictError
from lvv.workflow import selectors, services
from lvv.workflow.models import DuplicateCandidate, StayLink
from lvv.workflow.tests.conftest import admit, register, user

pytestmark = pytest.mark.django_db


def _pair(today):
    """Samuel is admitted in Amsterdam and turns up in Utrecht; the pair is confirmed the same
    person. Returns (Amsterdam's stay, Utrecht's new stay, the person link)."""
    person = {"given": "Samuel", "family": "Bekele", "birth_year": 1985, "country": "ETH"}
    previous, _ = register("Amsterdam", on=today - dt.timedelta(days=120), **person)
    admit("Amsterdam", previous)
    stay, matches = register("Utrecht", on=today - dt.timedelta(days=2), **person)
    candidate = DuplicateCandidate.objects.get(pk=matches[0]["candidate_id"])
    services.duplicate_decide(candidate=candidate, by=user("gemeente-utrecht"), same=True)
    return previous, stay, candidate.links.get()


def _linked(today):
    previous, stay, person_link = _pair(today)
    stay = services.stay_link_previous(
        stay=stay, previous_stay_id=previous.pk, by=user("gemeente-utrecht")
    )
    return previous, stay, person_link


def _unlink_lines() -> int:
    return AccessRecord.objects.filter(operation="unlink_previous_stay").count()


# The service -------------------------------------------------------------------------------------


def test_only_who_may_link_may_undo_and_a_reason_is_required(pilots, today):
    previous, stay, _ = _linked(today)
    version = stay.version
    # Amsterdam's coordinator sees their own stay, not Utrecht's: refused, nothing changes.
    with pytest.raises(PermissionDenied):
        services.stay_link_undo(stay=stay, by=user("gemeente-amsterdam"), reason="Vergissing")
    with pytest.raises(ValidationError) as error:
        services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason="  ")
    assert "reason" in error.value.message_dict
    stay.refresh_from_db()
    assert stay.previous_stay_id == previous.pk and stay.version == version
    assert StayLink.objects.get(stay=stay).active and _unlink_lines() == 0
    # The same setup with Utrecht's coordinator: undone.
    link = services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason=" Vergissing ")
    assert (link.undone_by, link.undo_reason) == (user("gemeente-utrecht"), "Vergissing")
    assert link.undone_at is not None and link.linked_by == user("gemeente-utrecht")
    assert _unlink_lines() == 2  # one line for each person record concerned


def test_linking_needs_the_same_permission(pilots, today):
    previous, stay, _ = _pair(today)
    with pytest.raises(PermissionDenied):
        services.stay_link_previous(
            stay=stay, previous_stay_id=previous.pk, by=user("gemeente-amsterdam")
        )
    assert not StayLink.objects.exists()


def test_undo_then_link_again_and_consumers_follow(pilots, today):
    previous, stay, _ = _linked(today)
    assert list(previous.next_stays.all()) == [stay]
    services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason="Verkeerd verblijf")
    stay.refresh_from_db()
    assert stay.previous_stay_id is None
    # The sending LVV no longer sees the move; the receiving LVV is offered the source again.
    assert list(previous.next_stays.all()) == []
    assert [s["stay_id"] for s in selectors.transfer_sources(stay)] == [previous.pk]
    # Linked again (here to the same stay): a new history row, the old one kept.
    stay = services.stay_link_previous(
        stay=stay, previous_stay_id=previous.pk, by=user("ngo-utrecht")
    )
    assert stay.previous_stay_id == previous.pk
    rows = list(StayLink.objects.filter(stay=stay).order_by("pk"))
    assert [(r.active, r.linked_by and r.linked_by.username) for r in rows] == [
        (False, "gemeente-utrecht"),
        (True, "ngo-utrecht"),
    ]
    assert list(previous.next_stays.all()) == [stay]


def test_undoing_twice_or_from_a_stale_page_changes_nothing(pilots, today):
    previous, stay, _ = _linked(today)
    shown = stay.version
    services.stay_link_undo(
        stay=stay, by=user("gemeente-utrecht"), reason="Vergissing", expected_version=shown
    )
    # A second click from the same page: the version moved on, a conflict.
    with pytest.raises(ConflictError):
        services.stay_link_undo(
            stay=stay, by=user("gemeente-utrecht"), reason="Nog eens", expected_version=shown
        )
    # Without a version (a command, a retry): said plainly, nothing written.
    with pytest.raises(ValidationError, match="niet \\(meer\\) gekoppeld"):
        services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason="Nog eens")
    assert StayLink.objects.filter(stay=stay, undone_at__isnull=False).count() == 1
    assert _unlink_lines() == 2

    # Someone relinked meanwhile: a page still showing the first link cannot undo the new one.
    stay.refresh_from_db()
    before_relink = stay.version
    stay = services.stay_link_previous(
        stay=stay, previous_stay_id=previous.pk, by=user("ngo-utrecht")
    )
    assert stay.version == before_relink + 1
    with pytest.raises(ConflictError):
        services.stay_link_undo(
            stay=stay, by=user("gemeente-utrecht"), reason="Oud", expected_version=before_relink
        )
    assert StayLink.objects.get(stay=stay, undone_at__isnull=True).linked_by == user("ngo-utrecht")


def test_a_link_made_at_registration_by_the_sending_lvv_is_not_undone_here(pilots, today):
    previous, _ = register("Amsterdam", on=today - dt.timedelta(days=60))
    admit("Amsterdam", previous)
    amsterdam = user("gemeente-amsterdam")
    services.outflow_register(stay=previous, by=amsterdam, kind="other_lvv", on=today)
    previous.refresh_from_db()
    utrecht = previous.lvv.__class__.objects.get(name="Utrecht")
    moved = services.stay_transfer(previous=previous, to_lvv=utrecht, by=amsterdam, on=today)
    with pytest.raises(ValidationError, match="bij de aanmelding"):
        services.stay_link_undo(stay=moved, by=user("gemeente-utrecht"), reason="Vergissing")
    moved.refresh_from_db()
    assert moved.previous_stay_id == previous.pk


def test_the_migration_gives_earlier_case_page_links_a_history_row(pilots, today):
    """Links made on the case page before ADR 0106 get a row (who and when unknown) and can be
    undone; a link made at registration by the sending LVV gets none."""
    previous, stay, _ = _pair(today)
    Stay.objects.filter(pk=stay.pk).update(previous_stay=previous)  # as the old service did
    other, _ = register("Rotterdam", family="Anders", on=today - dt.timedelta(days=30))
    admit("Rotterdam", other)
    rotterdam = user("gemeente-rotterdam")
    services.outflow_register(stay=other, by=rotterdam, kind="other_lvv", on=today)
    other.refresh_from_db()
    moved = services.stay_transfer(
        previous=other,
        to_lvv=previous.lvv.__class__.objects.get(name="Groningen"),
        by=rotterdam,
        on=today,
    )
    migration = importlib.import_module("lvv.workflow.migrations.0005_stay_link_history")
    migration.backfill(apps, None)
    row = StayLink.objects.get()
    assert (row.stay_id, row.previous_stay_id, row.linked_by, row.linked_at) == (
        stay.pk,
        previous.pk,
        None,
        None,
    )
    assert not StayLink.objects.filter(stay=moved).exists()
    services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason="Vergissing")
    stay.refresh_from_db()
    assert stay.previous_stay_id is None


# The case page -----------------------------------------------------------------------------------


def _case(stay):
    return reverse("workflow:case", args=[stay.pk])


def _step(stay):
    return reverse("workflow:case_step", args=[stay.pk, "unlink_previous"])


def test_case_page_offers_undo_only_to_who_may_link(pilots, today, client):
    previous, stay, _ = _linked(today)
    client.force_login(user("gemeente-utrecht"))
    page = client.get(_case(stay)).content.decode()
    assert "Koppeling losmaken" in page and _step(stay) in page
    assert '<label for="id_unl-reason"' in page
    assert "Gekoppeld op" in page and "door Coördinator Utrecht" in page
    # IND sees the case (with consent) but does not change it: no undo.
    consent_give(
        person=stay.person,
        party="ind",
        categories=["identity", "stay"],
        method="participation_form",
        by=user("ngo-utrecht"),
    )
    client.force_login(user("ind-utrecht"))
    page = client.get(_case(stay)).content.decode()
    assert "Overgekomen uit" in page and "Koppeling losmaken" not in page
    response = client.post(_step(stay), {"unl-reason": "x", "unl-expected_version": stay.version})
    assert response.status_code == 404  # the gate's answer for what one may not change
    stay.refresh_from_db()
    assert stay.previous_stay_id == previous.pk


def test_undo_on_the_case_page_says_what_to_fix_then_records_it(pilots, today, client):
    previous, stay, _ = _linked(today)
    client.force_login(user("gemeente-utrecht"))
    response = client.post(_step(stay), {"unl-reason": "", "unl-expected_version": stay.version})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Geef aan waarom de koppeling wordt losgemaakt." in page
    # The error sits with the labelled field, and the details around the form are open.
    field = page.split('<div class="field invalid">', 1)[1].split("</div>", 1)[0]
    assert '<label for="id_unl-reason"' in field and "Geef aan waarom" in field
    assert 'aria-invalid="true"' in field
    assert "<details open><summary>Koppeling losmaken" in page
    # A stale version: the conflict is said, nothing is undone.
    response = client.post(
        _step(stay), {"unl-reason": "Vergissing", "unl-expected_version": stay.version - 1}
    )
    assert response.status_code == 400 and "intussen door iemand anders gewijzigd" in (
        response.content.decode()
    )
    stay.refresh_from_db()
    assert stay.previous_stay_id == previous.pk

    response = client.post(
        _step(stay), {"unl-reason": "Verkeerd verblijf", "unl-expected_version": stay.version}
    )
    assert response.status_code == 302 and response["Location"].endswith("#vorig")
    page = client.get(_case(stay)).content.decode()
    assert "Komt over uit een andere LVV?" in page  # can be linked again
    assert "Eerdere koppelingen" in page and "Verkeerd verblijf" in page
    assert "Overgekomen uit" not in page
    # The sending LVV no longer sees the move.
    client.force_login(user("gemeente-amsterdam"))
    page = client.get(_case(previous)).content.decode()
    assert "Doorgestroomd naar" not in page


def test_case_page_warns_when_the_duplicate_verdict_behind_the_link_was_undone(
    pilots, today, client
):
    _, stay, person_link = _linked(today)
    client.force_login(user("gemeente-utrecht"))
    assert "Controleer of dit vorige verblijf" not in client.get(_case(stay)).content.decode()
    services.person_link_undo(link=person_link, by=user("gemeente-utrecht"), reason="Twijfel")
    page = client.get(_case(stay)).content.decode()
    assert "Controleer of dit vorige verblijf" in page and "Koppeling losmaken" in page
    # Undone; the pair no longer confirmed, so nothing is offered to link again.
    services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason="Andere persoon")
    page = client.get(_case(stay)).content.decode()
    assert "Dit verblijf is nu niet gekoppeld" in page and "Andere persoon" in page
    assert "Komt over uit een andere LVV?" not in page


def test_case_page_queries_do_not_grow_with_the_link_history(
    pilots, today, client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    previous, stay, _ = _linked(today)
    client.force_login(user("gemeente-utrecht"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_case(stay)).status_code == 200
        return len(ctx.captured_queries)

    client.get(_case(stay))  # warm the session and caches
    services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason="Eerste")
    services.stay_link_previous(stay=stay, previous_stay_id=previous.pk, by=user("ngo-utrecht"))
    one = queries()
    for i in range(4):
        services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason=f"Nummer {i}")
        services.stay_link_previous(
            stay=stay, previous_stay_id=previous.pk, by=user("gemeente-utrecht")
        )
    assert queries() == one
    assert StayLink.objects.filter(stay=stay).count() == 6


@pytest.mark.parametrize(
    ("categories", "shown"), [(["identity", "stay"], True), (["identity"], False)]
)
def test_the_undo_reason_is_shown_to_whom_may_see_the_stay(
    pilots, today, client, categories, shown
):
    _, stay, _ = _linked(today)
    services.stay_link_undo(stay=stay, by=user("gemeente-utrecht"), reason="Verkeerd verblijf")
    consent_give(
        person=stay.person,
        party="ind",
        categories=categories,
        method="participation_form",
        by=user("ngo-utrecht"),
    )
    client.force_login(user("ind-utrecht"))
    response = client.get(_case(stay))
    assert response.status_code == 200
    assert ("Verkeerd verblijf" in response.content.decode()) is shown
