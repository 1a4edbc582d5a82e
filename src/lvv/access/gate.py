"""The one door to person data (STYLE.md "One permission layer").

Every read or change of a person or stay, in views, htmx partials, the API, exports and commands,
goes through these functions. They decide with `rules`, raise the same 404 for missing and
forbidden, and write an access record for every person concerned, allowed or refused. Nothing else
in the code filters persons by LVV, organisation or consent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lvv.access import rules
from lvv.access.models import AccessRecord, ProcessingActivity
from lvv.accounts.models import User
from lvv.registry.models import LVV, Person, Stay


class PersonNotFound(Http404):
    """Raised for a person or stay that does not exist *or* that the user may not see: the caller
    cannot tell the difference."""

    def __init__(self) -> None:
        super().__init__(_("Deze persoon bestaat niet of u heeft geen toegang."))


def stays_visible_to(user: User) -> QuerySet[Stay]:
    return Stay.objects.filter(rules.stay_filter(user))


def persons_visible_to(user: User) -> QuerySet[Person]:
    return Person.objects.filter(Exists(stays_visible_to(user).filter(person=OuterRef("pk"))))


def lvvs_of(user: User) -> QuerySet[LVV]:
    """The LVVs a user works in (for pickers and defaults, not for filtering persons)."""
    return rules.lvvs_of(user)


def can_register_in(user: User, lvv: LVV) -> bool:
    return rules.can_register_in(user, lvv)


def can_see_persons(user: User) -> bool:
    return rules.can_see_persons(user)


def log_access(
    user: User | None,
    *,
    persons: Iterable[uuid.UUID | str | None],
    operation: str,
    activity: str,
    channel: str = AccessRecord.Channel.WEB,
    outcome: str = AccessRecord.Outcome.ALLOWED,
    categories: Iterable[str] = ("identity", "stay"),
    stay_id: uuid.UUID | str | None = None,
    trace_id: uuid.UUID | None = None,
    started_at=None,
) -> list[AccessRecord]:
    """Write one access record per person concerned."""
    now = timezone.now()
    organisation = getattr(getattr(user, "organisation", None), "name", "")
    records = [
        AccessRecord(
            trace_id=trace_id or uuid.uuid4(),
            started_at=started_at or now,
            ended_at=now,
            person_id=person_id,
            stay_id=stay_id,
            operation=operation,
            categories=list(categories),
            activity=activity,
            channel=channel,
            outcome=outcome,
            user_id=getattr(user, "pk", None),
            username=getattr(user, "username", "") or "",
            organisation=organisation,
            role=getattr(user, "role", "") or "",
        )
        for person_id in persons
    ]
    return AccessRecord.objects.bulk_create(records)


def _parse_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def access_person(
    user: User,
    person_id: uuid.UUID | str,
    *,
    activity: str = ProcessingActivity.CASE_MANAGEMENT,
    operation: str = "read",
    channel: str = AccessRecord.Channel.WEB,
) -> Person:
    """The person, if the user may see them; PersonNotFound otherwise. Logs either way."""
    started = timezone.now()
    pk = _parse_uuid(person_id)
    person = persons_visible_to(user).filter(pk=pk).first() if pk else None
    outcome = AccessRecord.Outcome.ALLOWED if person else AccessRecord.Outcome.REFUSED
    if pk is not None and (person is not None or Person.objects.filter(pk=pk).exists()):
        log_access(
            user,
            persons=[pk],
            operation=operation,
            activity=activity,
            channel=channel,
            outcome=outcome,
            started_at=started,
        )
    if person is None:
        raise PersonNotFound()
    return person


def access_stay(
    user: User,
    stay_id: uuid.UUID | str,
    *,
    activity: str = ProcessingActivity.CASE_MANAGEMENT,
    operation: str = "read",
    channel: str = AccessRecord.Channel.WEB,
) -> Stay:
    """The stay, if the user may see it (and, for operation != 'read', change it)."""
    started = timezone.now()
    pk = _parse_uuid(stay_id)
    stay = (
        stays_visible_to(user).select_related("person", "lvv").filter(pk=pk).first() if pk else None
    )
    if stay is not None and operation != "read" and not rules.can_change_stay(user, stay):
        stay = None
    outcome = AccessRecord.Outcome.ALLOWED if stay else AccessRecord.Outcome.REFUSED
    existing = stay or (Stay.objects.filter(pk=pk).only("person_id").first() if pk else None)
    if existing is not None:
        log_access(
            user,
            persons=[existing.person_id],
            stay_id=existing.pk,
            operation=operation,
            activity=activity,
            channel=channel,
            outcome=outcome,
            started_at=started,
        )
    if stay is None:
        raise PersonNotFound()
    return stay
