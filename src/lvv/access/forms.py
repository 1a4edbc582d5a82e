from __future__ import annotations

from django import forms

from lvv.access import consent
from lvv.access.consent import CONSENTABLE
from lvv.access.models import Channel, ConsentEvent, DataCategory, Outcome, Party


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label="Gebruiker", required=False, max_length=150)
    organisation = forms.CharField(label="Organisatie", required=False, max_length=200)
    person = forms.CharField(
        label="Persoon (ID of pseudoniem)",
        required=False,
        max_length=64,
        help_text="Het persoons-ID (UUID) of het pseudoniem uit het logboek.",
    )
    date_from = forms.DateField(
        label="Vanaf", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Tot en met", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(
        label="Resultaat", required=False, choices=[("", "Alle"), *Outcome.choices]
    )
    channel = forms.ChoiceField(
        label="Kanaal", required=False, choices=[("", "Alle"), *Channel.choices]
    )

    def clean_person(self):
        from lvv.access.selectors import pseudonym_from_input

        value = self.cleaned_data["person"].strip()
        if not value:
            return None
        pseudonym = pseudonym_from_input(value)
        if pseudonym is None:
            raise forms.ValidationError(
                "Vul een persoons-ID (zoals 3f2c…-…) of een pseudoniem van 64 tekens in."
            )
        return pseudonym


class SubjectAccessForm(forms.Form):
    person = forms.UUIDField(
        label="Persoons-ID",
        error_messages={
            "invalid": "Vul het persoons-ID in (een UUID, zoals op de persoonspagina)."
        },
    )


class ConsentForm(forms.Form):
    action = forms.ChoiceField(label="Besluit", choices=ConsentEvent.Action.choices)
    party = forms.ChoiceField(label="Delen met", choices=Party.choices)
    categories = forms.MultipleChoiceField(
        label="Gegevens",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Kies ten minste één soort gegevens."},
    )
    method = forms.ChoiceField(label="Vastgelegd via", choices=ConsentEvent.Method.choices)
    note = forms.CharField(
        label="Toelichting (optioneel)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Bijvoorbeeld waar het getekende formulier ligt. Geen medische gegevens.",
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data  # the dict super().clean() returns (its type allows None)
        party, cats = data.get("party"), data.get("categories") or []
        if party and cats:
            wrong = [c for c in cats if c not in CONSENTABLE[party]]
            if wrong:
                labels = ", ".join(str(DataCategory(c).label) for c in wrong)
                raise forms.ValidationError(
                    f"{Party(party).label} kan deze gegevens niet krijgen: {labels}."
                )
        return data

    def record(self, *, person, by) -> list[ConsentEvent]:
        """Give or withdraw (the form's `action`) what the valid form holds, for the web's consent
        panel and the API alike; raises `consent.ConsentError` when there is nothing to change."""
        data = self.cleaned_data
        service = (
            consent.consent_give
            if data["action"] == ConsentEvent.Action.GIVEN
            else consent.consent_withdraw
        )
        return service(
            person=person,
            party=data["party"],
            categories=data["categories"],
            method=data["method"],
            note=data["note"],
            by=by,
        )
