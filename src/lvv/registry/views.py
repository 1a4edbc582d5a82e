"""Pages of the register: the persons list, the person page and the forms that change a stay.

Every person or stay is reached through lvv.access.gate (which logs the access); every change goes
through lvv.registry.services. Pages with person data are never cached (`never_cache`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lvv.access import gate
from lvv.access.models import ProcessingActivity
from lvv.accounts.http import AuthenticatedHttpRequest
from lvv.accounts.models import Organisation
from lvv.registry import forms as registry_forms
from lvv.registry import selectors, services
from lvv.registry.countries import all_countries
from lvv.registry.models import Event, EventKind, Location, Person, PersonAlias, Stay
from lvv.registry.models.stay import OPEN_STATUSES, StayStatus
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario, TargetGroup
from lvv.web.choices import choice_label
from lvv.web.templatetags.lvv_web import dmy, short_label

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

PAGE_SIZE = 50
# The data categories (lvv.access DataCategory values) the persons list shows.
IDENTITY, STAY, TRAJECTORY, IND = "identity", "stay", "trajectory", "ind"
LIST_CATEGORIES = frozenset({IDENTITY, STAY, TRAJECTORY})


def _require_person_role(request: AuthenticatedHttpRequest) -> None:
    if not gate.can_see_persons(request.user):
        raise PermissionDenied(_("Uw rol geeft geen toegang tot persoonsgegevens."))


def _apply_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str]) -> None:
    """Show a service's ValidationError on the form: on the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = aliases.get(field, field)
            for error in errors:
                form.add_error(name if name in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


# The persons list ---------------------------------------------------------------------------------


# The list counts its rows up to this number (or up to the page asked for, when further on): an exact
# count of every stay a national user sees costs more than the page itself (ADR 0088).
COUNT_BOUND = 1000


# One row per stay, in the order of the person's name (then the latest registration first).
LIST_ORDER = ("person__family_name", "person__given_names", "person_id", "-registration_date")


class BoundedPaginator(Paginator):
    """A Paginator that counts at most `max(COUNT_BOUND, wanted page x per_page)` rows, plus one to
    know whether there are more. When there are, `exact` is false, `count` is that bound plus one
    (so the next page exists) and the page says "meer dan ..." instead of a total.

    `object_list` is the filtered stays (any order); a page is read in `LIST_ORDER`. PostgreSQL
    reads a page of a large result along the index `person_name_order` by itself (ADR 0088).
    SQLite's planner starts from the stays instead and sorts them all (0.7 s for the first page of
    108,000), so on SQLite a large result (not counted exactly) is read in two steps in one query
    (ADR 0063): the first persons in name order that have a matching stay, as many as the page's
    last row number (every such person has at least one matching stay, so the page's rows are among
    theirs), then their matching stays, sorted and sliced. A small result is sorted whole."""

    object_list: QuerySet[Stay]

    def __init__(self, object_list, per_page, *, wanted: str | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            number = max(int(wanted or 1), 1)
        except (TypeError, ValueError):
            number = 1
        self.limit = max(COUNT_BOUND, number * per_page)
        self.exact = True

    @cached_property
    def count(self) -> int:
        # Counted without ORDER BY or joins; LIMIT inside, so PostgreSQL stops at the bound.
        n = self.object_list.order_by().values("pk")[: self.limit + 1].count()
        self.exact = n <= self.limit
        return n

    @property
    def limit_display(self) -> str:
        return f"{self.limit:,}".replace(",", ".")

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        stays = self.object_list
        if not self.exact and connections[stays.db].vendor == "sqlite":
            first_persons = (
                Person.objects.filter(Exists(stays.filter(person=OuterRef("pk"))))
                .order_by("family_name", "given_names", "pk")
                .values("pk")[:top]
            )
            stays = stays.filter(person__in=first_persons)
        rows = stays.select_related("person", "lvv", "organisation").order_by(*LIST_ORDER)
        # What Paginator._get_page returns (a hook the stubs do not declare).
        return Page(rows[bottom:top], number, self)


def _filtered_stays(user, form: registry_forms.PersonFilterForm):
    stays = gate.stays_visible_to(user)
    if not form.is_valid():
        return stays.none()
    data = form.cleaned_data
    if data["lvv"]:
        stays = stays.filter(lvv=data["lvv"])
    if data["organisation"]:
        stays = stays.filter(organisation=data["organisation"])
    if data["scenario"]:
        stays = stays.filter(scenario=data["scenario"])
    if data["target_group"]:
        stays = stays.filter(target_group=data["target_group"])
    status = data["status"]
    if status == "in":
        stays = stays.filter(status=StayStatus.ADMITTED)
    elif status == "open":
        stays = stays.filter(status__in=OPEN_STATUSES)
    elif status == "out":
        stays = stays.filter(status=StayStatus.LEFT)
    elif status:
        stays = stays.filter(status=status)
    query = data["q"].strip()
    if query:
        words = query.split()
        for word in words:
            alias = PersonAlias.objects.filter(person=OuterRef("person_id")).filter(
                Q(given_names__icontains=word) | Q(family_name__icontains=word)
            )
            stays = stays.filter(
                Q(person__given_names__icontains=word)
                | Q(person__family_name__icontains=word)
                | Q(person__v_number=word)
                | Q(correspondence_number__iexact=word)
                | Exists(alias)
            )
    return stays


# The rows of the persons list, written in Python: the same HTML as the template loop it replaced
# (`registry/tests/test_list_rows.py` renders that loop and compares), at a tenth of its cost: 50
# rows of about 30 template variables, filters and a `{% url %}` each were half the page's CPU.
_DASH = "\u2013"
_ROW_INDENT = "\n      "
_STATUS_TONE: dict[str, str] = {
    StayStatus.ADMITTED: "ok",
    StayStatus.LEFT: "",
    StayStatus.REFUSED: "bad",
}


def _list_row(stay: Stay, detail_url: str) -> str:
    shown = stay.shown
    cells = ["\n    <tr>", _ROW_INDENT]
    if IDENTITY in shown:
        number = stay.correspondence_number
        cells += [
            _ROW_INDENT,
            format_html(
                '<th scope="row"><a href="{}">{}</a>{}</th>',
                detail_url,
                stay.person.display_name,
                format_html('<br><span class="muted small">{}</span>', number) if number else "",
            ),
            _ROW_INDENT,
            format_html('<td class="date">{}</td>', stay.person.v_number or _DASH),
            _ROW_INDENT,
        ]
    else:
        cells += [
            _ROW_INDENT,
            format_html(
                '<th scope="row"><a href="{}">Persoon <span class="muted small">(naam niet gedeeld)'
                "</span></a></th>",
                detail_url,
            ),
            _ROW_INDENT,
            f"<td>{_DASH}</td>",
            _ROW_INDENT,
        ]
    cells.append(_ROW_INDENT)
    lvv = conditional_escape(stay.lvv.name)
    if STAY in shown:
        organisation = stay.organisation.name if stay.organisation is not None else ""
        cells += [
            _ROW_INDENT,
            f"<td>{lvv}</td>",
            _ROW_INDENT,
            format_html("<td>{}</td>", organisation or _DASH),
            _ROW_INDENT,
            format_html("<td>{}</td>", short_label(choice_label(stay, "target_group"))),
            _ROW_INDENT,
        ]
    else:
        cells.append(f"<td>{lvv}</td><td>{_DASH}</td><td>{_DASH}</td>")
    cells.append(_ROW_INDENT)
    if TRAJECTORY in shown:
        cells += [
            _ROW_INDENT,
            format_html(
                "<td>{}{}</td>",
                choice_label(stay, "scenario"),
                ""
                if stay.scenario_discussed_in_lso
                else mark_safe(
                    ' <span class="badge warn" title="Niet besproken in het LSO">niet in LSO</span>'
                ),
            ),
            _ROW_INDENT,
        ]
    else:
        cells.append(f"<td>{_DASH}</td>")
    cells.append(_ROW_INDENT)
    if STAY in shown:
        outflow = (
            format_html(
                '<br><span class="muted small">{}</span>', choice_label(stay, "outflow_type")
            )
            if stay.outflow_type
            else ""
        )
        cells += [
            _ROW_INDENT,
            format_html(
                '<td><span class="badge {}">{}</span></td>',
                _STATUS_TONE.get(stay.status, "warn"),
                choice_label(stay, "status"),
            ),
            _ROW_INDENT,
            format_html('<td class="date">{}</td>', dmy(stay.admission_date)),
            _ROW_INDENT,
            format_html('<td class="date">{}{}</td>', dmy(stay.outflow_date), outflow),
            _ROW_INDENT,
        ]
    else:
        cells.append(f"<td>{_DASH}</td><td>{_DASH}</td><td>{_DASH}</td>")
    cells.append("\n    </tr>\n  ")
    return "".join(cells)


def list_rows_html(rows: list[Stay]) -> SafeString:
    """The table rows of the persons list (each stay with `shown`, its person, LVV and
    organisation read)."""
    # One reverse for the page: the person's id is the only part that changes.
    marker = uuid.UUID(int=0)
    template = reverse("registry:person_detail", kwargs={"person_id": marker})
    head, tail = template.split(str(marker))
    return mark_safe("".join(_list_row(stay, f"{head}{stay.person_id}{tail}") for stay in rows))


@never_cache
@login_required
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The stays of the persons the user may see, one row per stay, filtered and paginated.

    A fixed number of queries whatever the page holds; the persons shown are written to the access
    log in one bulk insert."""
    _require_person_role(request)
    lvvs = gate.lvvs_of(request.user)
    form = registry_forms.PersonFilterForm(request.GET or None, lvvs=lvvs)
    if not request.GET:
        form = registry_forms.PersonFilterForm({}, lvvs=lvvs)
    stays = _filtered_stays(request.user, form)
    page = BoundedPaginator(stays, PAGE_SIZE, wanted=request.GET.get("pagina")).get_page(
        request.GET.get("pagina")
    )
    rows = list(page.object_list)
    can_register = gate.registrable_lvvs(request.user).exists()
    if can_register:
        # Municipality and NGO staff see the same categories of everyone in their reach.
        for stay in rows:
            stay.shown = LIST_CATEGORIES
    else:
        # National partners in the LSO see what each person consented to: asked for the whole
        # page at once (a fixed number of queries; docs/adr/0071-bulk-visible-categories.md).
        shown = gate.visible_categories_bulk(request.user, rows)
        for stay in rows:
            stay.shown = shown.get(stay.person_id, set()) & LIST_CATEGORIES
    # The page's 50 lines in one COPY / executemany, without model instances (about 5 ms CPU less
    # than `log_access` on PostgreSQL).
    gate.log_access_bulk(
        request.user,
        persons=dict.fromkeys(stay.person_id for stay in rows),
        operation="list",
        activity=ProcessingActivity.CASE_MANAGEMENT,
        categories=sorted(set().union(*(stay.shown for stay in rows)) if rows else LIST_CATEGORIES),
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "rows_html": list_rows_html(rows),
        "query": query.urlencode(),
        "can_register": can_register,
    }
    template = (
        "registry/_person_results.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "registry/person_list.html"
    )
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


# The person page ----------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    event: Event
    title: str
    details: list[str | StrPromise]
    lvv: str
    voided_by: Event | None
    can_void: bool


def _event_details(event: Event, names: dict[str, dict[Any, str]]) -> list[str | StrPromise]:
    data = event.data or {}
    details: list[str | StrPromise] = []
    if event.kind == EventKind.SCENARIO_SET:
        details.append(Scenario(data["scenario"]).label)
        if not data.get("discussed_in_lso", True):
            details.append(_("niet besproken in het LSO"))
    elif event.kind == EventKind.OUTFLOW_REGISTERED:
        details.append(OutflowType(data["outflow_type"]).label)
    elif event.kind == EventKind.FOLLOW_UP_REGISTERED:
        details.append(FollowUp(data["follow_up"]).label)
    elif event.kind == EventKind.ORGANISATION_SET:
        details.append(names["organisation"].get(data.get("organisation_id"), "–"))
    elif event.kind == EventKind.LOCATION_SET:
        details.append(names["location"].get(data.get("location_id"), "–"))
    elif event.kind == EventKind.STAY_REGISTERED:
        details.append(TargetGroup(data.get("target_group", TargetGroup.CONVENANT)).label)
        if data.get("reported_municipality"):
            details.append(_("gemeld in %(m)s") % {"m": data["reported_municipality"]})
    elif event.kind == EventKind.STAY_ADMITTED:
        # Where the signed intake form is the moment of admission (ADR 0105) the event says so;
        # the case page's timeline words it the same way. Its date is the event's own date.
        if data.get("intake_form") == "signed":
            details.append(_("intakeformulier ondertekend"))
    elif event.kind in (EventKind.STAY_REFUSED, EventKind.EVENT_VOIDED):
        if data.get("reason"):
            details.append(data["reason"])
    elif event.kind in (EventKind.PERSON_CORRECTED, EventKind.STAY_DETAILS_CORRECTED):
        labels = {**_PERSON_LABELS, **_STAY_LABELS}
        details.append(_("gewijzigd: %(f)s") % {"f": ", ".join(labels.get(k, k) for k in data)})
    return details


_PERSON_LABELS = {
    name: str(field.label) for name, field in registry_forms.PersonFieldsForm.base_fields.items()
}
_STAY_LABELS = {
    "target_group": _("doelgroep"),
    "correspondence_number": _("correspondentienummer"),
    "reported_municipality": _("gemeente van aanmelding"),
}
UNVOIDABLE = {EventKind.PERSON_RECORDED, EventKind.STAY_REGISTERED, EventKind.EVENT_VOIDED}


def event_category(kind: str, data: dict[str, Any]) -> str:
    """The data category an event belongs to (what a user must be allowed to see to see it)."""
    if kind == EventKind.EVENT_VOIDED:
        return event_category(data.get("voided_kind", ""), {})
    if kind in (EventKind.PERSON_RECORDED, EventKind.PERSON_CORRECTED):
        return IDENTITY
    if kind == EventKind.SCENARIO_SET:
        return TRAJECTORY
    return STAY


def _timeline(
    person: Person, stays: list[Stay], *, shown: set[str], changeable: set[uuid.UUID]
) -> list[TimelineEntry]:
    stay_ids = [s.pk for s in stays]
    every = list(
        selectors.person_events(person.pk).filter(Q(stay__isnull=True) | Q(stay_id__in=stay_ids))
    )
    # Each stay's own events (every kind, in recorded order) for the panels of the stay
    # (lvv.web.panels: `stay.page_events`), so they need not read them again.
    by_stay: dict[uuid.UUID, list[Event]] = {pk: [] for pk in stay_ids}
    stay_of = {s.pk: s for s in stays}
    for e in every:
        if e.stay_id:
            e.stay = stay_of[e.stay_id]  # the page's stay (with its LVV), not another query
            by_stay[e.stay_id].append(e)
    for stay in stays:
        stay.page_events = by_stay[stay.pk]
    events = [e for e in every if event_category(e.kind, e.data) in shown]
    can_change_person = bool(changeable)
    org_ids = {
        e.data.get("organisation_id") for e in events if e.kind == EventKind.ORGANISATION_SET
    }
    loc_ids = {e.data.get("location_id") for e in events if e.kind == EventKind.LOCATION_SET}
    names = {
        "organisation": dict(
            Organisation.objects.filter(pk__in=org_ids - {None}).values_list("pk", "name")
        ),
        "location": dict(
            Location.objects.filter(pk__in=loc_ids - {None}).values_list("pk", "name")
        ),
    }
    voids = {e.supersedes_id: e for e in events if e.kind == EventKind.EVENT_VOIDED}
    entries = [
        TimelineEntry(
            event=e,
            title=choice_label(e, "kind"),
            details=_event_details(e, names),
            lvv=e.stay.lvv.name if e.stay is not None else "",
            voided_by=voids.get(e.pk),
            can_void=(e.stay_id in changeable if e.stay_id else can_change_person)
            and e.kind not in UNVOIDABLE
            and e.pk not in voids,
        )
        for e in events
    ]

    def key(entry: TimelineEntry):
        # By the date it happened; an event without one (a correction, a withdrawal) happened
        # when it was recorded. The person's first registration always opens the file.
        e = entry.event
        local = timezone.localtime(e.recorded_at)
        if e.kind == EventKind.PERSON_RECORDED:
            return (dt.date.min, local, e.pk)
        return (e.valid_on or local.date(), local, e.pk)

    return sorted(entries, key=key, reverse=True)


# The timeline's items, written in Python: the same HTML as the template loop it replaced
# (`registry/tests/test_list_rows.py` renders that loop and compares), without some 40 template
# nodes per event.
_WHEN_SEP = " \u00b7 "


def _timeline_item(entry: TimelineEntry, void_url: tuple[str, str]) -> str:
    e = entry.event
    voided = entry.voided_by
    what: str = format_html(
        "<strong>{}</strong>{}",
        entry.title,
        format_html(": {}", mark_safe("; ".join(conditional_escape(d) for d in entry.details)))
        if entry.details
        else "",
    )
    if voided:
        what = f"<del>{what}</del>"
    lvv = format_html('<span class="muted">\u00b7 {}</span>', entry.lvv) if entry.lvv else ""
    reason = ""
    if voided:
        reason = format_html(
            '<p class="void-reason">Ingetrokken op {}: {}</p>',
            dmy(voided.recorded_at),
            (voided.data or {}).get("reason", ""),
        )
    when = []
    if e.valid_on:
        when.append(format_html("Datum {}{}", dmy(e.valid_on), _WHEN_SEP))
    when.append(format_html("geregistreerd {}", dmy(e.recorded_at)))
    if e.recorded_by:
        when.append(
            format_html(" door {}", e.recorded_by.get_full_name() or e.recorded_by.username)
        )
    if e.organisation:
        when.append(format_html(" ({})", e.organisation.name))
    if e.source != "web":
        when.append(format_html("{}bron: {}", _WHEN_SEP, e.source))
    void = ""
    if entry.can_void:
        void = format_html(
            '<p class="small"><a href="{}{}{}">Intrekken<span class="visually-hidden">: {}{}</span>'
            "</a></p>",
            void_url[0],
            e.pk,
            void_url[1],
            entry.title,
            format_html(" van {}", dmy(e.valid_on)) if e.valid_on else "",
        )
    css = ("voided" if voided else "") + (" void" if e.kind == EventKind.EVENT_VOIDED else "")
    return (
        f'\n    <li class="{css}">\n      <p class="what">{what}\n      {lvv}</p>\n      {reason}'
        f'\n      <p class="when">{"".join(when)}</p>\n      {void}\n    </li>\n  '
    )


def timeline_html(timeline: list[TimelineEntry]) -> SafeString:
    """The items of the person page's timeline (`_timeline`)."""
    if not timeline:
        return mark_safe("\n    <li>Nog geen gebeurtenissen.</li>\n  ")
    # One reverse for the page: the event's id is the only part that changes.
    marker = 987654321
    head, tail = reverse("registry:event_void", kwargs={"event_id": marker}).split(str(marker))
    return mark_safe("".join(_timeline_item(entry, (head, tail)) for entry in timeline))


@never_cache
@login_required
def person_detail(request: AuthenticatedHttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = gate.access_person(request.user, person_id)
    # The LVV's policy comes with each stay (the stay panels show the policy's end date).
    stays = gate.visible_stays_of(
        request.user, person, select_related=("lvv__policy", "organisation", "location")
    )
    shown = gate.visible_categories(request.user, person)
    changeable = gate.changeable_stays(request.user, stays)
    for stay in stays:
        stay.can_change = stay.pk in changeable
    can_correct = IDENTITY in gate.visible_categories(request.user, person, action="change")
    country = all_countries().get(person.country)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "shown": shown,
            "aliases": list(person.aliases.all()) if IDENTITY in shown else [],
            "country": country.name_nl if country else "",
            "stays": stays if STAY in shown else [],
            "timeline_html": timeline_html(
                _timeline(person, stays, shown=shown, changeable=changeable)
            ),
            "can_correct": can_correct,
            "can_register": gate.can_register_anywhere(request.user, shown=stays),
        },
    )


# Registering a new person -------------------------------------------------------------------------


STAY_FIELDS = [
    "lvv",
    "registration_date",
    "target_group",
    "organisation",
    "reported_municipality",
    "correspondence_number",
]
PERSON_FIELDS = [
    "given_names",
    "family_name",
    "aliases",
    "birth_date",
    "birth_year",
    "gender",
    "country",
    "v_number",
    "first_ind_application_date",
    "ind_status",
]


def _registrable_lvvs(user):
    lvvs = gate.registrable_lvvs(user)
    if not lvvs.exists():
        raise PermissionDenied(_("U kunt in geen enkele LVV personen aanmelden."))
    return lvvs


def _register_stay(person: Person, data: dict[str, Any], user) -> Stay:
    return services.stay_register(
        person=person,
        lvv=data["lvv"],
        registration_date=data["registration_date"],
        by=user,
        target_group=data["target_group"],
        organisation=data["organisation"],
        correspondence_number=data["correspondence_number"].strip(),
        reported_municipality=data["reported_municipality"],
    )


def _registered(request: AuthenticatedHttpRequest, stay: Stay, message: str) -> HttpResponse:
    """What follows a registration at an LVV, of a new person or of one already in the register:
    its access-log line, the message, the national duplicate check, and the person page."""
    gate.log_access(
        request.user,
        persons=[stay.person_id],
        stay_id=stay.pk,
        operation="create",
        activity=ProcessingActivity.REGISTRATION,
    )
    messages.success(request, message)
    _national_duplicate_check(request, stay.person)
    return redirect("registry:person_detail", person_id=stay.person_id)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new person and their registration at one of the user's LVVs, in one transaction."""
    _require_person_role(request)
    lvvs = _registrable_lvvs(request.user)
    form = registry_forms.PersonRegisterForm(
        request.POST or None, lvvs=lvvs, user_organisation=request.user.organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = services.person_create(
                    by=request.user, aliases=data["aliases"], **form.person_attrs()
                )
                stay = _register_stay(person, data, request.user)
        except ValidationError as exc:
            _apply_errors(form, exc, {})
        else:
            return _registered(request, stay, _("De persoon is aangemeld."))
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Persoon aanmelden"),
            "intro": _(
                "Registreer een nieuwe persoon en de aanmelding bij een LVV. Bestaat de persoon al? "
                "Zoek dan eerst in de lijst met personen en meld hem of haar vanaf de "
                "persoonspagina aan."
            ),
            "fieldsets": [
                (_("Persoon"), PERSON_FIELDS),
                (_("Aanmelding bij de LVV"), STAY_FIELDS),
            ],
            "submit": _("Aanmelden"),
            "cancel_url": "registry:person_list",
        },
    )


def _national_duplicate_check(request: AuthenticatedHttpRequest, person: Person) -> None:
    """A new person and a re-admission run the national duplicate check of the workflow too
    (issue 4): the user sees only in which LVV a possible match is known and whom to contact
    (ADR 0057)."""
    from lvv.workflow.services import duplicate_check_on_registration

    for match in duplicate_check_on_registration(person=person, by=request.user):
        where = "; ".join(f"{w['lvv']} (contact: {w['contact']})" for w in match["where"])
        messages.warning(
            request,
            _("Mogelijk al bekend in een andere registratie: {where}.").format(where=where),
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_register_stay(request: AuthenticatedHttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """A new stay for a person who is already in the register (again, or in another LVV)."""
    operation = "change" if request.method == "POST" else "read"
    person = gate.access_person(request.user, person_id, operation=operation)
    _require_person_role(request)
    lvvs = _registrable_lvvs(request.user)
    form = registry_forms.StayRegisterForm(
        request.POST or None, lvvs=lvvs, user_organisation=request.user.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            stay = _register_stay(person, form.cleaned_data, request.user)
        except ValidationError as exc:
            _apply_errors(form, exc, {})
        else:
            return _registered(request, stay, _("De aanmelding is geregistreerd."))
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Aanmelden bij een LVV"),
            "person": person,
            "submit": _("Aanmelden"),
            "cancel_url": "registry:person_detail",
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_correct(request: AuthenticatedHttpRequest, person_id: uuid.UUID) -> HttpResponse:
    operation = "change" if request.method == "POST" else "read"
    person = gate.access_person(request.user, person_id, operation=operation)
    changeable = gate.visible_categories(request.user, person, action="change")
    fields = [
        *(registry_forms.IDENTITY_FIELDS if IDENTITY in changeable else ()),
        *(registry_forms.IND_FIELDS if IND in changeable else ()),
    ]
    if not fields:
        raise PermissionDenied(_("U mag de gegevens van deze persoon niet wijzigen."))
    initial = {name: getattr(person, name) for name in fields}
    form = registry_forms.PersonCorrectForm(request.POST or None, initial=initial, fields=fields)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.person_correct(
                person=person, by=request.user, changes=form.person_attrs()
            )
        except ValidationError as exc:
            _apply_errors(form, exc, {})
        else:
            if event is None:
                messages.info(request, _("Er is niets gewijzigd."))
            else:
                messages.success(request, _("De persoonsgegevens zijn gewijzigd."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Persoonsgegevens wijzigen"),
            "person": person,
            "intro": _("De oude gegevens blijven in de tijdlijn bewaard."),
            "submit": _("Opslaan"),
            "cancel_url": "registry:person_detail",
        },
    )


# Changing a stay ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StayAction:
    title: str
    form_class: Callable[..., forms.Form]
    perform: Callable[[Stay, dict[str, Any], Any, int], Any]
    success: str
    needs_stay: bool = False
    error_fields: dict[str, str] | None = None
    intro: str = ""


def _admit(stay, data, user, version):
    # Where the LVV's policy asks every party's agreement or makes the signed intake form the
    # moment of admission (Eindhoven), admitting is a step of the case page, which checks both
    # (lvv.workflow.services.admission_intake_form_register, ADR 0105); a bare date here would
    # skip them.
    policy = getattr(stay.lvv, "policy", None)
    if policy is not None and policy.admits_on_case_page:
        raise ValidationError(
            _(
                "In {lvv} wordt toegelaten op de casuspagina (Aanmelding en toelating), waar het "
                "akkoord van de partijen en het ondertekende intakeformulier worden vastgelegd."
            ).format(lvv=stay.lvv.name)
            if policy.admission_by_signed_intake_form
            else _(
                "In {lvv} wordt toegelaten op de casuspagina (Aanmelding en toelating), waar het "
                "akkoord van de partijen wordt vastgelegd."
            ).format(lvv=stay.lvv.name)
        )
    return services.stay_admit(stay=stay, on=data["on"], by=user, expected_version=version)


def _waitlist(stay, data, user, version):
    return services.stay_waitlist(stay=stay, on=data["on"], by=user, expected_version=version)


def _refuse(stay, data, user, version):
    return services.stay_refuse(
        stay=stay, on=data["on"], reason=data["reason"], by=user, expected_version=version
    )


def _scenario(stay, data, user, version):
    return services.stay_set_scenario(
        stay=stay,
        scenario=data["scenario"],
        on=data["on"],
        discussed_in_lso=data["discussed_in_lso"],
        by=user,
        expected_version=version,
    )


def _outflow(stay, data, user, version):
    return services.stay_register_outflow(
        stay=stay, kind=data["outflow_type"], on=data["on"], by=user, expected_version=version
    )


def _follow_up(stay, data, user, version):
    return services.stay_register_follow_up(
        stay=stay, follow_up=data["follow_up"], on=data["on"], by=user, expected_version=version
    )


def _location(stay, data, user, version):
    return services.stay_move_location(
        stay=stay, location=data["location"], on=data["on"], by=user, expected_version=version
    )


def _organisation(stay, data, user, version):
    return services.stay_set_organisation(
        stay=stay,
        organisation=data["organisation"],
        on=data["on"],
        by=user,
        expected_version=version,
    )


def _details(stay, data, user, version):
    changes = {
        "target_group": data["target_group"],
        "correspondence_number": data["correspondence_number"].strip(),
        "reported_municipality": data["reported_municipality"],
    }
    return services.stay_correct_details(
        stay=stay, changes=changes, by=user, expected_version=version
    )


DATE_ERRORS = {"outflow_date": "on", "follow_up_date": "on", "follow_up": "follow_up"}

ACTIONS: dict[str, StayAction] = {
    "admit": StayAction(
        _("Toelaten"), registry_forms.AdmitForm, _admit, _("De toelating is geregistreerd.")
    ),
    "waitlist": StayAction(
        _("Op de wachtlijst plaatsen"),
        registry_forms.WaitlistForm,
        _waitlist,
        _("De persoon staat op de wachtlijst."),
    ),
    "refuse": StayAction(
        _("Niet toelaten"), registry_forms.RefuseForm, _refuse, _("De afwijzing is geregistreerd.")
    ),
    "scenario": StayAction(
        _("Begeleidingsscenario vaststellen"),
        registry_forms.ScenarioForm,
        _scenario,
        _("Het begeleidingsscenario is vastgesteld."),
    ),
    "outflow": StayAction(
        _("Uitstroom registreren"),
        registry_forms.OutflowForm,
        _outflow,
        _("De uitstroom is geregistreerd."),
        error_fields=DATE_ERRORS,
    ),
    "follow_up": StayAction(
        _("Vervolg na uitstroom registreren"),
        registry_forms.FollowUpForm,
        _follow_up,
        _("Het vervolg is geregistreerd."),
        error_fields=DATE_ERRORS,
    ),
    "location": StayAction(
        _("Verhuizen naar een andere locatie"),
        registry_forms.LocationForm,
        _location,
        _("De verhuizing is geregistreerd."),
        needs_stay=True,
    ),
    "organisation": StayAction(
        _("Begeleidende organisatie wijzigen"),
        registry_forms.OrganisationForm,
        _organisation,
        _("De begeleidende organisatie is gewijzigd."),
        needs_stay=True,
    ),
    "details": StayAction(
        _("Verblijfsgegevens wijzigen"),
        registry_forms.StayDetailsForm,
        _details,
        _("De verblijfsgegevens zijn gewijzigd."),
        needs_stay=True,
    ),
}


def _stay_action(request: AuthenticatedHttpRequest, stay_id: uuid.UUID, name: str) -> HttpResponse:
    action = ACTIONS[name]
    operation = "change" if request.method == "POST" else "read"
    stay = gate.access_stay(request.user, stay_id, operation=operation)
    _require_person_role(request)
    kwargs = {"stay": stay} if action.needs_stay else {}
    initial: dict[str, Any] = {"expected_version": stay.version}
    if name == "details":
        initial.update(
            target_group=stay.target_group,
            correspondence_number=stay.correspondence_number,
            reported_municipality=stay.reported_municipality,
        )
    form = action.form_class(request.POST or None, initial=initial, **kwargs)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            action.perform(
                stay, form.cleaned_data, request.user, form.cleaned_data["expected_version"]
            )
        except services.ConflictError as exc:
            conflict = True
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc, action.error_fields or {})
        else:
            messages.success(request, action.success)
            return redirect("registry:person_detail", person_id=stay.person_id)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": action.title,
            "person": stay.person,
            "stay": stay,
            "conflict": conflict,
            "submit": _("Opslaan"),
            "cancel_url": "registry:person_detail",
        },
        status=409 if conflict else 200,
    )


def _stay_view(name: str):
    @never_cache
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthenticatedHttpRequest, stay_id: uuid.UUID) -> HttpResponse:
        return _stay_action(request, stay_id, name)

    view.__name__ = f"stay_{name}"
    return view


stay_admit = _stay_view("admit")
stay_waitlist = _stay_view("waitlist")
stay_refuse = _stay_view("refuse")
stay_scenario = _stay_view("scenario")
stay_outflow = _stay_view("outflow")
stay_follow_up = _stay_view("follow_up")
stay_location = _stay_view("location")
stay_organisation = _stay_view("organisation")
stay_details = _stay_view("details")


# Withdrawing an event -----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def event_void(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    target = Event.objects.filter(pk=event_id).only("pk", "person_id", "stay_id").first()
    if target is None:
        raise gate.PersonNotFound()
    # Withdrawing is a change: the user must be allowed to change the stay (or the person's data)
    # the event belongs to, also to see the form.
    if target.stay_id:
        stay = gate.access_stay(request.user, target.stay_id, operation="change")
        person = stay.person
    else:
        person = gate.access_person(request.user, target.person_id, operation="change")
        if IDENTITY not in gate.visible_categories(request.user, person, action="change"):
            raise gate.PersonNotFound()
    event = Event.objects.select_related("stay", "recorded_by").get(pk=event_id)
    form = registry_forms.EventVoidForm(request.POST or None)
    if event.kind in UNVOIDABLE or event.superseded_by.exists():
        form.add_error(None, _("Deze registratie kan niet (meer) worden ingetrokken."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.event_void(event=event, by=request.user, reason=form.cleaned_data["reason"])
        except services.ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc, {})
        else:
            messages.success(request, _("De registratie is ingetrokken."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Registratie intrekken"),
            "person": person,
            "voided_event": event,
            "submit": _("Intrekken"),
            "danger": True,
            "cancel_url": "registry:person_detail",
        },
    )
