"""Shared test fixtures: named personas, one per role (healthchecks' alice/bob/charlie)."""

import pytest


@pytest.fixture
def demo_structure(db):
    """The five pilot LVVs, their organisations and the demo accounts (no participants)."""
    from lvv.registry import demo

    return demo.load_structure()
