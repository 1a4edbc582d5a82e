"""API representations. Every field a role or the person's consent may hide is nullable: the view
blanks what `lvv.access.gate.visible_categories` does not allow."""

from __future__ import annotations

from rest_framework import serializers

from lvv.access.models import ConsentEvent, DataCategory, Party
from lvv.registry.taxonomy import Scenario
from lvv.workflow.models import Decision


class StaySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    lvv = serializers.CharField(source="lvv.name", read_only=True, help_text="The LVV's name.")
    organisation = serializers.CharField(
        source="organisation.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The guiding NGO's name (null when none is recorded).",
    )
    correspondence_number = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    target_group = serializers.CharField(read_only=True)
    registration_date = serializers.DateField(read_only=True, allow_null=True)
    admission_date = serializers.DateField(read_only=True, allow_null=True)
    scenario = serializers.CharField(read_only=True)
    scenario_date = serializers.DateField(read_only=True, allow_null=True)
    scenario_discussed_in_lso = serializers.BooleanField(read_only=True)
    outflow_date = serializers.DateField(read_only=True, allow_null=True)
    outflow_type = serializers.CharField(read_only=True)
    follow_up = serializers.CharField(read_only=True)
    follow_up_date = serializers.DateField(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        read_only=True, help_text="Increases with every change; send it as `expected_version`."
    )


IDENTITY_FIELDS = ("given_names", "family_name", "v_number", "birth_year", "gender", "country")
IND_FIELDS = ("first_ind_application_date", "ind_status")


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    given_names = serializers.CharField(read_only=True, allow_null=True)
    family_name = serializers.CharField(read_only=True, allow_null=True)
    v_number = serializers.CharField(read_only=True, allow_null=True)
    birth_year = serializers.IntegerField(read_only=True, allow_null=True)
    gender = serializers.CharField(read_only=True, allow_null=True)
    country = serializers.CharField(
        read_only=True, allow_null=True, help_text="ISO 3166 alpha-3; XXA stateless; '' unknown."
    )
    first_ind_application_date = serializers.DateField(read_only=True, allow_null=True)
    ind_status = serializers.CharField(read_only=True, allow_null=True)
    stays = StaySerializer(many=True, read_only=True, source="visible_stays")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        shown = getattr(instance, "shown_categories", None)
        if shown is not None:
            if "identity" not in shown:
                data.update(dict.fromkeys(IDENTITY_FIELDS))
            if "ind" not in shown:
                data.update(dict.fromkeys(IND_FIELDS))
            if "stay" not in shown:
                data["stays"] = []
        return data


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    valid_on = serializers.DateField(read_only=True, allow_null=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    source = serializers.CharField(read_only=True)
    source_ref = serializers.CharField(read_only=True)
    data = serializers.DictField(read_only=True)
    supersedes = serializers.IntegerField(source="supersedes_id", read_only=True, allow_null=True)


class IndItemSerializer(serializers.Serializer):
    correspondentienummer = serializers.CharField(required=False, allow_blank=True, max_length=64)
    lvv = serializers.CharField(required=False, allow_blank=True, max_length=100)
    v_nummer = serializers.CharField(required=False, allow_blank=True, max_length=20)
    datum_eerste_aanvraag = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="yyyy-mm-dd or dd-mm-yyyy"
    )
    huidige_status_ind = serializers.CharField(required=False, allow_blank=True, max_length=200)


class IndEnrichmentSerializer(serializers.Serializer):
    items = IndItemSerializer(many=True, allow_empty=False, max_length=10000)
    dry_run = serializers.BooleanField(default=False)


class IndEnrichmentResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class ProblemsSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.CharField())


class MonitorQuerySerializer(serializers.Serializer):
    peildatum = serializers.DateField()
    scheme = serializers.ChoiceField(choices=["evaluation", "programme"], default="evaluation")


class ConsentSerializer(serializers.Serializer):
    party = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    given = serializers.BooleanField(read_only=True)
    since = serializers.DateTimeField(read_only=True, allow_null=True)


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    scenario = serializers.CharField(read_only=True)
    decided_on = serializers.DateField(read_only=True)
    decider = serializers.CharField(read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)


# Writes. These serializers describe the request bodies for the schema; the views validate with
# the web's own forms (lvv.access.forms.ConsentForm, lvv.workflow.forms.DecisionForm), so the
# rules and messages are exactly those of the web.


def _choices(field_choices) -> list[str]:
    return [value for value, _label in field_choices if value != ""]


class ConsentChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=_choices(ConsentEvent.Action.choices))
    party = serializers.ChoiceField(choices=_choices(Party.choices))
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=_choices(DataCategory.choices)),
        allow_empty=False,
        help_text="One or more data categories the party may receive (see the consent rules).",
    )
    method = serializers.ChoiceField(choices=_choices(ConsentEvent.Method.choices))
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="No medical content."
    )


class DecisionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Decision.Kind.SCENARIO.value, Decision.Kind.NOTE.value])
    scenario = serializers.ChoiceField(
        choices=_choices(Scenario.choices),
        required=False,
        allow_blank=True,
        help_text="Required for kind 'scenario'.",
    )
    meeting = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The meeting (of the stay's LVV) the decision was taken in; or give `decider`.",
    )
    decider = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Who decided, without meeting."
    )
    decided_on = serializers.DateField(help_text="Not in the future.")
    text = serializers.CharField(required=False, allow_blank=True)
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="The stay's `version` you read; 409 when the stay changed since.",
    )


class FieldErrorsSerializer(serializers.Serializer):
    """400: per field the messages saying what to fix; `non_field_errors` for the whole request."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(help_text="The stay's current version.")
