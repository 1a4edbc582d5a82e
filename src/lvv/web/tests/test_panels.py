"""The extension points of lvv.web.panels: registered sections appear on the pages, in order, for
the users they are meant for."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lvv.accounts.models import Role
from lvv.registry.tests.factories import LVVFactory, StayFactory, UserFactory
from lvv.web import panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(tmp_path, settings):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "person.html").write_text(
        '<section id="p-{{ key }}">{{ note }} {{ person.pk }}</section>'
    )
    (tmp_path / "t" / "stay.html").write_text('<p id="s-{{ key }}">{{ stay.lvv.name }}</p>')
    (tmp_path / "t" / "home.html").write_text('<section id="h-{{ key }}">{{ note }}</section>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    panels.register_person_panel(
        key="test.second",
        template="t/person.html",
        order=20,
        context=lambda request, person: {"key": "second", "note": "tweede"},
    )
    panels.register_person_panel(
        key="test.first",
        template="t/person.html",
        order=10,
        context=lambda request, person: {"key": "first", "note": "eerste"},
    )
    panels.register_person_panel(
        key="test.hidden",
        template="t/person.html",
        visible=lambda user: False,
        context=lambda request, person: {"key": "hidden", "note": "verborgen"},
    )
    panels.register_stay_panel(
        key="test.stay", template="t/stay.html", context=lambda r, s: {"key": "stay"}
    )
    panels.register_home_section(
        key="test.home",
        template="t/home.html",
        context=lambda request: {"key": "home", "note": "werkvoorraad"},
    )
    panels.register_menu_item(
        key="test.menu",
        label="Testmenu",
        url_name="web:home",
        order=99,
        visible=lambda user: user.username == "alice",
    )
    yield
    for key in ("test.second", "test.first", "test.hidden", "test.stay", "test.home", "test.menu"):
        panels.unregister(key)


def test_person_and_stay_panels_render_in_order(client, registered):
    lvv = LVVFactory(name="Utrecht")
    stay = StayFactory(lvv=lvv)
    client.force_login(UserFactory(username="alice", lvvs=[lvv]))
    body = client.get(
        reverse("registry:person_detail", kwargs={"person_id": stay.person_id})
    ).content.decode()
    assert body.index('id="p-first"') < body.index('id="p-second"')
    assert f"eerste {stay.person_id}" in body
    assert "verborgen" not in body
    assert '<p id="s-stay">Utrecht</p>' in body


def test_home_section_and_menu_item(client, registered):
    client.force_login(UserFactory(username="alice"))
    body = client.get(reverse("web:home")).content.decode()
    assert '<section id="h-home">werkvoorraad</section>' in body
    assert ">Testmenu</a>" in body
    client.force_login(UserFactory(username="bob"))
    assert ">Testmenu</a>" not in client.get(reverse("web:home")).content.decode()


def test_start_page_links_the_role_pages_when_the_role_sees_no_persons(client):
    """The privacy officer's start page offered 'Snel naar' without a single link; now the quick
    links are the role's pages from the menu. A role with person data keeps its person links."""
    client.force_login(UserFactory(role=Role.PRIVACY_OFFICER))
    body = client.get(reverse("web:home")).content.decode()
    quick = body[body.index('id="quick-h"') : body.index("</section>")]
    assert f'<li><a href="{reverse("access:log")}">' in quick
    client.force_login(UserFactory(lvvs=[LVVFactory()]))
    quick = client.get(reverse("web:home")).content.decode()
    quick = quick[quick.index('id="quick-h"') : quick.index("</section>")]
    assert reverse("registry:person_list") in quick and reverse("access:log") not in quick
