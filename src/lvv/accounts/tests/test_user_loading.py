"""The logged-in user comes with its organisation (issue 8): the access log's audit record names
the organisation without a query of its own."""

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory

from lvv.registry.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_request_user_brings_its_organisation(client, django_assert_num_queries):
    user = UserFactory(organisation=OrganisationFactory(name="Stichting A"))
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    with django_assert_num_queries(2):  # the session, the user joined with its organisation
        loaded = get_user(request)
        assert loaded.pk == user.pk
        assert loaded.organisation is not None
        assert loaded.organisation.name == "Stichting A"


def test_user_without_organisation_loads_too():
    user = UserFactory(organisation=None)
    from lvv.accounts.models import User

    assert User.objects.get(pk=user.pk).organisation is None
