"""The one door to person data (STYLE.md "One permission layer").

Every read or change of a person or stay, in views, htmx partials, the API, exports and commands,
goes through these functions. They decide with `rules` (the access matrix), raise the same 404 for
missing and forbidden, and write an access-log line for every person concerned, allowed or refused.
Nothing else in the code filters persons by LVV, organisation or consent.

Templates and serializers ask `visible_categories(user, person)` which categories of data they may
show (consent can narrow it); they must hide the rest."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lvv.access import rules
from lvv.access.context import audit_record_for, current
from lvv.access.models import AccessRecord, Channel, DataCategory, Outcome, ProcessingActivity
from lvv.access.pseudonyms import person_pseudonym, person_pseudonyms
from lvv.accounts.models import User
from lvv.registry.models import LVV, Person, Stay

__all__ = [
    "DataCategory",
    "PersonNotFound",
    "ProcessingActivity",
    "access_person",
    "access_stay",
    "can_configure",
    "can_export_caseload",
    "can_register_anywhere",
    "can_register_in",
    "can_research_export",
    "can_see_aggregates",
    "can_see_persons",
    "can_view_access_log",
    "changeable_stays",
    "log_access",
    "log_access_bulk",
    "logged_processing",
    "lvvs_of",
    "persons_visible_to",
    "registrable_lvvs",
    "stays_visible_to",
    "visible_categories",
    "visible_categories_bulk",
    "visible_stays_of",
]


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


def registrable_lvvs(user: User) -> QuerySet[LVV]:
    """The LVVs in which the user may register persons."""
    return rules.registrable_lvvs(user)


def can_see_persons(user: User) -> bool:
    return rules.can_see_persons(user)


can_change_stay = rules.can_change_stay
can_export_caseload = rules.can_export_caseload
can_see_aggregates = rules.can_see_aggregates
can_research_export = rules.can_research_export
can_view_access_log = rules.can_view_access_log
can_configure = rules.can_configure
can_record_consent = rules.can_record_consent


def visible_categories(
    user: User, person: Person | Stay | uuid.UUID | str, *, action: str = rules.VIEW
) -> set[str]:
    """The data categories (DataCategory values) of this person that the user may see (or, with
    action="change"/"export", change or export): the role's categories, narrowed by the person's
    consent for consent-based roles. Empty when the person is out of the user's reach."""
    person_id: uuid.UUID | None
    if isinstance(person, Stay):
        person_id = person.person_id
    elif isinstance(person, Person):
        person_id = person.pk
    else:
        person_id = _parse_uuid(person)
    reached = isinstance(person, Person) and getattr(person, _REACHED_BY, None) == user.pk
    if not reached and (
        person_id is None or not persons_visible_to(user).filter(pk=person_id).exists()
    ):
        return set()
    return rules.visible_categories(user, person_id, action)


# Set by access_person on the Person it returns: the user it was allowed to. visible_categories need
# not ask again whether that user can reach that person (the same request, a moment later).
_REACHED_BY = "_lvv_gate_reached_by"


def visible_stays_of(
    user: User, person: Person, *, select_related: Iterable[str] = ()
) -> list[Stay]:
    """The stays of this person that the user may see (`stays_visible_to`), newest registration
    first, as a list: for the person page, which asks `changeable_stays` of them next. Each is
    marked as reached by this user, so that question needs no query."""
    stays = list(
        stays_visible_to(user)
        .filter(person=person)
        .select_related(*select_related)
        .order_by("-registration_date", "-created_at")
    )
    for stay in stays:
        setattr(stay, _REACHED_BY, user.pk)
    return stays


def can_register_anywhere(user: User, *, shown: Iterable[Stay] = ()) -> bool:
    """Whether there is an LVV in which the user may register persons (`registrable_lvvs`). A stay
    `visible_stays_of` just read for this user lies in one of the user's LVVs, so for a role that
    registers the answer is then yes without a query."""
    if not rules.may_change_stays(user):
        return False
    if any(getattr(s, _REACHED_BY, None) == user.pk for s in shown):
        return True
    return registrable_lvvs(user).exists()


def changeable_stays(user: User, stays: Iterable[Stay]) -> set[uuid.UUID]:
    """The ids of those of `stays` the user may change (`can_change_stay` for each), in one query
    whatever their number (none for roles that change nothing; none either for stays that
    `visible_stays_of` just read for this user: a stay the user may see is one they may change,
    when their role changes stays at all)."""
    stays = list(stays)
    ids = [s.pk for s in stays]
    if not ids or not rules.may_change_stays(user):
        return set()
    if all(getattr(s, _REACHED_BY, None) == user.pk for s in stays):
        return set(ids)
    return set(stays_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_categories_bulk(
    user: User, people: Iterable[Person | Stay | uuid.UUID | str], *, action: str = rules.VIEW
) -> dict[uuid.UUID, set[str]]:
    """`visible_categories` of many persons (given as persons, stays or ids), keyed by person id,
    in at most two queries whatever their number: which of them the user can reach, and (for
    consent-based roles) their consent state. For lists and API pages."""
    ids: list[uuid.UUID] = []
    for item in people:
        pid: uuid.UUID | None
        if isinstance(item, Stay):
            pid = item.person_id
        elif isinstance(item, Person):
            pid = item.pk
        else:
            pid = _parse_uuid(item)
        if pid is not None:
            ids.append(pid)
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    reachable = set(persons_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    shown = rules.visible_categories_bulk(user, [pid for pid in ids if pid in reachable], action)
    return {pid: shown.get(pid, set()) for pid in ids}


def log_access(
    user: User | None,
    *,
    persons: Iterable[uuid.UUID | str | None],
    operation: str,
    activity: str,
    channel: str | None = None,
    outcome: str = Outcome.ALLOWED,
    categories: Iterable[str] = ("identity", "stay"),
    stay_id: uuid.UUID | str | None = None,
    trace_id: uuid.UUID | None = None,
    started_at=None,
) -> list[AccessRecord]:
    """Write one access-log line per person concerned (persons given by id), linked to one audit
    record of who did it and from where. Written through the log's own connection: it stays even
    when the caller's transaction rolls back. `stay_id` is accepted for callers' convenience but not
    stored (the line names the person, pseudonymised)."""
    now = timezone.now()
    ctx = current()
    channel = channel or (ctx.channel if ctx else Channel.COMMAND)
    trace = trace_id or (ctx.trace_id if ctx else uuid.uuid4())
    ids = [pid for pid in persons if pid is not None]
    if not ids:
        return []
    audit = audit_record_for(user, channel=channel, trace_id=trace)
    cats = sorted(set(categories))
    records = [
        AccessRecord(
            audit=audit,
            trace_id=trace,
            started_at=started_at or now,
            ended_at=now,
            person_pseudonym=person_pseudonym(pid),
            operation=operation,
            categories=cats,
            activity=activity,
            outcome=outcome,
        )
        for pid in ids
    ]
    if len(records) == 1:
        # One INSERT on the log's autocommit connection is a transaction by itself; bulk_create
        # would add a BEGIN and a COMMIT, two more round trips on every person page and read.
        records[0].save(force_insert=True)
        return records
    return AccessRecord.objects.bulk_create(records)


def log_access_bulk(
    user: User | None,
    *,
    persons: Iterable[uuid.UUID | str | None],
    operation: str,
    activity: str,
    channel: str | None = None,
    outcome: str = Outcome.ALLOWED,
    categories: Iterable[str] = ("identity", "stay"),
    trace_id: uuid.UUID | None = None,
    started_at=None,
) -> int:
    """`log_access` for many persons at once (a page of the case list, exports, imports): the same
    lines, linked to the same audit record, written in one statement batch (COPY on PostgreSQL)
    without model instances. Returns the number of lines written."""
    now = timezone.now()
    ctx = current()
    channel = channel or (ctx.channel if ctx else Channel.COMMAND)
    trace = trace_id or (ctx.trace_id if ctx else uuid.uuid4())
    ids = [pid for pid in persons if pid is not None]
    if not ids:
        return 0
    audit = audit_record_for(user, channel=channel, trace_id=trace)
    alias = router.db_for_write(AccessRecord)
    connection = connections[alias]
    fixed = {
        "audit": audit.pk,
        "trace_id": trace,
        "started_at": started_at or now,
        "ended_at": now,
        "operation": operation,
        "categories": sorted(set(categories)),
        "activity": activity,
        "outcome": outcome,
    }
    by_name = {f.name: f for f in AccessRecord._meta.concrete_fields}
    names = [*fixed, "person_pseudonym"]
    fields = [by_name[n] for n in names]
    # Every value but the pseudonym is the same on each line: adapt those once.
    head = [by_name[n].get_db_prep_save(v, connection) for n, v in fixed.items()]
    rows = ([*head, pseudo] for pseudo in person_pseudonyms(ids))
    quote = connection.ops.quote_name
    table = quote(AccessRecord._meta.db_table)
    # A concrete field always has a column; the stubs type Field.column as str | None.
    cols = ", ".join(quote(f.column) for f in fields)  # type: ignore[arg-type]
    if connection.vendor == "postgresql":
        # One COPY is one statement, all or nothing by itself on the log's autocommit connection
        # (no BEGIN and COMMIT round trips on every page of the case list).
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return len(ids)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))  # noqa: S608
    return len(ids)


@contextlib.contextmanager
def logged_processing(
    user: User | None,
    *,
    persons: Iterable[uuid.UUID | str],
    operation: str,
    activity: str,
    channel: str | None = None,
    categories: Iterable[str] = ("identity", "stay"),
):
    """Log a processing that may fail: `allowed` when the block completes, `failed` when it raises
    (the exception propagates). For exports and commands that process many persons at once."""
    started = timezone.now()
    persons = list(persons)
    try:
        yield
    except Exception:
        log_access(
            user,
            persons=persons,
            operation=operation,
            activity=activity,
            channel=channel,
            outcome=Outcome.FAILED,
            categories=categories,
            started_at=started,
        )
        raise
    log_access(
        user,
        persons=persons,
        operation=operation,
        activity=activity,
        channel=channel,
        categories=categories,
        started_at=started,
    )


def _parse_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _shown_of(may: set[str], categories: Iterable[str] | None) -> set[str] | None:
    """The categories a reach of one person shows: all the user may see, or, when the caller asks
    for some, those; None (refused) when one asked for is not among those the user may see."""
    if categories is None:
        return may
    wanted = set(categories)
    return wanted if wanted <= may else None


def _log_reach(
    user: User,
    person_id: uuid.UUID,
    *,
    shown: set[str] | None,
    categories: Iterable[str] | None,
    operation: str,
    activity: str,
    channel: str | None,
    started: dt.datetime,
) -> None:
    """The access-log line of one access_person or access_stay: allowed with the categories
    shown, or refused (shown is None) with the categories asked for."""
    log_access(
        user,
        persons=[person_id],
        operation=operation,
        activity=activity,
        channel=channel,
        outcome=Outcome.ALLOWED if shown is not None else Outcome.REFUSED,
        categories=shown if shown is not None else (categories or ()),
        started_at=started,
    )


def access_person(
    user: User,
    person_id: uuid.UUID | str,
    *,
    activity: str = ProcessingActivity.CASE_MANAGEMENT,
    operation: str = "read",
    channel: str | None = None,
    categories: Iterable[str] | None = None,
) -> Person:
    """The person, if the user may see them; PersonNotFound otherwise. Logs either way, with the
    categories the user is shown (or, when given, the categories asked for; a request for a
    category the user may not see is refused)."""
    started = timezone.now()
    pk = _parse_uuid(person_id)
    person = persons_visible_to(user).filter(pk=pk).first() if pk else None
    shown: set[str] | None = None
    if person is not None:
        action = rules.VIEW if operation == "read" else rules.CHANGE
        may = rules.visible_categories(user, person.pk, action)
        # A change needs at least one category the user may change.
        if operation == "read" or may:
            shown = _shown_of(may, categories)
        if shown is None:
            person = None
        else:
            setattr(person, _REACHED_BY, user.pk)
    if pk is not None and (person is not None or Person.objects.filter(pk=pk).exists()):
        _log_reach(
            user,
            pk,
            shown=shown,
            categories=categories,
            operation=operation,
            activity=activity,
            channel=channel,
            started=started,
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
    channel: str | None = None,
    categories: Iterable[str] | None = None,
) -> Stay:
    """The stay, if the user may see it (and, for operation != 'read', change it)."""
    started = timezone.now()
    pk = _parse_uuid(stay_id)
    stay = (
        stays_visible_to(user).select_related("person", "lvv").filter(pk=pk).first() if pk else None
    )
    if stay is not None and operation != "read" and not rules.can_change_stay(user, stay):
        stay = None
    shown: set[str] | None = None
    if stay is not None:
        may = rules.visible_categories(user, stay.person_id, rules.VIEW)
        shown = _shown_of(may, categories)
        if shown is None:
            stay = None
    existing = stay or (Stay.objects.filter(pk=pk).only("person_id").first() if pk else None)
    if existing is not None:
        _log_reach(
            user,
            existing.person_id,
            shown=shown,
            categories=categories,
            operation=operation,
            activity=activity,
            channel=channel,
            started=started,
        )
    if stay is None:
        raise PersonNotFound()
    return stay
