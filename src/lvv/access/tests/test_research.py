"""The research export: pseudonymised per export, no names or V-numbers, logged, researcher only."""

import csv
import io

import pytest
from django.urls import reverse

from lvv.access.models import AccessRecord
from lvv.accounts.models import Role
from lvv.accounts.testing import login_with_2fa
from lvv.registry.tests.factories import PersonFactory, StayFactory, UserFactory

pytestmark = pytest.mark.django_db


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_researcher_gets_pseudonymised_rows_and_each_export_is_logged(client):
    person = PersonFactory(family_name="Onderzoekstest", v_number="9876543210", birth_year=1990)
    StayFactory(person=person)
    researcher = UserFactory(role=Role.RESEARCHER)
    login_with_2fa(client, researcher)
    first = client.get(reverse("access:research"), {"formaat": "csv"})
    assert first.status_code == 200
    body = first.content.decode("utf-8-sig")
    assert "Onderzoekstest" not in body and "9876543210" not in body and str(person.pk) not in body
    (row,) = _rows(first)
    assert row["geboortejaar"] == "1990" and row["land_van_herkomst"] == "ERI"
    second = client.get(reverse("access:research"), {"formaat": "csv"})
    assert _rows(second)[0]["pseudoniem"] != row["pseudoniem"]  # a new key per export
    lines = AccessRecord.objects.for_person(person.pk).select_related("audit")
    assert lines.count() == 2
    assert {(line.activity, line.audit.channel) for line in lines} == {("research", "export")}
    assert client.get(reverse("access:research"), {"formaat": "xlsx"}).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.PROGRAMME_BUREAU, Role.IND, Role.PRIVACY_OFFICER]
)
def test_other_roles_get_no_research_export(client, role):
    StayFactory()
    login_with_2fa(client, UserFactory(role=role))
    assert client.get(reverse("access:research"), {"formaat": "csv"}).status_code == 404
