"""Extension points of the web pages: other apps add sections to the person page, the start page
and the main menu without editing the templates of `registry` or `web`.

Register in your `AppConfig.ready()`:

    from lvv.web import panels

    panels.register_person_panel(
        key="workflow.actions",
        template="workflow/_person_actions.html",
        context=lambda request, person: {"actions": open_actions(request.user, person)},
        order=20,
        visible=lambda user: user.role in {...},
    )

A panel template gets the page's context plus `person` (person panels), `stay` (stay panels) and
whatever `context` returns. The person reaching the panel has already gone through
`lvv.access.gate.access_person`; a panel that fetches more person data must still use the gate.
Registering the same `key` again replaces the earlier registration (ready() may run twice in tests).
Lower `order` comes first; ties are broken by key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django.template.backends.django import Template as DjangoTemplate
    from django_stubs_ext import StrPromise

Visible = Callable[[Any], bool]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[..., dict[str, Any]] | None = None
    order: int = 100
    visible: Visible | None = None


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str | StrPromise
    url_name: str
    order: int = 100
    visible: Visible | None = None
    # The item is marked as the current page when the path starts with its URL (or this prefix).
    active_prefix: str | None = None


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    html: SafeString


@dataclass(frozen=True)
class RenderedMenuItem:
    key: str
    label: str
    url: str
    current: bool


_person_panels: dict[str, Panel] = {}
_stay_panels: dict[str, Panel] = {}
_home_sections: dict[str, Panel] = {}
_menu_items: dict[str, MenuItem] = {}


def register_person_panel(
    *,
    key: str,
    template: str,
    context: Callable[[HttpRequest, Any], dict[str, Any]] | None = None,
    order: int = 100,
    visible: Visible | None = None,
) -> None:
    """A section on the person page (registry:person_detail), below the facts and stays.
    `context(request, person) -> dict`."""
    _person_panels[key] = Panel(key, template, context, order, visible)


def register_stay_panel(
    *,
    key: str,
    template: str,
    context: Callable[[HttpRequest, Any], dict[str, Any]] | None = None,
    order: int = 100,
    visible: Visible | None = None,
) -> None:
    """A section inside each stay card on the person page. `context(request, stay) -> dict`."""
    _stay_panels[key] = Panel(key, template, context, order, visible)


def register_home_section(
    *,
    key: str,
    template: str,
    context: Callable[[HttpRequest], dict[str, Any]] | None = None,
    order: int = 100,
    visible: Visible | None = None,
) -> None:
    """A section of the start page (web:home), e.g. a work queue. `context(request) -> dict`."""
    _home_sections[key] = Panel(key, template, context, order, visible)


def register_menu_item(
    *,
    key: str,
    label: str | StrPromise,
    url_name: str,
    order: int = 100,
    visible: Visible | None = None,
    active_prefix: str | None = None,
) -> None:
    """An entry of the main menu, shown to users for whom `visible(user)` is true."""
    _menu_items[key] = MenuItem(key, label, url_name, order, visible, active_prefix)


def unregister(key: str) -> None:
    """Remove a registration of any kind (for tests)."""
    for registry in (_person_panels, _stay_panels, _home_sections, _menu_items):
        registry.pop(key, None)


def _ordered(registry: dict[str, Any], user: Any) -> list[Any]:
    items = sorted(registry.values(), key=lambda p: (p.order, p.key))
    return [p for p in items if p.visible is None or p.visible(user)]


def _render(
    panels: list[Panel],
    request: HttpRequest,
    base: dict[str, Any],
    *args: Any,
    page: Context | None = None,
):
    """Render each panel: inside the page's own template context when given (as `{% include %}`
    does: the page's context processors ran once for the page, not again for every panel of every
    stay), else as a template of its own with the request."""
    rendered = []
    for panel in panels:
        context = dict(base)
        if panel.context is not None:
            context.update(panel.context(request, *args))
        if page is None:
            html = render_to_string(panel.template, context, request=request)
        else:
            with page.push(context):
                # get_template is typed as any engine's template; ours is the Django engine's.
                template = cast("DjangoTemplate", get_template(panel.template))
                html = template.template.render(page)
        rendered.append(RenderedPanel(panel.key, mark_safe(html)))
    return rendered


def person_panels(
    request: HttpRequest, person: Any, *, page: Context | None = None
) -> list[RenderedPanel]:
    return _render(
        _ordered(_person_panels, request.user), request, {"person": person}, person, page=page
    )


def stay_panels(
    request: HttpRequest, stay: Any, *, page: Context | None = None
) -> list[RenderedPanel]:
    return _render(_ordered(_stay_panels, request.user), request, {"stay": stay}, stay, page=page)


def home_sections(request: HttpRequest) -> list[RenderedPanel]:
    return _render(_ordered(_home_sections, request.user), request, {})


def menu_items(request: HttpRequest) -> list[RenderedMenuItem]:
    items = []
    for item in _ordered(_menu_items, request.user):
        url = reverse(item.url_name)
        prefix = item.active_prefix or url
        items.append(RenderedMenuItem(item.key, item.label, url, request.path.startswith(prefix)))
    return items
