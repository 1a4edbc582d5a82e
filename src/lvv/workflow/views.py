"""Pages of the case workflow. Every person or stay is reached through lvv.access.gate; what a page
shows of a case depends on `visible_categories` (role and consent). Writes go through
lvv.workflow.services; a service's ValidationError is shown on the form, nothing is half-saved."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lvv.access import gate
from lvv.access.models import ProcessingActivity
from lvv.accounts.http import AuthenticatedHttpRequest
from lvv.accounts.models import Role, User
from lvv.registry.history import stay_state
from lvv.registry.models import LVV, Policy, Stay
from lvv.registry.selectors import stay_timeline
from lvv.registry.services import ConflictError
from lvv.registry.taxonomy import OutflowType, Scenario
from lvv.workflow import forms, selectors, services
from lvv.workflow.duplicates import reason_labels
from lvv.workflow.models import (
    Action,
    Activity,
    Document,
    DuplicateCandidate,
    Escalation,
    LegalCheck,
    LegalCheckSection,
    Meeting,
    PersonLink,
)
from lvv.workflow.models.admission import CRITERION_REQUIRED, Criterion, condition_label

CASE_ROLES = {Role.COORDINATOR, Role.CASE_WORKER}
LSO_ROLES = CASE_ROLES | {Role.IND, Role.DTV, Role.AVIM}


def is_case_role(user) -> bool:
    return getattr(user, "role", "") in CASE_ROLES


def is_lso_role(user) -> bool:
    return getattr(user, "role", "") in LSO_ROLES


def _require(request: AuthenticatedHttpRequest, check: Callable[[Any], bool]) -> None:
    if not check(request.user):
        raise PermissionDenied("Uw rol geeft geen toegang tot deze pagina.")


def _apply_errors(form: djforms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


def _policy(lvv: LVV) -> Policy:
    return Policy.objects.get_or_create(lvv=lvv)[0]


# The case page -----------------------------------------------------------------------------------


def _case_context(
    request: AuthenticatedHttpRequest, stay: Stay, bound: dict[str, djforms.Form] | None = None
):
    user = request.user
    today = timezone.localdate()
    cats = gate.visible_categories(user, stay)
    policy = _policy(stay.lvv)
    can_write = gate.can_change_stay(user, stay)
    party = services.party_of(user)
    lvv = stay.lvv
    initial_today = {"on": today}
    f: dict[str, djforms.Form] = {
        "admission_check": forms.AdmissionCheckForm(policy=policy, prefix="ac"),
        "admission_decision": forms.AdmissionDecisionForm(
            lvv=lvv, initial=initial_today, prefix="ad"
        ),
        "location": forms.LocationForm(lvv=lvv, initial=initial_today, prefix="loc"),
        "intake_form": forms.IntakeFormForm(
            lvv=lvv, initial={"signed_on": today, "expected_version": stay.version}, prefix="if"
        ),
        "identity": forms.IdentityForm(initial={"concluded_on": today}, prefix="id"),
        "medical": forms.MedicalForm(initial={"held_on": today}, prefix="med"),
        "legal_open": forms.LegalCheckOpenForm(initial=initial_today, prefix="lc"),
        "decision": forms.DecisionForm(lvv=lvv, initial={"decided_on": today}, prefix="dec"),
        "action": forms.ActionForm(lvv=lvv, prefix="act"),
        "extension": forms.ExtensionForm(
            lvv=lvv, policy=policy, initial=initial_today, prefix="ext"
        ),
        "escalation": forms.EscalationForm(lvv=lvv, initial=initial_today, prefix="esc"),
        "outflow": forms.OutflowForm(lvv=lvv, initial=initial_today, prefix="out"),
        "follow_up": forms.FollowUpForm(prefix="fu"),
        "document": forms.DocumentForm(prefix="doc"),
        "activity": forms.ActivityForm(initial={"starts_on": today}, prefix="acty"),
        "allowance": forms.AllowanceForm(initial={"paid_on": today}, prefix="alw"),
        "forced_check": forms.ForcedDepartureCheckForm(initial={"asked_on": today}, prefix="fd"),
    }
    f.update(bound or {})
    check = getattr(stay, "admission_check", None) if hasattr(stay, "admission_check") else None
    legal = LegalCheck.objects.filter(stay=stay).first()
    legal_status = selectors.legal_check_status(legal, today) if legal else None
    section_forms = {}
    if legal_status:
        for section in legal_status.sections:
            if section.party == party and not section.answered:
                section_forms[section.pk] = (bound or {}).get(
                    f"section_{section.pk}"
                ) or forms.LegalSectionForm(party=section.party, prefix=f"s{section.pk}")
    criteria_rows = []
    if check and check.criteria:
        for code, label in Criterion.choices:
            entry = check.criteria.get(code, {})
            criteria_rows.append(
                {
                    "label": label,
                    "value": entry.get("value"),
                    "ok": entry.get("value") == CRITERION_REQUIRED[code],
                    "source": entry.get("source", ""),
                }
            )
    transfer_sources = (
        selectors.transfer_sources(stay) if can_write and not stay.previous_stay_id else []
    )
    if transfer_sources:
        f.setdefault(
            "link_previous",
            forms.LinkPreviousForm(sources=transfer_sources, prefix="prev"),
        )
    verdicts = None
    if policy.admission_parties:
        given = {v.party: v for v in stay.admission_verdicts.all()}
        rows = [
            {"party": p, "label": services.party_label(p), "verdict": given.get(p)}
            for p in policy.admission_parties
        ]
        verdict_form = None
        if getattr(user.organisation, "kind", "") in policy.admission_parties and stay.status in (
            "registered",
            "waiting",
        ):
            verdict_form = (bound or {}).get("admission_verdict") or forms.AdmissionVerdictForm(
                prefix="av"
            )
        verdicts = {
            "rows": rows,
            "waiting": [r["label"] for r in rows if not (r["verdict"] and r["verdict"].agrees)],
            "form": verdict_form,
        }
    intake_form = None
    if policy.admission_by_signed_intake_form:
        # The signed intake form is the formal moment of admission (Eindhoven): the case shows
        # whether it is awaited, or when it was signed and who registered it. The form itself is
        # a document: its link only for whom may see documents.
        intake_form = {
            "waiting": services.admission_waits_for_intake_form(stay),
            "signed_on": check.intake_form_signed_on if check else None,
            "recorded_by": check.intake_form_recorded_by if check else None,
            "recorded_at": check.intake_form_recorded_at if check else None,
            "document": check.intake_form if check and "documents" in cats else None,
        }
    # The case page's links to a previous stay (ADR 0106): the active one can be undone by whom
    # may link; those undone stay listed with who, when and why.
    links = selectors.stay_links(stay)
    link = next(
        (x for x in links if x.active and x.previous_stay_id == stay.previous_stay_id), None
    )
    previous = None
    prev = link.previous_stay if link else stay.previous_stay if stay.previous_stay_id else None
    if prev is not None:
        visible = gate.stays_visible_to(user).filter(pk=prev.pk).exists()
        previous = {
            "stay": prev,
            "visible": visible,
            "link": link,
            # The duplicate verdict behind the link was undone: the coordinator should check it.
            "persons_unlinked": link is not None
            and not selectors.persons_still_linked(stay.person_id, prev.person_id),
        }
        if link is not None and can_write:
            f.setdefault(
                "unlink_previous",
                forms.UnlinkPreviousForm(initial={"expected_version": stay.version}, prefix="unl"),
            )
    return {
        "stay": stay,
        "person": stay.person,
        "policy": policy,
        "cats": cats,
        "can_write": can_write,
        "party": party,
        "today": today,
        "f": f,
        "check": check,
        "criteria_rows": criteria_rows,
        "condition_rows": [
            {"label": condition_label(code), **entry}
            for code, entry in (check.conditions if check else {}).items()
        ],
        "legal": legal_status,
        "section_forms": section_forms,
        "section_rows": {
            s.pk: selectors.section_rows(s) for s in (legal_status.sections if legal_status else [])
        },
        "identity": stay.identity_investigations.all() if "identity" in cats else [],
        "medical": stay.medical_intakes.all(),
        "end_date": selectors.stay_end_date(stay),
        "warn_from": today + dt.timedelta(days=selectors.NEAR_MAXIMUM_DAYS),
        "absolute_end": selectors.stay_absolute_end(stay),
        "actions": stay.workflow_actions.select_related(
            "responsible_organisation"
        ).prefetch_related("deadline_changes"),
        "decisions": stay.decisions.select_related("meeting", "recorded_by"),
        "escalations": stay.escalations.all(),
        "documents": stay.documents.defer("content").select_related("uploaded_by"),
        "activities": stay.activities.prefetch_related("attendance"),
        "payments": stay.allowance_payments.all(),
        "forced_checks": stay.forced_departure_checks.select_related("ngo"),
        "timeline": stay_timeline(stay)[:50],
        "previous": previous,
        # Who undid a link and why is part of the stay's file: for whom may see the stay.
        "undone_links": [x for x in links if not x.active] if "stay" in cats else [],
        "verdicts": verdicts,
        "intake_form": intake_form,
        "transfer_sources": transfer_sources,
        "next_stays": stay.next_stays.select_related("lvv"),
        "medical_performer": services.MEDICAL_PERFORMER_KINDS.get(policy.medical_intake_by, set()),
        "user_kind": getattr(user.organisation, "kind", ""),
    }


@login_required
def case(request: AuthenticatedHttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    stay = gate.access_stay(request.user, stay_id)
    context = _case_context(request, stay)
    context["duplicates"] = request.session.pop(f"dup-{stay.pk}", None)
    return render(request, "workflow/case.html", context)


def _back_to_case(stay: Stay, anchor: str) -> HttpResponse:
    return redirect(reverse("workflow:case", args=[stay.pk]) + f"#{anchor}")


def _case_form_submit(
    request: AuthenticatedHttpRequest,
    stay: Stay,
    form: djforms.Form,
    *,
    step: str,
    apply: Callable[[], str],
    anchor: str,
) -> HttpResponse:
    """A form posted from the case page. Valid and applied (in one transaction; `apply` returns
    the message for the user): back to the case at `anchor`. Otherwise the case page again, with
    this form bound under `step` and its errors shown (400)."""
    if form.is_valid():
        try:
            with transaction.atomic():
                message = apply()
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, message)
            return _back_to_case(stay, anchor)
    stay.refresh_from_db()
    context = _case_context(request, stay, bound={step: form})
    context["error_step"] = step
    return render(request, "workflow/case.html", context, status=400)


@dataclass
class Step:
    """One form on the case page: who may post it, how the form is built and what it does."""

    form: Callable[[Stay, HttpRequest], djforms.Form]
    apply: Callable[[Stay, djforms.Form, Any], str]
    anchor: str
    # "write": case roles that may change the stay; otherwise the category a contributing party
    # (IND, DT&V, AVIM, medical) must be allowed to see.
    access: str = "write"


def _date(form, name):
    return form.cleaned_data[name]


def _apply_admission_check(stay, form, user):
    services.admission_check_record(stay=stay, by=user, **form.service_kwargs())
    return "De toelatingscheck is vastgelegd."


def _apply_admission_decision(stay, form, user):
    d = form.cleaned_data
    outcome = services.admission_decide(
        stay=stay,
        by=user,
        on=d["on"],
        admit=d["decision"] == "admit",
        reason=d["reason"],
        location=d["location"],
    )
    return {
        "admitted": "De persoon is toegelaten.",
        "waitlisted": "De LVV is vol: de persoon staat op de wachtlijst.",
        "refused": "De afwijzing is vastgelegd, met de reden.",
    }[outcome]


def _apply_intake_form(stay, form, user):
    d = form.cleaned_data
    try:
        services.admission_intake_form_register(
            stay=stay,
            by=user,
            signed_on=d["signed_on"],
            upload=d["upload"],
            location=d["location"],
            expected_version=d["expected_version"],
        )
    except ConflictError as exc:
        raise ValidationError(str(exc)) from exc
    return "Het ondertekende intakeformulier is geregistreerd: de persoon is toegelaten."


def _apply_location(stay, form, user):
    services.stay_assign_location(
        stay=stay, location=form.cleaned_data["location"], on=_date(form, "on"), by=user
    )
    return "De locatie is vastgelegd."


def _apply_link_previous(stay, form, user):
    stay = services.stay_link_previous(
        stay=stay, previous_stay_id=uuid.UUID(form.cleaned_data["previous_stay"]), by=user
    )
    return f"Gekoppeld aan het vorige verblijf in {stay.previous_stay.lvv.name}."


def _apply_unlink_previous(stay, form, user):
    d = form.cleaned_data
    try:
        link = services.stay_link_undo(
            stay=stay, by=user, reason=d["reason"], expected_version=d["expected_version"]
        )
    except ConflictError as exc:
        raise ValidationError(str(exc)) from exc
    return (
        f"De koppeling met het vorige verblijf in {link.previous_stay.lvv.name} is losgemaakt. "
        "U kunt dit verblijf opnieuw koppelen."
    )


def _apply_identity(stay, form, user):
    d = form.cleaned_data
    services.identity_investigation_record(
        stay=stay, by=user, result=d["result"], concluded_on=d["concluded_on"], note=d["note"]
    )
    return "Het identiteitsonderzoek is vastgelegd."


def _apply_medical(stay, form, user):
    d = form.cleaned_data
    services.medical_intake_record(
        stay=stay, by=user, held_on=d["held_on"], shelter_advice=d["shelter_advice"], note=d["note"]
    )
    return "De medische intake is vastgelegd."


def _apply_legal_open(stay, form, user):
    services.legal_check_open(stay=stay, by=user, on=_date(form, "on"))
    return "De juridische check is gestart; IND, DT&V en de organisatie kunnen hun deel invullen."


def _apply_decision(stay, form, user):
    form.record(stay=stay, by=user)
    return "Het besluit is vastgelegd."


def _apply_action(stay, form, user):
    d = form.cleaned_data
    services.action_create(
        stay=stay,
        by=user,
        description=d["description"],
        responsible_organisation=d["responsible_organisation"],
        due_on=d["due_on"],
        meeting=d["meeting"],
        reason=d["reason"],
    )
    return "De actie is vastgelegd."


def _apply_extension(stay, form, user):
    d = form.cleaned_data
    services.stay_extend(
        stay=stay,
        by=user,
        on=d["on"],
        reason=d["reason"],
        durable_prospect=d["durable_prospect"],
        meeting=d["meeting"],
        decider=d["decider"],
    )
    return "Het verblijf is verlengd."


def _apply_escalation(stay, form, user):
    d = form.cleaned_data
    esc = services.escalation_propose(
        stay=stay,
        by=user,
        level=d["level"],
        question=d["question"],
        positions=form.positions(),
        on=d["on"],
        meeting=d["meeting"],
        decider=d["decider"],
    )
    return f"De opschaling is vastgelegd; het dossier is samengesteld (nr. {esc.pk})."


def _apply_outflow(stay, form, user):
    d = form.cleaned_data
    if d["kind"] == OutflowType.OTHER_LVV and d["to_lvv"] is None:
        raise ValidationError({"to_lvv": "Kies de LVV waar de persoon naartoe gaat."})
    services.outflow_register(stay=stay, by=user, kind=d["kind"], on=d["on"])
    stay.refresh_from_db()
    if d["kind"] == OutflowType.OTHER_LVV:
        services.stay_transfer(previous=stay, to_lvv=d["to_lvv"], by=user, on=d["on"])
        return f"De uitstroom is vastgelegd en de persoon is aangemeld bij {d['to_lvv'].name}."
    return "De uitstroom is vastgelegd."


def _apply_follow_up(stay, form, user):
    d = form.cleaned_data
    services.follow_up_register(stay=stay, by=user, follow_up=d["follow_up"], on=d["on"])
    return "Het vervolg is vastgelegd."


def _apply_document(stay, form, user):
    d = form.cleaned_data
    services.document_upload(
        stay=stay, by=user, kind=d["kind"], title=d["title"], upload=d["upload"]
    )
    return "Het document is versleuteld opgeslagen."


def _apply_activity(stay, form, user):
    d = form.cleaned_data
    services.activity_create(
        stay=stay,
        by=user,
        kind=d["kind"],
        title=d["title"],
        starts_on=d["starts_on"],
        ends_on=d["ends_on"],
        portfolio=d["portfolio"],
    )
    return "De activiteit is vastgelegd."


def _apply_allowance(stay, form, user):
    d = form.cleaned_data
    services.allowance_record(
        stay=stay,
        by=user,
        period_start=d["period_start"],
        amount_cents=int(d["amount"] * Decimal(100)),
        paid_on=d["paid_on"],
    )
    return "Het leefgeld is vastgelegd."


def _apply_forced_check(stay, form, user):
    d = form.cleaned_data
    services.forced_departure_ngo_check(
        stay=stay,
        by=user,
        asked_on=d["asked_on"],
        no_objection=d["no_objection"] == "ja",
        ngo_answer=d["ngo_answer"],
    )
    return "De navraag bij de organisatie is vastgelegd."


def _policy_of(stay):
    return _policy(stay.lvv)


STEPS: dict[str, Step] = {
    "admission_check": Step(
        lambda s, r: forms.AdmissionCheckForm(r.POST, policy=_policy_of(s), prefix="ac"),
        _apply_admission_check,
        "toelating",
    ),
    "admission_decision": Step(
        lambda s, r: forms.AdmissionDecisionForm(r.POST, lvv=s.lvv, prefix="ad"),
        _apply_admission_decision,
        "toelating",
    ),
    "intake_form": Step(
        lambda s, r: forms.IntakeFormForm(r.POST, r.FILES, lvv=s.lvv, prefix="if"),
        _apply_intake_form,
        "toelating",
    ),
    "location": Step(
        lambda s, r: forms.LocationForm(r.POST, lvv=s.lvv, prefix="loc"), _apply_location, "plaats"
    ),
    "identity": Step(
        lambda s, r: forms.IdentityForm(r.POST, prefix="id"),
        _apply_identity,
        "intake",
        access="identity",
    ),
    "medical": Step(
        lambda s, r: forms.MedicalForm(r.POST, prefix="med"),
        _apply_medical,
        "intake",
        access="medical",
    ),
    "legal_open": Step(
        lambda s, r: forms.LegalCheckOpenForm(r.POST, prefix="lc"), _apply_legal_open, "juridisch"
    ),
    "decision": Step(
        lambda s, r: forms.DecisionForm(r.POST, lvv=s.lvv, prefix="dec"),
        _apply_decision,
        "besluiten",
    ),
    "action": Step(
        lambda s, r: forms.ActionForm(r.POST, lvv=s.lvv, prefix="act"), _apply_action, "acties"
    ),
    "extension": Step(
        lambda s, r: forms.ExtensionForm(r.POST, lvv=s.lvv, policy=_policy_of(s), prefix="ext"),
        _apply_extension,
        "verblijfsduur",
    ),
    "escalation": Step(
        lambda s, r: forms.EscalationForm(r.POST, lvv=s.lvv, prefix="esc"),
        _apply_escalation,
        "opschaling",
    ),
    "link_previous": Step(
        lambda s, r: forms.LinkPreviousForm(
            r.POST, sources=selectors.transfer_sources(s), prefix="prev"
        ),
        _apply_link_previous,
        "vorig",
    ),
    "unlink_previous": Step(
        lambda s, r: forms.UnlinkPreviousForm(r.POST, prefix="unl"),
        _apply_unlink_previous,
        "vorig",
    ),
    "outflow": Step(
        lambda s, r: forms.OutflowForm(r.POST, lvv=s.lvv, prefix="out"), _apply_outflow, "uitstroom"
    ),
    "follow_up": Step(
        lambda s, r: forms.FollowUpForm(r.POST, prefix="fu"), _apply_follow_up, "uitstroom"
    ),
    "document": Step(
        lambda s, r: forms.DocumentForm(r.POST, r.FILES, prefix="doc"),
        _apply_document,
        "documenten",
    ),
    "activity": Step(
        lambda s, r: forms.ActivityForm(r.POST, prefix="acty"), _apply_activity, "activering"
    ),
    "allowance": Step(
        lambda s, r: forms.AllowanceForm(r.POST, prefix="alw"), _apply_allowance, "activering"
    ),
    "forced_check": Step(
        lambda s, r: forms.ForcedDepartureCheckForm(r.POST, prefix="fd"),
        _apply_forced_check,
        "vertrek",
        access="trajectory",
    ),
}


def _stay_for(request: AuthenticatedHttpRequest, stay_id, access: str) -> Stay:
    """The stay through the gate: changed by a case role, or contributed to by a party that may
    see the category its contribution belongs to. A case worker records the medical intake where
    the LVV's policy gives it to the NGO."""
    user = request.user
    if access == "write" or (access == "medical" and is_case_role(user)):
        return gate.access_stay(user, stay_id, operation="write")
    return gate.access_stay(user, stay_id, operation="read", categories={access})


@login_required
@require_POST
def case_step(request: AuthenticatedHttpRequest, stay_id: uuid.UUID, step: str) -> HttpResponse:
    spec = STEPS.get(step)
    if spec is None:
        raise Http404()
    stay = _stay_for(request, stay_id, spec.access)
    form = spec.form(stay, request)
    return _case_form_submit(
        request,
        stay,
        form,
        step=step,
        apply=lambda: spec.apply(stay, form, request.user),
        anchor=spec.anchor,
    )


@login_required
@require_POST
def admission_verdict(request: AuthenticatedHttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    """A party's verdict on admission (policy `admission_parties`): IND and DT&V reach the case
    through the categories they may see; the municipality and the NGO as case roles."""
    kind = getattr(request.user.organisation, "kind", "")
    stay = _stay_for(request, stay_id, {"ind": "ind", "dtv": "trajectory"}.get(kind, "write"))
    form = forms.AdmissionVerdictForm(request.POST, prefix="av")

    def record() -> str:
        services.admission_verdict_record(
            stay=stay,
            by=request.user,
            agrees=form.cleaned_data["agrees"] == "ja",
            note=form.cleaned_data["note"],
        )
        return "Het akkoord van uw organisatie is vastgelegd."

    return _case_form_submit(
        request, stay, form, step="admission_verdict", apply=record, anchor="akkoord"
    )


@login_required
@require_POST
def legal_section(request: AuthenticatedHttpRequest, section_id: int) -> HttpResponse:
    section = get_object_or_404(
        LegalCheckSection.objects.select_related("legal_check"), pk=section_id
    )
    category = {"ind": "ind", "dtv": "trajectory", "ngo": "legal"}[section.party]
    access = "write" if section.party == "ngo" else category
    stay = _stay_for(request, section.legal_check.stay_id, access)
    form = forms.LegalSectionForm(request.POST, party=section.party, prefix=f"s{section.pk}")

    def answer() -> str:
        services.legal_check_answer(section=section, by=request.user, answers=form.cleaned_data)
        return f"Het onderdeel {section.get_party_display()} is ingevuld."

    return _case_form_submit(
        request, stay, form, step=f"section_{section.pk}", apply=answer, anchor="juridisch"
    )


@login_required
@require_POST
def action_update(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=action_id)
    stay = gate.access_stay(request.user, action.stay_id, operation="write")
    try:
        if "complete" in request.POST:
            services.action_complete(action=action, by=request.user, on=timezone.localdate())
            messages.success(request, "De actie is afgerond.")
        else:
            form = forms.DeadlineForm(request.POST, prefix=f"dl{action.pk}")
            if not form.is_valid():
                errors = form.errors.get("new_due_on")
                raise ValidationError(list(errors) if errors else "Geef een geldige datum.")
            services.action_reset_deadline(
                action=action,
                by=request.user,
                new_due_on=form.cleaned_data["new_due_on"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "De deadline is aangepast.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_case(stay, "acties")


@login_required
@require_POST
def attendance(request: AuthenticatedHttpRequest, activity_id: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=activity_id)
    stay = gate.access_stay(request.user, activity.stay_id, operation="write")
    try:
        on = forms.date_field("Datum").clean(request.POST.get("on"))
        services.attendance_record(
            activity=activity, by=request.user, on=on, present=request.POST.get("present") == "ja"
        )
        messages.success(request, "De aanwezigheid is vastgelegd.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_case(stay, "activering")


@login_required
@require_POST
def forced_start(request: AuthenticatedHttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    stay = _stay_for(request, stay_id, "trajectory")
    try:
        services.forced_departure_start(stay=stay, by=request.user, on=timezone.localdate())
        messages.success(request, "Gedwongen vertrek is in gang gezet.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_case(stay, "vertrek")


@login_required
def document_download(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=document_id)
    gate.access_stay(request.user, document.stay_id, categories=set(document.categories))
    data = services.document_read(document=document, by=request.user)
    response = HttpResponse(data, content_type=document.content_type)
    ext = services.EXTENSION_FOR[document.content_type]
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}{ext}"'
    response["Cache-Control"] = "no-store"
    return response


# Escalation dossier ------------------------------------------------------------------------------


@login_required
def escalation_detail(request: AuthenticatedHttpRequest, escalation_id: int) -> HttpResponse:
    escalation = get_object_or_404(Escalation, pk=escalation_id)
    stay = gate.access_stay(
        request.user, escalation.stay_id, operation="read", categories={"trajectory"}
    )
    form = forms.AdviceForm(initial={"advised_on": timezone.localdate()})
    if request.method == "POST":
        stay = gate.access_stay(request.user, escalation.stay_id, operation="write")
        form = forms.AdviceForm(request.POST)
        if form.is_valid():
            try:
                if "submit" in request.POST:
                    services.escalation_submit(
                        escalation=escalation, by=request.user, on=timezone.localdate()
                    )
                    messages.success(
                        request, "De opschaling is ingediend met het samengestelde dossier."
                    )
                else:
                    d = form.cleaned_data
                    services.escalation_record_advice(
                        escalation=escalation,
                        by=request.user,
                        advice=d["advice"],
                        advised_on=d["advised_on"],
                        follow_up=d["follow_up"],
                    )
                    messages.success(request, "Het advies is vastgelegd.")
                return redirect("workflow:escalation", escalation_id=escalation.pk)
            except ValidationError as exc:
                _apply_errors(form, exc)
    if request.GET.get("format") == "md":
        response = HttpResponse(escalation.dossier, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="dossier-opschaling-{escalation.pk}.md"'
        )
        return response
    import markdown_it

    html = markdown_it.MarkdownIt("commonmark", {"html": False}).render(escalation.dossier)
    return render(
        request,
        "workflow/escalation.html",
        {
            "escalation": escalation,
            "stay": stay,
            "dossier_html": html,
            "form": form,
            "can_write": gate.can_change_stay(request.user, stay),
        },
    )


# Registration ------------------------------------------------------------------------------------


def _registrable_lvvs(user):
    return gate.registrable_lvvs(user)


@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, is_case_role)
    lvvs = _registrable_lvvs(request.user)
    form = forms.RegistrationForm(
        request.POST or None,
        lvvs=lvvs,
        initial={"registration_date": timezone.localdate(), "channel": "desk"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["channel"] == "referral" and d["referred_by"] is None:
            form.add_error("referred_by", "Kies de LSO-partij die de persoon verwees.")
        else:
            try:
                stay, matches = services.registration_create(
                    by=request.user,
                    lvv=d["lvv"],
                    registration_date=d["registration_date"],
                    channel=d["channel"],
                    referred_by=d["referred_by"],
                    organisation=d["organisation"],
                    aliases=form.aliases(),
                    given_names=d["given_names"],
                    family_name=d["family_name"],
                    birth_year=d["birth_year"],
                    country=d["country"],
                    v_number=d["v_number"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                gate.log_access(
                    request.user,
                    persons=[stay.person_id],
                    operation="create",
                    activity=ProcessingActivity.REGISTRATION,
                )
                request.session[f"dup-{stay.pk}"] = [
                    {"where": m["where"], "reasons": reason_labels(m["reasons"])} for m in matches
                ]
                messages.success(request, "De aanmelding is geregistreerd.")
                return redirect("workflow:case", stay_id=stay.pk)
    return render(request, "workflow/register.html", {"form": form})


# Meetings ----------------------------------------------------------------------------------------


@login_required
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, is_lso_role)
    lvvs = gate.lvvs_of(request.user)
    form = forms.MeetingForm(
        request.POST or None, lvvs=lvvs, initial={"held_on": timezone.localdate()}
    )
    if request.method == "POST":
        _require(request, is_case_role)
        if form.is_valid():
            d = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    lvv=d["lvv"],
                    by=request.user,
                    kind=d["kind"],
                    held_on=d["held_on"],
                    title=d["title"],
                    scope_organisation=d["scope_organisation"],
                    participants=d["participants"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "Het overleg is aangemaakt met de voorgestelde agenda.")
                return redirect("workflow:meeting", meeting_id=meeting.pk)
    meetings = selectors.meetings_for(request.user)
    return render(
        request,
        "workflow/meetings.html",
        {"form": form, "meetings": meetings[:100], "can_create": is_case_role(request.user)},
    )


def _meeting_for(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    _require(request, is_lso_role)
    meeting = get_object_or_404(
        Meeting.objects.select_related("lvv", "scope_organisation"), pk=meeting_id
    )
    if not gate.lvvs_of(request.user).filter(pk=meeting.lvv_id).exists():
        raise Http404()
    return meeting


def _meeting_decision(request: AuthenticatedHttpRequest, meeting: Meeting) -> None:
    """A decision taken in this meeting on one case of its agenda (scenario or 'discussed')."""
    stay = gate.access_stay(request.user, request.POST.get("stay", ""), operation="write")
    scenario = request.POST.get("scenario", "")
    try:
        services.decision_record(
            stay=stay,
            by=request.user,
            kind="scenario" if scenario else "note",
            decided_on=min(meeting.held_on, timezone.localdate()),
            meeting=meeting,
            scenario=scenario,
            text=request.POST.get("text", "") or ("" if scenario else "Besproken"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Het besluit is vastgelegd op de casus.")


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_for(request, meeting_id)
    visible = gate.stays_visible_to(request.user)
    if request.method == "POST":
        _require(request, is_case_role)
        if "refresh" in request.POST:
            added = services.meeting_apply_agenda(meeting=meeting)
            messages.success(request, f"{len(added)} casus(sen) aan de agenda toegevoegd.")
        elif "stay" in request.POST:
            _meeting_decision(request, meeting)
        return redirect("workflow:meeting", meeting_id=meeting.pk)
    items = meeting.agenda.filter(stay__in=visible).select_related(
        "stay__person", "stay__organisation"
    )
    hidden = meeting.agenda.exclude(stay__in=visible).count()
    gate.log_access(
        request.user,
        persons=[i.stay.person_id for i in items],
        operation="read",
        activity=ProcessingActivity.CASE_MANAGEMENT,
        categories=("identity", "trajectory"),
    )
    decisions = meeting.decisions.filter(stay__in=visible).select_related("stay__person")
    context = {
        "meeting": meeting,
        "items": items,
        "hidden": hidden,
        "decisions": decisions,
        "participants": meeting.participants.select_related("organisation"),
        "actions": meeting.actions.filter(stay__in=visible).select_related(
            "stay__person", "responsible_organisation"
        ),
        "can_write": is_case_role(request.user),
        "scenarios": Scenario.choices,
    }
    if request.GET.get("format") == "md":
        from django.template.loader import render_to_string

        text = render_to_string("workflow/minutes.md", context, request=request)
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="notulen-{meeting.held_on:%Y-%m-%d}.md"'
        )
        return response
    return render(request, "workflow/meeting.html", context)


# Overviews ---------------------------------------------------------------------------------------


@login_required
def actions_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, is_case_role)
    stays = gate.stays_visible_to(request.user)
    rows = list(selectors.overdue_actions(stays)[:200])
    gate.log_access(
        request.user,
        persons={a.stay.person_id for a in rows},
        operation="read",
        activity=ProcessingActivity.CASE_MANAGEMENT,
        categories=("identity", "trajectory"),
    )
    return render(
        request,
        "workflow/actions.html",
        {
            "rows": rows,
            "summary": selectors.overdue_summary(stays),
            "escalations": selectors.escalations_per_lvv(gate.lvvs_of(request.user)),
        },
    )


@login_required
def waiting(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, is_case_role)
    stays = gate.stays_visible_to(request.user)
    today = timezone.localdate()
    from lvv.registry.selectors import capacity_on

    blocks = []
    for lvv in gate.lvvs_of(request.user):
        rows = selectors.waiting_list(stays, lvv)
        blocks.append(
            {
                "lvv": lvv,
                "rows": rows,
                "capacity": capacity_on(lvv, today),
                "occupancy": selectors.occupancy(lvv, today),
                "locations": selectors.locations_with_occupancy(lvv),
            }
        )
        gate.log_access(
            request.user,
            persons=[s.person_id for s, _d in rows],
            operation="read",
            activity=ProcessingActivity.CASE_MANAGEMENT,
        )
    return render(request, "workflow/waiting.html", {"blocks": blocks})


@login_required
def duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, is_case_role)
    rows = selectors.duplicate_candidates_for(request.user)[:100]
    return render(
        request, "workflow/duplicates.html", {"rows": [_dup_row(request, c) for c in rows]}
    )


def _dup_row(request, candidate: DuplicateCandidate) -> dict:
    """What a user may know of a candidate pair: the side they may see (with a link), and for the
    other side only where it is known and whom to contact."""
    visible = set(
        gate.persons_visible_to(request.user)
        .filter(pk__in=[candidate.person_a_id, candidate.person_b_id])
        .values_list("pk", flat=True)
    )
    sides = []
    for pid in (candidate.person_a_id, candidate.person_b_id):
        stays = gate.stays_visible_to(request.user).filter(person_id=pid).select_related("lvv")
        sides.append(
            {
                "visible": pid in visible,
                "stays": list(stays),
                "where": selectors.contact_points(pid),
            }
        )
    return {"candidate": candidate, "sides": sides, "reasons": reason_labels(candidate.reasons)}


@login_required
def duplicate_detail(request: AuthenticatedHttpRequest, candidate_id: int) -> HttpResponse:
    _require(request, is_case_role)
    candidate = get_object_or_404(DuplicateCandidate, pk=candidate_id)
    visible = gate.persons_visible_to(request.user).filter(
        pk__in=[candidate.person_a_id, candidate.person_b_id]
    )
    if not visible.exists():
        raise Http404()
    form = forms.DuplicateDecisionForm(request.POST or None)
    undo = forms.UndoLinkForm(request.POST or None)
    link = PersonLink.objects.filter(candidate=candidate, undone_at__isnull=True).first()
    if request.method == "POST":
        try:
            if "undo" in request.POST and link is not None:
                services.person_link_undo(
                    link=link, by=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request, "De koppeling is losgemaakt; beide registraties zijn ongewijzigd."
                )
                return redirect("workflow:duplicate", candidate_id=candidate.pk)
            if form.is_valid():
                services.duplicate_decide(
                    candidate=candidate,
                    by=request.user,
                    same=form.cleaned_data["verdict"] == "same",
                    note=form.cleaned_data["note"],
                )
                messages.success(request, "Het oordeel is vastgelegd.")
                return redirect("workflow:duplicate", candidate_id=candidate.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
    gate.log_access(
        request.user,
        persons=[candidate.person_a_id, candidate.person_b_id],
        operation="read",
        activity=ProcessingActivity.DUPLICATE_CHECK,
        categories=("identity",),
    )
    return render(
        request,
        "workflow/duplicate.html",
        {
            "row": _dup_row(request, candidate),
            "form": form,
            "undo": undo,
            "link": link,
            "links": candidate.links.select_related("linked_by", "undone_by"),
        },
    )


# Start page and person page ----------------------------------------------------------------------


def _panel_user(request: HttpRequest) -> User:
    """The user of a start-page section or person-page panel: those pages are behind a login."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Log in om deze pagina te zien.")
    return user


def home_context(request: HttpRequest) -> dict:
    return {"queue": selectors.work_queue(_panel_user(request))}


def stay_panel_context(request: HttpRequest, stay: Stay) -> dict:
    """The person page shows this panel under each of the person's stays the user may see. The
    page reads each stay with its LVV's policy and gives it its events (`stay.page_events`,
    lvv.web.panels): then the end date costs no query. Otherwise the policies and extensions of
    all the person's visible stays are read once per request (two queries whatever the number of
    stays), through the gate."""
    page_events = getattr(stay, "page_events", None)
    if page_events is not None and Stay.lvv.is_cached(stay) and LVV.policy.is_cached(stay.lvv):
        policy = getattr(stay.lvv, "policy", None)
        extensions = [e for e in page_events if e.kind in selectors.EXTENSION_KINDS]
        extended_until = stay_state(extensions).extended_until if extensions else None
    else:
        user = _panel_user(request)
        facts = getattr(request, "_workflow_end_date_facts", None)
        if facts is None or facts[0] != (user.pk, stay.person_id):
            stays = gate.stays_visible_to(user).filter(person_id=stay.person_id)
            facts = ((user.pk, stay.person_id), selectors.end_date_facts(stays))
            vars(request)["_workflow_end_date_facts"] = facts  # one read per request
        bulk = facts[1]
        policy = bulk.policies.get(stay.lvv_id)
        extended_until = bulk.extended_until.get(stay.pk)
    if policy is None:  # an LVV without a policy row yet: as before (created with the defaults)
        return {"wf_end": selectors.stay_end_date(stay)}
    return {"wf_end": selectors.stay_end_date(stay, policy=policy, extended_until=extended_until)}
