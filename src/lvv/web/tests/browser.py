"""Reusable pieces for browser tests: Debian's Chromium through Playwright, and axe-core.

The fixtures are registered for the whole suite through `pytest_plugins` in the root conftest.py,
so any test can ask for `browser_page`:

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_something(browser_page, live_server):
        login(browser_page, live_server, "alice")
        browser_page.goto(live_server.url + "/personen/")
        assert_accessible(browser_page)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=nl-NL",
]
# What UserFactory gives every user.
DEFAULT_PASSWORD = "correct-horse-battery-staple"
SCREENSHOT_DIR = Path(__file__).resolve().parents[4] / "var" / "screenshots"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@pytest.fixture(scope="session")
def chromium_browser():
    """One Chromium for the whole test session (skipped when Debian's Chromium is missing)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's database calls
    # from the test itself are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium_browser) -> Iterator:
    """A fresh page (own cookies) in Dutch, 1280 px wide, failing fast on a missing element."""
    context = chromium_browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username: str, password: str = DEFAULT_PASSWORD) -> None:
    """Log in through the login page and check it worked (and that the page is accessible)."""
    page.goto(f"{live_server.url}/inloggen/")
    assert_accessible(page)
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert "/inloggen/" not in page.url, f"login as {username} failed"


def axe_violations(page, impacts: frozenset[str] = BLOCKING_IMPACTS) -> list[dict]:
    """The axe-core violations on the current page with one of `impacts`."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    # A click on a link may still be navigating: axe then finds no document. Wait for the page to
    # load and ask once more when the document went away under axe.
    page.wait_for_load_state()
    try:
        results = Axe().run(page)
    except PlaywrightError as exc:
        if "documentElement" not in str(exc) and "context was destroyed" not in str(exc):
            raise
        page.wait_for_load_state()
        results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def assert_accessible(page, impacts: frozenset[str] = BLOCKING_IMPACTS) -> None:
    """Fail with a readable list when axe-core finds a serious or critical violation."""
    violations = axe_violations(page, impacts)
    if violations:
        lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
        for v in violations:
            targets = "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} -> {targets}")
        pytest.fail("\n".join(lines))


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under var/screenshots/ (to look at; not compared)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
