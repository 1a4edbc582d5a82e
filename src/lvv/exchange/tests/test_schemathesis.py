"""Fuzzing the API against its own served schema (schemathesis, in-process over WSGI, no network):
no server errors, and every response conforms to the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance

from lvv.accounts.models import Organisation
from lvv.exchange.models import ApiToken
from lvv.registry.tests.factories import (
    CapacityFactory,
    LVVFactory,
    OrganisationFactory,
    StayFactory,
    UserFactory,
)


@pytest.fixture
def keep_connections():
    """Like Django's test client: requests must not close the test's database connections (on
    PostgreSQL the open test transaction would make Django close them)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, keep_connections):
    lvv = LVVFactory(name="Amsterdam")
    CapacityFactory(lvv=lvv)
    ngo = OrganisationFactory(name="NGO A", kind=Organisation.Kind.NGO)
    StayFactory(lvv=lvv, organisation=ngo, correspondence_number="A1")
    StayFactory(lvv=lvv, correspondence_number="A2", left=True)
    _row, token = ApiToken.issue(UserFactory(lvvs=[lvv]))
    return token


def test_api_conforms_to_its_schema(token):
    """Every operation of the served schema, a few derandomised examples each."""
    from lvv.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    headers = {"Authorization": f"Token {token}"}
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation the schema does not describe validly
            raise result.err()
        operations.append(result.ok())
    assert len(operations) >= 7

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
