"""Shared test fixtures: named personas, one per role (healthchecks' alice/bob/charlie)."""

import pytest

# Browser fixtures (browser_page, chromium_browser) for any test: see docs/architecture.md.
pytest_plugins = ["lvv.web.tests.browser"]


@pytest.fixture
def demo_structure(db):
    """The five pilot LVVs, their organisations and the demo accounts (no participants)."""
    from lvv.registry import demo

    return demo.load_structure()
