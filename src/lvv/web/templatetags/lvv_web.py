"""Template tags of the web app: the registered panels, sections and menu items (lvv.web.panels)
and the Dutch date format."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from lvv.web import panels
from lvv.web.choices import choice_label

register = template.Library()


def _join(rendered: list[panels.RenderedPanel]) -> SafeString:
    return mark_safe("".join(p.html for p in rendered))


@register.simple_tag(takes_context=True)
def person_panels(context: template.Context, person: Any) -> SafeString:
    return _join(panels.person_panels(context["request"], person, page=context))


@register.simple_tag(takes_context=True)
def stay_panels(context: template.Context, stay: Any) -> SafeString:
    return _join(panels.stay_panels(context["request"], stay, page=context))


@register.simple_tag(takes_context=True)
def home_sections(context: template.Context) -> SafeString:
    return _join(panels.home_sections(context["request"]))


@register.simple_tag(takes_context=True)
def registered_menu_items(context: template.Context) -> SafeString:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return mark_safe("")
    return format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (item.url, mark_safe(' aria-current="page"') if item.current else "", item.label)
            for item in panels.menu_items(request)
        ),
    )


@register.filter
def dmy(value: dt.date | dt.datetime | None) -> str:
    """A date as dd-mm-jjjj (a datetime in local time with hh:mm); '-' when empty."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


@register.simple_tag
def badge(text: str, tone: str = "") -> SafeString:
    return format_html('<span class="badge {}">{}</span>', tone, text)


@register.filter
def field(form: Any, name: str) -> Any:
    """The bound field `name` of a form: `{{ form|field:"given_names" }}`."""
    return form[name]


@register.filter
def short_label(value: str) -> str:
    """A label without its explanation in brackets: 'Convenant (afgesproken doelgroep)' ->
    'Convenant' (for dense tables)."""
    return str(value).split(" (", 1)[0]


@register.filter
def invalid_fields(form: Any) -> list[Any]:
    """The visible bound fields of a form that have errors (for an error summary)."""
    return [bound for bound in form.visible_fields() if bound.errors]


@register.filter
def label(instance: Any, field_name: str) -> str:
    """The display label of a choice field: `{{ stay|label:"status" }}` is
    `stay.get_status_display()`, with the labels looked up once per process (lvv.web.choices)."""
    return choice_label(instance, field_name)
