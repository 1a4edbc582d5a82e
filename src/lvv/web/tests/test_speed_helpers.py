"""The cheaper renderings of lvv.web (FastSelect, choice labels) give exactly what Django gives."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html
from django.utils import translation

from lvv.accounts.models import User
from lvv.registry.models import Event, Location, Person, Stay
from lvv.web.choices import choice_label
from lvv.web.widgets import FastSelect

CHOICES = [
    ("", "Alle"),
    ("a", "Eén & <twee>"),
    ("b", 'Met "aanhalingstekens"'),
    ("Groep <x>", [("c", "C"), ("d", "D")]),
    (3, "Drie"),
]


@pytest.mark.parametrize("value", [None, "", "a", "d", "3", ["a"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_f", "aria-describedby": "h", "disabled": True}])
def test_fast_select_renders_what_select_renders(value, attrs):
    expected = forms.Select(choices=CHOICES).render("f", value, attrs=attrs)
    actual = FastSelect(choices=CHOICES).render("f", value, attrs=attrs)
    assert parse_html(actual) == parse_html(expected)
    assert "<twee>" not in actual  # escaped


def test_fast_select_in_a_bound_form_field():
    class F(forms.Form):
        f = forms.ChoiceField(choices=CHOICES[:3], required=False, help_text="hulp")

    class G(F):
        f = forms.ChoiceField(
            choices=CHOICES[:3], required=False, help_text="hulp", widget=FastSelect
        )

    for data in ({}, {"f": "b"}, {"f": "zz"}):
        assert parse_html(str(G(data)["f"])) == parse_html(str(F(data)["f"]))


CHOICE_FIELDS = [
    (Stay, "status"),
    (Stay, "target_group"),
    (Stay, "scenario"),
    (Stay, "outflow_type"),
    (Stay, "follow_up"),
    (Person, "gender"),
    (Location, "shelter_type"),
    (Event, "kind"),
]


@pytest.mark.parametrize(("model", "name"), CHOICE_FIELDS)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_choice_label_is_get_display(model, name, language):
    field = model._meta.get_field(name)
    with translation.override(language):
        for value in [*(v for v, _ in field.flatchoices), "unknown-value", ""]:
            instance = model(**{field.attname: value})
            expected = getattr(instance, f"get_{name}_display")()
            assert choice_label(instance, name) == expected


def test_choice_label_of_a_field_without_choices_falls_back_to_the_value():
    assert choice_label(User(role=""), "role") == User(role="").get_role_display()
