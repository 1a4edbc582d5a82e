"""Display labels of model choice fields, looked up in a dict kept per process and language.

`instance.get_<field>_display()` rebuilds a dict of the field's choices on every call, hashing each
lazily translated label (a gettext per choice): on a list of 50 stays with four choice columns that
was the largest single cost of the page. The choices are constants of the code, so their labels
are computed once per field and language and never go stale."""

from __future__ import annotations

from typing import Any

from django.utils.encoding import force_str
from django.utils.translation import get_language

_labels: dict[tuple[type, str, str | None], dict[Any, str]] = {}


def choice_label(instance: Any, field_name: str) -> str:
    """What `instance.get_<field_name>_display()` returns, without rebuilding the choices."""
    model = type(instance)
    key = (model, field_name, get_language())
    labels = _labels.get(key)
    field = model._meta.get_field(field_name)
    if labels is None:
        labels = {value: force_str(label) for value, label in field.flatchoices}
        _labels[key] = labels
    value = getattr(instance, field.attname)
    try:
        return labels.get(value, force_str(value, strings_only=True))
    except TypeError:  # an unhashable value: what Django does with it
        return getattr(instance, f"get_{field_name}_display")()
