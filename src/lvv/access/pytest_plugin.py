"""pytest plugin (loaded by the root conftest.py): every test that uses the database may also use
the access log's own connection (alias "accesslog", lvv.access.routers). Without this, pytest-django
would neither set up a test database for that alias nor allow queries on it."""

from __future__ import annotations

import pytest

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(items):
    from django.conf import settings

    log_alias = getattr(settings, "ACCESS_LOG_DATABASE", "default")
    if log_alias == "default":
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        if marker is None and not DB_FIXTURES & fixtures:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        args = tuple(marker.args) if marker else ()
        databases = kwargs.get("databases")
        if databases == "__all__":
            continue
        kwargs["databases"] = sorted({*(databases or ["default"]), log_alias})
        item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)


def pytest_configure(config):
    """Close every connection (the access log's too) before the test databases are dropped;
    otherwise PostgreSQL refuses to drop a database that the second connection still uses."""
    import django.test.utils as test_utils

    original = test_utils.teardown_databases
    if getattr(original, "_lvv_closes_connections", False):
        return

    def teardown_databases(*args, **kwargs):
        from django.db import connections

        connections.close_all()
        return original(*args, **kwargs)

    teardown_databases._lvv_closes_connections = True
    test_utils.teardown_databases = teardown_databases
