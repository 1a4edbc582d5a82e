"""Shared test fixtures: named personas, one per role (healthchecks' alice/bob/charlie)."""

import pytest
from hypothesis import settings

# Property tests check correctness, never speed: no per-example deadline on shared, noisy machines.
settings.register_profile("lvv", deadline=None)
settings.load_profile("lvv")

# Browser fixtures (browser_page, chromium_browser) for any test: see docs/architecture.md.
# The access log has its own database connection; lvv.access.pytest_plugin lets DB tests use it.
pytest_plugins = ["lvv.web.tests.browser", "lvv.access.pytest_plugin"]


@pytest.fixture
def demo_structure(db):
    """The five pilot LVVs, their organisations and the demo accounts (no participants)."""
    from lvv.registry import demo

    return demo.load_structure()
