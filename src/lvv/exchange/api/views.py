"""The REST API under /api/v1/ (CONTRACTS.md section 5). Every view reaches persons and stays only
through lvv.access.gate, with channel "api": the same roles, consent rules and access log as the
web pages. Unauthenticated requests get 401; roles without person access get 403 on persons."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lvv.access import gate
from lvv.access.models import ProcessingActivity
from lvv.exchange import services
from lvv.exchange.api import serializers as s
from lvv.exchange.parsers import Cell
from lvv.registry.models import Person, Stay

API = "api"
NOT_FOUND = OpenApiResponse(description="Does not exist or not visible to you (no difference).")
FORBIDDEN = OpenApiResponse(description="Not authenticated, or your role may not see persons.")
CANNOT_CHANGE = OpenApiResponse(description="Not authenticated, or your role may not record this.")


def _consent_rows(person: Person, only: set[tuple[str, str]] | None = None) -> list[dict]:
    """The person's current consent per (party, category), all or `only` those pairs."""
    from lvv.access.consent import consent_overview

    return [
        {"party": r.party, "category": r.category, "given": r.given, "since": r.since}
        for r in consent_overview(person)
        if only is None or (r.party, r.category) in only
    ]


def _shown_categories(user, person_id) -> set[str] | None:
    visible = getattr(gate, "visible_categories", None)
    return None if visible is None else visible(user, person_id)


class SeesPersons(permissions.BasePermission):
    """Roles that may see person data at all (the gate decides which persons)."""

    def has_permission(self, request, view) -> bool:
        return gate.can_see_persons(request.user)


class SeesAggregates(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        check = getattr(gate, "can_see_aggregates", None)
        if check is not None:
            return check(request.user)
        return request.user.role in ("coordinator", "programme_bureau")


@extend_schema(responses={200: s.PersonSerializer, 401: FORBIDDEN, 403: FORBIDDEN, 404: NOT_FOUND})
class PersonViewSet(viewsets.GenericViewSet):
    """Persons the caller may see, each with the stays the caller may see."""

    serializer_class = s.PersonSerializer
    permission_classes = [permissions.IsAuthenticated, SeesPersons]
    lookup_value_regex = "[^/]+"

    def _with_stays(self, queryset):
        stays = gate.stays_visible_to(self.request.user).select_related("lvv", "organisation")
        return queryset.prefetch_related(
            Prefetch(
                "stays", queryset=stays.order_by("-admission_date", "id"), to_attr="visible_stays"
            )
        )

    def list(self, request: Request) -> Response:
        queryset = self._with_stays(gate.persons_visible_to(request.user).order_by("id"))
        page = self.paginate_queryset(queryset)
        # One ask for the whole page (a fixed number of queries whatever the page size).
        shown = gate.visible_categories_bulk(request.user, page)
        for person in page:
            person.shown_categories = shown.get(person.pk, set())
        gate.log_access(
            request.user,
            persons=[p.pk for p in page],
            operation="read",
            activity=ProcessingActivity.CASE_MANAGEMENT,
            channel=API,
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        person = gate.access_person(request.user, pk, channel=API)
        person = self._with_stays(Person.objects.filter(pk=person.pk)).get()
        person.shown_categories = _shown_categories(request.user, person.pk)
        return Response(self.get_serializer(person).data)

    @extend_schema(
        methods=["GET"],
        description="The person's current consent per party and data category.",
        responses={
            200: s.ConsentSerializer(many=True),
            401: FORBIDDEN,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @extend_schema(
        methods=["POST"],
        description=(
            "Give or withdraw consent for one party and one or more data categories, with the "
            "rules of the consent form on the person page (case workers and coordinators). "
            "Answers the current consent of those categories."
        ),
        request=s.ConsentChangeSerializer,
        responses={
            201: s.ConsentSerializer(many=True),
            400: s.FieldErrorsSerializer,
            401: FORBIDDEN,
            403: CANNOT_CHANGE,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=s.ConsentSerializer,
        pagination_class=None,
        parser_classes=[JSONParser],
    )
    def consents(self, request: Request, pk: str) -> Response:
        """GET: the person's current consent per party and data category. POST: give or withdraw
        consent for one party and one or more categories (as the consent form on the person page:
        case workers and coordinators); answers the current consent of those categories."""
        if request.method == "POST":
            return self._record_consent(request, pk)
        person = gate.access_person(request.user, pk, channel=API, categories=["identity"])
        return Response(s.ConsentSerializer(_consent_rows(person), many=True).data)

    def _record_consent(self, request: Request, pk: str) -> Response:
        from lvv.access import consent, rules
        from lvv.access.forms import ConsentForm

        if not rules.can_record_consent(request.user):
            raise PermissionDenied("Your role may not record consent.")
        # The same door as the web's consent panel (lvv.access.views.consent_panel).
        person = gate.access_person(
            request.user,
            pk,
            operation="change",
            activity=ProcessingActivity.CONSENT,
            categories=["identity"],
            channel=API,
        )
        form = ConsentForm(_form_data(request, lists=("categories",)))
        if not form.is_valid():
            return _field_errors(form.errors)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                form.record(person=person, by=request.user)
        except consent.ConsentError as exc:
            return _field_errors({"non_field_errors": [str(exc)]})
        changed = {(data["party"], category) for category in data["categories"]}
        rows = _consent_rows(person, only=changed)
        return Response(s.ConsentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: s.StaySerializer, 401: FORBIDDEN, 403: FORBIDDEN, 404: NOT_FOUND})
class StayViewSet(viewsets.GenericViewSet):
    """Stays the caller may see, and their events (the history)."""

    serializer_class = s.StaySerializer
    permission_classes = [permissions.IsAuthenticated, SeesPersons]
    lookup_value_regex = "[^/]+"

    def list(self, request: Request) -> Response:
        queryset = (
            gate.stays_visible_to(request.user).select_related("lvv", "organisation").order_by("id")
        )
        page = self.paginate_queryset(queryset)
        gate.log_access(
            request.user,
            persons={stay.person_id for stay in page},
            operation="read",
            activity=ProcessingActivity.CASE_MANAGEMENT,
            channel=API,
            categories=("stay",),
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        stay = gate.access_stay(request.user, pk, channel=API)
        stay = Stay.objects.select_related("lvv", "organisation").get(pk=stay.pk)
        return Response(self.get_serializer(stay).data)

    @extend_schema(
        responses={
            200: s.EventSerializer(many=True),
            401: FORBIDDEN,
            403: FORBIDDEN,
            404: NOT_FOUND,
        }
    )
    @action(detail=True, methods=["get"], serializer_class=s.EventSerializer)
    def events(self, request: Request, pk: str) -> Response:
        stay = gate.access_stay(request.user, pk, channel=API)
        page = self.paginate_queryset(stay.events.order_by("recorded_at", "id"))
        return self.get_paginated_response(s.EventSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        description="LSO and other decisions about this stay (trajectory data).",
        responses={
            200: s.DecisionSerializer(many=True),
            401: FORBIDDEN,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @extend_schema(
        methods=["POST"],
        description=(
            "Record a decision about this stay, with the rules of the decision form on the case "
            "page (case workers and coordinators who may change the stay; trajectory data). "
            "With `expected_version` (the stay's `version`), 409 when the stay changed since."
        ),
        request=s.DecisionCreateSerializer,
        responses={
            201: s.DecisionSerializer,
            400: s.FieldErrorsSerializer,
            401: FORBIDDEN,
            403: CANNOT_CHANGE,
            404: NOT_FOUND,
            409: s.ConflictSerializer,
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=s.DecisionSerializer,
        parser_classes=[JSONParser],
    )
    def decisions(self, request: Request, pk: str) -> Response:
        """GET: LSO and other decisions about this stay (trajectory data). POST: record a decision
        (as the decision form on the case page: case workers and coordinators who may change the
        stay); with `expected_version`, 409 when the stay changed since that version."""
        from lvv.workflow.models import Decision

        if request.method == "POST":
            return self._record_decision(request, pk)
        stay = gate.access_stay(request.user, pk, channel=API, categories=["trajectory"])
        page = self.paginate_queryset(
            Decision.objects.filter(stay=stay).order_by("decided_on", "id")
        )
        return self.get_paginated_response(s.DecisionSerializer(page, many=True).data)

    def _record_decision(self, request: Request, pk: str) -> Response:
        from django.core.exceptions import ValidationError as DjangoValidationError

        from lvv.access import rules
        from lvv.registry.services import ConflictError
        from lvv.workflow.forms import DecisionForm
        from lvv.workflow.models import Decision

        if not rules.may_change_stays(request.user):
            raise PermissionDenied("Your role may not record decisions.")
        # The web's decision step (lvv.workflow.views.case_step, access "write"), plus the
        # trajectory category the decisions belong to (as for GET).
        stay = gate.access_stay(
            request.user, pk, operation="write", channel=API, categories=["trajectory"]
        )
        data = _form_data(request)
        form = DecisionForm(data, lvv=stay.lvv)
        errors = {} if form.is_valid() else dict(form.errors)
        version = s.DecisionCreateSerializer().fields["expected_version"]
        expected = None
        try:
            expected = version.run_validation(request.data.get("expected_version"))
        except ValidationError as exc:
            errors["expected_version"] = exc.detail
        if errors:
            return _field_errors(errors)
        d = form.cleaned_data
        try:
            with transaction.atomic():
                if expected is not None and d["kind"] != Decision.Kind.SCENARIO:
                    # A note writes no stay event: check the version here (nothing to overwrite,
                    # but a client that sends a version expects it to be checked).
                    current = Stay.objects.select_for_update().get(pk=stay.pk).version
                    if current != expected:
                        raise ConflictError()
                decision = form.record(stay=stay, by=request.user, expected_version=expected)
        except ConflictError as exc:
            latest = Stay.objects.filter(pk=stay.pk).values_list("version", flat=True).first()
            return Response(
                {"detail": str(exc), "version": latest}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                field_errors: dict[str, list[str]] = {}
                for name, messages in exc.message_dict.items():
                    key = name if name in form.fields else "non_field_errors"
                    field_errors.setdefault(key, []).extend(messages)
                return _field_errors(field_errors)
            return _field_errors({"non_field_errors": exc.messages})
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


def _form_data(request: Request, lists: tuple[str, ...] = ()) -> dict:
    """The JSON body as data for a Django form: scalars as the text a form post would carry,
    lists only for the multiple-choice fields in `lists` (anything else is refused by the form
    with its own message, never a server error)."""
    body = request.data
    if not isinstance(body, dict):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})

    def text(value):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    data = {}
    for key, value in body.items():
        if key in lists and isinstance(value, list):
            data[key] = [text(item) for item in value]
        else:
            data[key] = text(value)
    return data


def _field_errors(errors) -> Response:
    """400 with, per field, the messages saying what to fix (Django's `__all__` becomes DRF's
    `non_field_errors`)."""
    body = {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in dict(errors).items()
    }
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class IndEnrichmentView(APIView):
    """IND enrichment: first application date and current IND status, by correspondentienummer
    (with `lvv` where the number is used in more than one LVV) or by v_nummer. Recorded as
    `person_corrected` events with source "ind". All or nothing."""

    permission_classes = [permissions.IsAuthenticated, SeesPersons]
    parser_classes = [JSONParser]

    @extend_schema(
        request=s.IndEnrichmentSerializer,
        responses={
            200: s.IndEnrichmentResultSerializer,
            400: s.ProblemsSerializer,
            401: FORBIDDEN,
            403: FORBIDDEN,
        },
    )
    def post(self, request: Request) -> Response:
        body = s.IndEnrichmentSerializer(data=request.data)
        if not body.is_valid():
            return Response(
                {"errors": list(_flatten(body.errors))}, status=status.HTTP_400_BAD_REQUEST
            )
        items = body.validated_data["items"]
        columns = {"correspondentienummer", "datum_eerste_aanvraag", "huidige_status_ind"}
        columns |= {key for item in items for key in item}
        rows: list[tuple[int, dict[str, Cell]]] = [
            (n, {k: str(v).strip() for k, v in item.items()}) for n, item in enumerate(items, 1)
        ]
        kwargs = {
            "columns": columns,
            "stays": gate.stays_visible_to(request.user),
            "by": request.user,
            "source_ref": "api",
            "channel": API,
        }
        check = services.ind_enrich(rows=rows, dry_run=True, **kwargs)
        problems = [str(p).replace("row ", "item ", 1) for p in check.problems]
        if not problems:
            # Changing IND data is a change through the gate: a role that may only view it is
            # refused (and logged as refused) like any other change.
            for number, person_id in check.ind_persons:
                try:
                    gate.access_person(
                        request.user, person_id, operation="update", channel=API, **_ind_kw()
                    )
                except Http404:
                    problems.append(
                        f"item {number}: correspondentienummer: no person with this number "
                        "(that you may change)"
                    )
        if problems:
            return Response({"errors": problems}, status=status.HTTP_400_BAD_REQUEST)
        result = (
            check if body.validated_data["dry_run"] else services.ind_enrich(rows=rows, **kwargs)
        )
        return Response(
            {
                "updated": result.ind_updated,
                "unchanged": result.ind_unchanged,
                "dry_run": result.dry_run,
            }
        )


def _flatten(errors, path: str = ""):
    """DRF's nested error structure as 'path: message' lines (the Problems schema)."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            nested = isinstance(value, (dict, list))
            yield from _flatten(value, f"{path}[{index}]" if nested else path)
    else:
        yield f"{path}: {errors}" if path else str(errors)


def _ind_kw() -> dict:
    import inspect

    if "categories" in inspect.signature(gate.access_person).parameters:
        return {"categories": ["ind"]}
    return {}


class MonitorView(APIView):
    """The monitor document of CONTRACTS.md section 4 for a peildatum (figures, no persons)."""

    permission_classes = [permissions.IsAuthenticated, SeesAggregates]

    @extend_schema(
        parameters=[
            OpenApiParameter("peildatum", OpenApiTypes.DATE, required=True),
            OpenApiParameter("scheme", OpenApiTypes.STR, enum=["evaluation", "programme"]),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
            401: FORBIDDEN,
            403: FORBIDDEN,
            503: OpenApiResponse(
                description="The monitor's read replica lags behind the register: try again "
                "after Retry-After seconds."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        from lvv.monitor.figures import monitor_compute
        from lvv.monitor.replica import ReplicaBehind, wait_for_replica

        query = s.MonitorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        peildatum: dt.date = query.validated_data["peildatum"]
        try:
            wait_for_replica()
        except ReplicaBehind as exc:
            return Response(
                {"detail": str(exc)},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "60"},
            )
        try:
            document = monitor_compute(peildatum=peildatum, scheme=query.validated_data["scheme"])
        except ValueError as exc:
            raise ValidationError({"peildatum": [str(exc)]}) from None
        return Response(document)
