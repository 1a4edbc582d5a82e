"""The monitor page in Chromium: tables, charts, downloads, accessible (axe-core)."""

import pytest

from lvv.accounts.models import Organisation, Role
from lvv.monitor.tests.world import build_world
from lvv.registry.tests.factories import OrganisationFactory, UserFactory
from lvv.web.tests.browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    """A session made by Django's test client (the login page has its own browser test)."""
    from django.conf import settings
    from django.test import Client

    from lvv.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    # The machine running the suite is shared; drawing five charts may take a while.
    page.set_default_timeout(60_000)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_monitor_page_for_a_coordinator(browser_page, live_server):
    world = build_world()
    UserFactory(username="coord-alfa", role=Role.COORDINATOR, lvvs=[world["alfa"]])
    page = browser_page
    login(page, live_server, "coord-alfa")
    page.goto(f"{live_server.url}/monitor/")
    assert page.get_by_role("link", name="Monitor").first.is_visible()
    page.get_by_role("textbox", name="Peildatum").fill("2020-03-01")
    page.get_by_role("combobox", name="Telwijze").select_option("programme")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Stand op 01-03-2020").is_visible()
    table = page.locator("section[aria-labelledby='t-totals']")
    assert "120" in table.inner_text()
    # The occupancy as % of capacity and the waiting list (ADR 102): Alfa 5 / 120, 2 waiting.
    pct_row = table.get_by_role("row", name="Bezetting (% van capaciteit)")
    assert pct_row.get_by_role("cell").first.inner_text() == "4,2%"
    waiting_row = table.get_by_role("row", name="Wachtlijst")
    assert waiting_row.get_by_role("cell").first.inner_text().strip() == "2"
    table.screenshot(
        path=str(screenshot(page, "monitor-coordinator").with_name("monitor-totals.png"))
    )
    assert page.locator("figure.chart img").count() >= 4
    assert page.get_by_role("link", name="Download PDF").is_visible()
    assert_accessible(page)
    screenshot(page, "monitor-coordinator")
    # A number of the coordinator's own LVV leads to the stays behind it.
    page.locator("a[title='Bekijk de verblijven achter dit getal']").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page)


def test_monitor_page_for_the_programme_bureau_has_no_links(browser_page, live_server):
    build_world()
    bureau = OrganisationFactory(name="Programmabureau", kind=Organisation.Kind.PROGRAMME_BUREAU)
    UserFactory(username="bureau", role=Role.PROGRAMME_BUREAU, organisation=bureau)
    page = browser_page
    login(page, live_server, "bureau")
    page.goto(f"{live_server.url}/monitor/?peildatum=2020-03-01&scheme=evaluation")
    assert page.locator("a[title='Bekijk de verblijven achter dit getal']").count() == 0
    assert page.get_by_role("button", name="Publiceer deze monitor").is_visible()
    screenshot(page, "monitor-bureau")
