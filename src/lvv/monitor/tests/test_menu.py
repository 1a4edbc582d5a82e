"""The "Monitor" menu item is decided from the role, without a query, and agrees with the
monitor's own access rule for every role."""

import pytest

from lvv.accounts.models import Role
from lvv.monitor.access import monitor_scope
from lvv.monitor.apps import may_see_monitor
from lvv.registry.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("active", [True, False])
def test_menu_item_agrees_with_monitor_scope(role, active, django_assert_num_queries):
    user = UserFactory(role=role, is_active=active)
    with django_assert_num_queries(0):
        shown = may_see_monitor(user)
    assert shown == monitor_scope(user).may_view


def test_anonymous_sees_no_monitor_item():
    from django.contrib.auth.models import AnonymousUser

    assert may_see_monitor(AnonymousUser()) is False
    assert may_see_monitor(None) is False
