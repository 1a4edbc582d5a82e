"""Reads of the case workflow. Person-level lists take what lvv.access.gate lets the user see."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from lvv.access.gate import stays_visible_to
from lvv.access.rules import CASE_ROLES
from lvv.accounts.models import Organisation, User
from lvv.registry.models import LVV, Event, EventKind, Location, Policy, Stay
from lvv.registry.taxonomy import Scenario
from lvv.workflow.duplicates import Match, duplicates_find, reason_labels  # noqa: F401
from lvv.workflow.models import (
    Action,
    AdmissionVerdict,
    AgendaItem,
    Decision,
    DuplicateCandidate,
    Escalation,
    LegalCheck,
    LegalCheckSection,
    Meeting,
    PersonLink,
    StayLink,
)
from lvv.workflow.models.intake import SECTION_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

NEAR_MAXIMUM_DAYS = 30  # warn this many days before a stay reaches its maximum
UPCOMING_DAYS = 14


def _policy(lvv: LVV) -> Policy:
    return Policy.objects.get_or_create(lvv=lvv)[0]


# Places ------------------------------------------------------------------------------------------


def occupancy(lvv: LVV, on: dt.date) -> int:
    """People in the LVV on a date: admitted on or before it, not flowed out on or before it."""
    return (
        Stay.objects.filter(lvv=lvv, admission_date__lte=on)
        .filter(Q(outflow_date__isnull=True) | Q(outflow_date__gt=on))
        .count()
    )


def location_occupancy(location: Location) -> int:
    return Stay.objects.filter(location=location, status="admitted").count()


def locations_with_occupancy(lvv: LVV) -> QuerySet[Location]:
    return Location.objects.filter(lvv=lvv, active=True).annotate(
        taken=Count("stays", filter=Q(stays__status="admitted"))
    )


def waiting_list(stays: QuerySet[Stay], lvv: LVV) -> list[tuple[Stay, dt.date | None]]:
    """Who waits for a place in an LVV, in order of the date they were put on the list."""
    waiting = list(stays.filter(lvv=lvv, status="waiting").select_related("person"))
    dates = dict(
        Event.objects.filter(stay__in=waiting, kind=EventKind.STAY_WAITLISTED)
        .order_by("recorded_at")
        .values_list("stay_id", "valid_on")
    )
    rows = [(s, dates.get(s.pk)) for s in waiting]
    return sorted(rows, key=lambda r: (r[1] or dt.date.max, r[0].registration_date or dt.date.max))


# Maximum stay ------------------------------------------------------------------------------------


def _extended_until(stay: Stay) -> dt.date | None:
    from lvv.registry.history import stay_state

    return stay_state(stay.events.all()).extended_until


def stay_absolute_end(stay: Stay, *, policy: Policy | None = None) -> dt.date | None:
    policy = policy or _policy(stay.lvv)
    if not stay.admission_date or not policy.max_total_stay_days:
        return None
    return stay.admission_date + dt.timedelta(days=policy.max_total_stay_days)


_FOLD = object()  # stay_end_date: fold the stay's own events for its extension


def stay_end_date(
    stay: Stay, *, policy: Policy | None = None, extended_until: Any = _FOLD
) -> dt.date | None:
    """The last day of the stay under the LVV's maximum (with extensions); None without maximum.
    A caller that read the policy and the extension in bulk (`end_date_facts`) passes them."""
    policy = policy or _policy(stay.lvv)
    if not stay.admission_date or not policy.max_stay_days:
        return None
    if extended_until is _FOLD:
        extended_until = _extended_until(stay)
    end = extended_until or stay.admission_date + dt.timedelta(days=policy.max_stay_days)
    absolute = stay_absolute_end(stay, policy=policy)
    return min(end, absolute) if absolute else end


@dataclass
class EndDateFacts:
    """What `stay_end_date` needs for several stays, read in two queries."""

    policies: dict[int, Policy]
    extended_until: dict[uuid.UUID, dt.date | None]


# The events that decide a stay's extension (the fold of `_extended_until`).
EXTENSION_KINDS = (EventKind.STAY_EXTENDED, EventKind.EVENT_VOIDED)


def end_date_facts(stays: QuerySet[Stay]) -> EndDateFacts:
    """The policies of the stays' LVVs and each stay's extension (the event fold of its extension
    and void events: the same `stay_state` as `_extended_until`), whatever the number of stays.
    Stays without an extension event are absent from `extended_until` (no extension)."""
    from lvv.registry.history import stay_state

    policies = {p.lvv_id: p for p in Policy.objects.filter(lvv_id__in=stays.values("lvv_id"))}
    events: dict[uuid.UUID, list[Event]] = defaultdict(list)
    for event in Event.objects.filter(stay__in=stays.values("pk"), kind__in=EXTENSION_KINDS):
        if event.stay_id is not None:  # always: the filter is on stays
            events[event.stay_id].append(event)
    return EndDateFacts(
        policies=policies,
        extended_until={pk: stay_state(evs).extended_until for pk, evs in events.items()},
    )


def stays_near_maximum(
    stays: QuerySet[Stay], *, today: dt.date | None = None, within_days: int = NEAR_MAXIMUM_DAYS
) -> list[tuple[Stay, dt.date]]:
    """Open stays whose maximum ends within `within_days` (or has passed), soonest first. A few
    queries whatever the number of stays: extensions are read in bulk."""
    today = today or timezone.localdate()
    result = []
    for policy in Policy.objects.filter(max_stay_days__isnull=False):
        max_days = policy.max_stay_days
        if max_days is None:  # excluded by the filter
            continue
        # Only stays admitted long enough ago can be near their maximum.
        latest_admission = today - dt.timedelta(days=max_days - within_days)
        candidates = list(
            stays.filter(
                lvv_id=policy.lvv_id, status="admitted", admission_date__lte=latest_admission
            )
            .select_related("lvv", "person")
            .order_by("admission_date")
        )
        extended = _extensions([s.pk for s in candidates])
        for stay in candidates:
            admitted = stay.admission_date
            if admitted is None:  # excluded by the filter
                continue
            end = admitted + dt.timedelta(days=max_days)
            end = extended.get(stay.pk) or end
            if policy.max_total_stay_days:
                end = min(end, admitted + dt.timedelta(days=policy.max_total_stay_days))
            if end <= today + dt.timedelta(days=within_days):
                result.append((stay, end))
    return sorted(result, key=lambda r: r[1])


def _extensions(stay_ids: list[uuid.UUID]) -> dict[uuid.UUID, dt.date]:
    """The latest recorded, not voided `until` of each stay's extensions (as the event fold)."""
    if not stay_ids:
        return {}
    voided = set(
        Event.objects.filter(stay_id__in=stay_ids, kind=EventKind.EVENT_VOIDED).values_list(
            "supersedes_id", flat=True
        )
    )
    until: dict[uuid.UUID, dt.date] = {}
    for pk, stay_id, data in (
        Event.objects.filter(stay_id__in=stay_ids, kind=EventKind.STAY_EXTENDED)
        .order_by("recorded_at", "id")
        .values_list("pk", "stay_id", "data")
    ):
        if pk not in voided and data.get("until"):
            until[stay_id] = dt.date.fromisoformat(data["until"])
    return until


# Legal check -------------------------------------------------------------------------------------


@dataclass
class LegalCheckStatus:
    check: LegalCheck
    sections: list[LegalCheckSection]
    waiting_for: list[str]
    overdue: bool
    complete: bool


def legal_check_status(check: LegalCheck, today: dt.date | None = None) -> LegalCheckStatus:
    today = today or timezone.localdate()
    order = {"ind": 0, "dtv": 1, "ngo": 2}
    sections = sorted(
        check.sections.select_related("answered_by", "organisation"), key=lambda s: order[s.party]
    )
    waiting = [s.get_party_display() for s in sections if not s.answered]
    return LegalCheckStatus(
        check=check,
        sections=sections,
        waiting_for=waiting,
        overdue=bool(waiting) and check.due_on < today,
        complete=not waiting,
    )


def section_rows(section: LegalCheckSection) -> list[tuple[StrPromise, str]]:
    return [(label, getattr(section, name)) for name, label in SECTION_FIELDS[section.party]]


# Meetings ----------------------------------------------------------------------------------------


def agenda_proposal(meeting: Meeting, today: dt.date | None = None) -> list[tuple[Stay, list[str]]]:
    """The cases the system proposes for a meeting, with why: new admissions since the previous
    meeting of this kind, legal checks complete without a scenario decision since, overdue
    actions, stays near their maximum, proposed escalations. A narrower meeting (per NGO,
    cluster) only gets the cases of its organisation."""
    today = today or meeting.held_on
    stays = Stay.objects.filter(lvv=meeting.lvv, status="admitted")
    if meeting.scope_organisation_id:
        stays = stays.filter(organisation_id=meeting.scope_organisation_id)
    previous = (
        Meeting.objects.filter(lvv=meeting.lvv, kind=meeting.kind, held_on__lt=meeting.held_on)
        .order_by("-held_on")
        .first()
    )
    since = previous.held_on if previous else meeting.held_on - dt.timedelta(days=28)
    reasons: dict[uuid.UUID, list[str]] = defaultdict(list)

    for pk in stays.filter(
        admission_date__gt=since, admission_date__lte=meeting.held_on
    ).values_list("pk", flat=True):
        reasons[pk].append(AgendaItem.Reason.NEW_ADMISSION)
    decided = Decision.objects.filter(kind=Decision.Kind.SCENARIO)
    for check in LegalCheck.objects.filter(stay__in=stays).prefetch_related("sections"):
        if all(s.answered for s in check.sections.all()):
            last_answer = max(s.answered_at for s in check.sections.all() if s.answered_at)
            if not decided.filter(stay_id=check.stay_id, recorded_at__gte=last_answer).exists():
                reasons[check.stay_id].append(AgendaItem.Reason.LEGAL_CHECK_DONE)
    for pk in (
        Action.objects.filter(stay__in=stays, status=Action.Status.OPEN, due_on__lt=today)
        .values_list("stay_id", flat=True)
        .distinct()
    ):
        reasons[pk].append(AgendaItem.Reason.OVERDUE_ACTIONS)
    for stay, _end in stays_near_maximum(stays, today=today):
        reasons[stay.pk].append(AgendaItem.Reason.NEAR_MAXIMUM)
    for pk in Escalation.objects.filter(
        stay__in=stays, status=Escalation.Status.PROPOSED
    ).values_list("stay_id", flat=True):
        if AgendaItem.Reason.ESCALATION not in reasons[pk]:
            reasons[pk].append(AgendaItem.Reason.ESCALATION)
    by_pk = Stay.objects.in_bulk(list(reasons))
    ordered = sorted(reasons.items(), key=lambda kv: by_pk[kv[0]].admission_date or dt.date.min)
    return [(by_pk[pk], r) for pk, r in ordered]


def meetings_for(user: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(lvv__in=user.lvvs.all()).select_related(
        "lvv", "scope_organisation"
    )


def next_meeting(user: User, today: dt.date | None = None) -> Meeting | None:
    today = today or timezone.localdate()
    return meetings_for(user).filter(held_on__gte=today, closed=False).order_by("held_on").first()


# Actions -----------------------------------------------------------------------------------------


def overdue_actions(stays: QuerySet[Stay], today: dt.date | None = None) -> QuerySet[Action]:
    today = today or timezone.localdate()
    return (
        Action.objects.filter(stay__in=stays, status=Action.Status.OPEN, due_on__lt=today)
        .select_related("stay__lvv", "stay__person", "responsible_organisation", "responsible_user")
        .order_by("due_on")
    )


def overdue_summary(
    stays: QuerySet[Stay], today: dt.date | None = None
) -> dict[str, list[Mapping[str, Any]]]:
    """Overdue actions counted per LVV, per NGO (guiding organisation of the case) and per case
    worker (responsible user)."""
    rows = overdue_actions(stays, today)
    return {
        "per_lvv": list(
            rows.values("stay__lvv__name").annotate(n=Count("id")).order_by("stay__lvv__name")
        ),
        "per_ngo": list(
            rows.values("stay__organisation__name")
            .annotate(n=Count("id"))
            .order_by("stay__organisation__name")
        ),
        "per_worker": list(
            rows.values("responsible_user__username", "responsible_organisation__name")
            .annotate(n=Count("id"))
            .order_by("responsible_user__username")
        ),
    }


# Escalations -------------------------------------------------------------------------------------


def escalations_per_lvv(lvvs: QuerySet[LVV] | None = None) -> list[Mapping[str, Any]]:
    rows = Escalation.objects.all()
    if lvvs is not None:
        rows = rows.filter(stay__lvv__in=lvvs)
    return list(
        rows.values("stay__lvv__name", "level")
        .annotate(n=Count("id"))
        .order_by("stay__lvv__name", "level")
    )


def escalation_dossier(stay: Stay, *, escalation: Escalation) -> str:
    """The dossier for the steering group or the MRT, assembled from the case (Markdown)."""
    from lvv.registry.selectors import stay_timeline

    person = stay.person
    lines = [
        f"# Dossier opschaling: {escalation.get_level_display()}",
        "",
        f"- LVV: {stay.lvv.name}",
        f"- Correspondentienummer: {stay.correspondence_number or '-'}",
        f"- Land van herkomst: {person.get_country_display() or 'onbekend'}",
        f"- Geboortejaar: {person.birth_year or 'onbekend'}",
        f"- Aangemeld: {_d(stay.registration_date)} · toegelaten: {_d(stay.admission_date)}",
        f"- Begeleidende organisatie: {stay.organisation or '-'}",
        f"- Huidig scenario: {stay.get_scenario_display()}",
        f"- Einde verblijf volgens beleid: {_d(stay_end_date(stay))}",
        "",
        "## Vraag",
        "",
        escalation.question,
        "",
        "## Standpunten van de partijen",
        "",
    ]
    from lvv.workflow.models.escalation import POSITION_PARTIES

    labels = dict(POSITION_PARTIES)
    for key, text in escalation.positions.items():
        lines.append(f"- **{labels.get(key, key)}**: {text}")
    lines += ["", "## Juridische check", ""]
    check = LegalCheck.objects.filter(stay=stay).first()
    if check is None:
        lines.append("Geen juridische check vastgelegd.")
    else:
        status = legal_check_status(check)
        lines.append(f"Gestart {_d(check.opened_on)}, norm {_d(check.due_on)}.")
        for section in status.sections:
            lines.append(f"\n### {section.get_party_display()}")
            if not section.answered:
                lines.append("Nog niet ingevuld.")
                continue
            for label, value in section_rows(section):
                lines.append(f"- {label}: {value}")
    lines += ["", "## Scenario's", ""]
    for e in stay.events.filter(kind=EventKind.SCENARIO_SET).order_by("valid_on", "recorded_at"):
        where = "in het LSO" if e.data.get("discussed_in_lso", True) else "zonder LSO"
        lines.append(f"- {_d(e.valid_on)}: {Scenario(e.data['scenario']).label} ({where})")
    lines += ["", "## Acties", ""]
    for action in stay.workflow_actions.select_related("responsible_organisation"):
        lines.append(
            f"- {action.description}: {action.responsible_organisation}, uiterlijk "
            f"{_d(action.due_on)} ({action.get_status_display()})"
        )
    lines += ["", "## Besluiten", ""]
    for decision in stay.decisions.select_related("meeting"):
        where = str(decision.meeting) if decision.meeting else decision.decider
        lines.append(
            f"- {_d(decision.decided_on)} {decision.get_kind_display()} ({where}): {decision.text or decision.get_scenario_display()}"
        )
    lines += ["", "## Tijdlijn", ""]
    for e in reversed(list(stay_timeline(stay))):
        lines.append(f"- {_d(e.valid_on)} {e.get_kind_display()}")
    return "\n".join(lines) + "\n"


def stays_waiting_for_intake_form(stays: QuerySet[Stay]) -> list[Stay]:
    """The stays (of `stays`) in LVVs whose policy makes the signed intake form the moment of
    admission (Eindhoven) that wait only for that form: the admission check is met or an
    exception, and every party of `Policy.admission_parties` agreed (as
    `services.admission_waits_for_intake_form` says per stay). Two queries, oldest report
    first."""
    candidates = list(
        stays.filter(
            lvv__policy__admission_by_signed_intake_form=True,
            status__in=("registered", "waiting"),
            admission_check__isnull=False,
        )
        .filter(Q(admission_check__meets_criteria=True) | ~Q(admission_check__exception_reason=""))
        .select_related("lvv__policy", "person", "admission_check")
        .order_by("registration_date", "pk")
    )
    if not candidates:
        return []
    agreed: dict[Any, set[str]] = defaultdict(set)
    for stay_id, party in AdmissionVerdict.objects.filter(
        stay_id__in=[s.pk for s in candidates], agrees=True
    ).values_list("stay_id", "party"):
        agreed[stay_id].add(party)
    return [
        s
        for s in candidates
        if s.admission_check.criteria and set(s.lvv.policy.admission_parties or []) <= agreed[s.pk]
    ]


def _d(value: dt.date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else "-"


# Duplicates --------------------------------------------------------------------------------------


def contact_points(person_id: uuid.UUID) -> list[dict[str, str]]:
    """Where a matched person is known: per stay only the LVV and the organisation to contact (the
    LVV's coordinating municipality). Nothing from the file itself."""
    rows = (
        Stay.objects.filter(person_id=person_id)
        .select_related("lvv__municipality")
        .order_by("-registration_date")
    )
    seen, result = set(), []
    for stay in rows:
        if stay.lvv_id in seen:
            continue
        seen.add(stay.lvv_id)
        result.append(
            {
                "lvv": stay.lvv.name,
                "contact": stay.lvv.municipality.name if stay.lvv.municipality else stay.lvv.name,
            }
        )
    return result


def duplicate_candidates_for(user: User) -> QuerySet[DuplicateCandidate]:
    """Open candidate pairs where one side is a person this user may see."""
    visible = stays_visible_to(user).values("person_id")
    return DuplicateCandidate.objects.filter(
        Q(person_a_id__in=visible) | Q(person_b_id__in=visible),
        status=DuplicateCandidate.Status.OPEN,
    )


def person_groups() -> dict[uuid.UUID, uuid.UUID]:
    """For every person in an active link, the representative of their group (the smallest id in
    the connected set). A person not in the map represents only themself. See ADR 0050."""
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def find(x: uuid.UUID) -> uuid.UUID:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in PersonLink.objects.filter(undone_at__isnull=True).values_list(
        "person_a_id", "person_b_id"
    ):
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb), key=str)
            parent[hi] = lo
    return {p: find(p) for p in list(parent)}


def distinct_person_count(person_ids: list[uuid.UUID]) -> int:
    """How many human beings a list of person records stands for, counting linked records once."""
    groups = person_groups()
    return len({groups.get(p, p) for p in person_ids})


# Work queue --------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    key: str
    label: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


def work_queue(user: User, today: dt.date | None = None, limit: int = 10) -> list[QueueItem]:
    """The personal work queue: counts per item and a link per case."""
    from django.urls import reverse

    today = today or timezone.localdate()
    stays = stays_visible_to(user)
    org_id = user.organisation_id
    mine = Q(responsible_user=user) | Q(
        responsible_user__isnull=True, responsible_organisation_id=org_id
    )
    open_actions = (
        Action.objects.filter(mine, stay__in=stays, status=Action.Status.OPEN)
        .select_related("stay__lvv", "stay__person")
        .order_by("due_on")
    )

    def case_row(stay: Stay, text: str) -> dict[str, Any]:
        return {
            "url": reverse("workflow:case", args=[stay.pk]),
            "label": f"{stay.person.display_name} ({stay.lvv.name})",
            "text": text,
        }

    items = [
        QueueItem(
            "overdue",
            "Mijn acties over de deadline",
            [
                case_row(a.stay, f"{a.description} · {_d(a.due_on)}")
                for a in open_actions.filter(due_on__lt=today)
            ],
        ),
        QueueItem(
            "upcoming",
            f"Mijn acties in de komende {UPCOMING_DAYS} dagen",
            [
                case_row(a.stay, f"{a.description} · {_d(a.due_on)}")
                for a in open_actions.filter(
                    due_on__gte=today, due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS)
                )
            ],
        ),
    ]
    # Where the signed intake form is the moment of admission (Eindhoven), the case roles who
    # register it see the cases that wait only for it.
    if getattr(user, "role", "") in CASE_ROLES and (
        Policy.objects.filter(
            lvv__in=user.lvvs.all(), admission_by_signed_intake_form=True
        ).exists()
    ):
        items.append(
            QueueItem(
                "intake_form",
                "Wachten op ondertekend intakeformulier",
                [
                    case_row(s, f"aangemeld {_d(s.registration_date)}")
                    for s in stays_waiting_for_intake_form(stays)
                ],
            )
        )
    from lvv.workflow.services import PARTY_OF_KIND

    party = PARTY_OF_KIND.get(getattr(user.organisation, "kind", ""))
    sections: Iterable[LegalCheckSection] = []
    if party:
        sections = (
            LegalCheckSection.objects.filter(
                party=party, answered_at__isnull=True, legal_check__stay__in=stays
            )
            .select_related("legal_check__stay__lvv", "legal_check__stay__person")
            .order_by("legal_check__due_on")
        )
    items.append(
        QueueItem(
            "legal_check",
            "Juridische checks die op mijn organisatie wachten",
            [
                case_row(s.legal_check.stay, f"uiterlijk {_d(s.legal_check.due_on)}")
                for s in sections
            ],
        )
    )
    items.append(
        QueueItem(
            "near_maximum",
            "Verblijven bijna op hun maximum",
            [case_row(s, f"einde {_d(end)}") for s, end in stays_near_maximum(stays, today=today)],
        )
    )
    meeting = next_meeting(user, today)
    agenda_rows = []
    if meeting is not None:
        for item in meeting.agenda.filter(stay__in=stays).select_related(
            "stay__lvv", "stay__person"
        ):
            agenda_rows.append(case_row(item.stay, ", ".join(item.reason_labels())))
    items.append(
        QueueItem(
            "agenda",
            f"Op de agenda van {meeting} ({_d(meeting.held_on)})"
            if meeting
            else "Op de agenda van het volgende overleg",
            agenda_rows,
        )
    )
    dupes = duplicate_candidates_for(user)
    items.append(
        QueueItem(
            "duplicates",
            "Nieuwe mogelijke dubbele registraties",
            [
                {
                    "url": reverse("workflow:duplicate", args=[c.pk]),
                    "label": f"Mogelijke dubbele registratie ({c.score}%)",
                    "text": ", ".join(reason_labels(c.reasons)),
                }
                for c in dupes[:50]
            ],
        )
    )
    for queue_item in items:
        queue_item.rows = queue_item.rows[:50]
    return items


def organisations_for_lvv(lvv: LVV) -> QuerySet[Organisation]:
    return Organisation.objects.filter(lvvs=lvv).order_by("kind", "name")


# Moving to another LVV, initiated by the receiving LVV ------------------------------------------

# A stay elsewhere that closed longer ago than this is a re-admission after a gap, not a move.
TRANSFER_RECENT_DAYS = 90


def stay_links(stay: Stay) -> list[StayLink]:
    """The links this stay had to a previous stay made on the case page, the active one (if
    any) and those undone (ADR 0106), oldest first, with what the page shows of them: one
    query."""
    return list(
        StayLink.objects.filter(stay=stay)
        .select_related("previous_stay__lvv__municipality", "linked_by", "undone_by")
        .order_by(F("linked_at").asc(nulls_first=True), "pk")
    )


def persons_still_linked(a: uuid.UUID, b: uuid.UUID) -> bool:
    """Whether two person records are the same record or confirmed the same (an active link
    after the duplicate check)."""
    if a == b:
        return True
    first, second = (a, b) if str(a) < str(b) else (b, a)
    return PersonLink.objects.filter(
        person_a_id=first, person_b_id=second, undone_at__isnull=True
    ).exists()


def transfer_sources(stay: Stay) -> list[dict[str, Any]]:
    """Where a person registered at `stay` may come from: the open or recently closed stays in
    OTHER LVVs of the same person or of a person confirmed as the same (an active link after the
    duplicate check). Per source only what the registering LVV may know: the LVV, whom to
    contact, whether the stay is still open and the outflow date; never the file."""
    registered = stay.registration_date
    if stay.previous_stay_id or registered is None:  # None: an imported stay without the date
        return []
    persons = {stay.person_id}
    for a, b in PersonLink.objects.filter(
        Q(person_a_id=stay.person_id) | Q(person_b_id=stay.person_id), undone_at__isnull=True
    ).values_list("person_a_id", "person_b_id"):
        persons.update((a, b))
    since = registered - dt.timedelta(days=TRANSFER_RECENT_DAYS)
    rows = (
        Stay.objects.filter(person_id__in=persons)
        .exclude(lvv_id=stay.lvv_id)
        .exclude(status__in=("refused",))
        .filter(registration_date__lte=registered)
        .filter(Q(outflow_date__isnull=True) | Q(outflow_date__gte=since))
        .select_related("lvv__municipality")
        .order_by("-registration_date")
    )
    return [
        {
            "stay_id": other.pk,
            "lvv": other.lvv.name,
            "contact": other.lvv.municipality.name if other.lvv.municipality else other.lvv.name,
            "open": other.outflow_date is None,
            "outflow_date": other.outflow_date,
        }
        for other in rows
    ]
