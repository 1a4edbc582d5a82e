"""Admission agreed by every party where the LVV's policy says so (Eindhoven, DOMAIN.md section 3):
`Policy.admission_parties` is data; the same code serves an LVV that asks no per-party agreement."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lvv.access.consent import CONSENTABLE, consent_give
from lvv.registry.models import Policy
from lvv.workflow import services
from lvv.workflow.models import AdmissionVerdict
from lvv.workflow.tests.conftest import (
    GOOD_CRITERIA,
    PARTY_USER,
    PILOTS,
    decide_admit,
    lvv,
    register,
    user,
)

pytestmark = pytest.mark.django_db


def _checked(pilot):
    stay, _ = register(pilot)
    conditions = dict.fromkeys(stay.lvv.policy.admission_conditions, (True, "gesprek"))
    services.admission_check_record(
        stay=stay,
        by=user(f"gemeente-{pilot.lower()}"),
        criteria=GOOD_CRITERIA,
        conditions=conditions,
    )
    return stay


def _decide(pilot, stay):
    return decide_admit(stay, by=user(f"gemeente-{pilot.lower()}"), on=stay.registration_date)


@pytest.mark.parametrize("pilot", PILOTS)
def test_admission_waits_for_every_party_the_policy_names(pilots, pilot):
    stay = _checked(pilot)
    required = lvv(pilot).policy.admission_parties
    # The demo configures it for Eindhoven only.
    assert bool(required) is (pilot == "Eindhoven")
    if not required:
        with pytest.raises(ValidationError, match="geen apart akkoord"):
            services.admission_verdict_record(
                stay=stay, by=user(f"ind-{pilot.lower()}"), agrees=True
            )
        assert _decide(pilot, stay) == "admitted"
        return
    for i, party in enumerate(required):
        with pytest.raises(ValidationError) as err:
            _decide(pilot, stay)
        waiting = [services.party_label(p) for p in required[i:]]
        assert "Wacht nog op: " + ", ".join(waiting) in str(err.value)
        services.admission_verdict_record(
            stay=stay, by=user(f"{PARTY_USER[party]}-{pilot.lower()}"), agrees=True
        )
    assert _decide(pilot, stay) == "admitted"
    assert AdmissionVerdict.objects.filter(stay=stay, agrees=True).count() == len(required)
    # After the decision no party can change its verdict any more.
    with pytest.raises(ValidationError, match="al besloten"):
        services.admission_verdict_record(
            stay=stay, by=user("ind-eindhoven"), agrees=False, note="x"
        )


def test_one_party_disagreeing_blocks_until_it_changes_its_verdict(pilots):
    stay = _checked("Eindhoven")
    for party in ("municipality", "ngo", "ind"):
        services.admission_verdict_record(
            stay=stay, by=user(f"{PARTY_USER[party]}-eindhoven"), agrees=True
        )
    with pytest.raises(ValidationError) as err:
        services.admission_verdict_record(stay=stay, by=user("dtv-eindhoven"), agrees=False)
    assert "note" in err.value.message_dict  # a "no" says why
    services.admission_verdict_record(
        stay=stay, by=user("dtv-eindhoven"), agrees=False, note="Eerst vertrekgesprek afronden"
    )
    with pytest.raises(ValidationError, match="DT&V"):
        _decide("Eindhoven", stay)
    services.admission_verdict_record(stay=stay, by=user("dtv-eindhoven"), agrees=True)
    assert _decide("Eindhoven", stay) == "admitted"
    assert AdmissionVerdict.objects.filter(stay=stay).count() == 4  # one row per party, last counts
    # Refusing never waits for the parties.
    other = _checked("Eindhoven")
    services.admission_decide(
        stay=other,
        by=user("gemeente-eindhoven"),
        on=other.registration_date,
        admit=False,
        reason="EU-burger",
    )


def test_a_party_the_policy_does_not_name_cannot_give_a_verdict(pilots):
    stay = _checked("Eindhoven")
    with pytest.raises(ValidationError, match="hoeft in Eindhoven geen akkoord"):
        services.admission_verdict_record(stay=stay, by=user("medisch-eindhoven"), agrees=True)


def test_the_rule_is_data_not_code(pilots):
    """Give Utrecht the rule and take it from Eindhoven: the same code follows the settings."""
    Policy.objects.filter(lvv__name="Utrecht").update(admission_parties=["ngo", "ind"])
    Policy.objects.filter(lvv__name="Eindhoven").update(admission_parties=[])
    eindhoven = _checked("Eindhoven")
    assert _decide("Eindhoven", eindhoven) == "admitted"
    utrecht = _checked("Utrecht")
    with pytest.raises(ValidationError, match="Wacht nog op: Maatschappelijke organisatie, IND"):
        _decide("Utrecht", utrecht)
    services.admission_verdict_record(stay=utrecht, by=user("ngo-utrecht"), agrees=True)
    services.admission_verdict_record(stay=utrecht, by=user("ind-utrecht"), agrees=True)
    assert _decide("Utrecht", utrecht) == "admitted"


def test_parties_give_their_verdict_on_the_case_page(pilots, client):
    stay = _checked("Eindhoven")
    for party, categories in CONSENTABLE.items():
        consent_give(
            person=stay.person,
            party=party,
            categories=categories,
            method="participation_form",
            by=user("ngo-eindhoven"),
        )
    url = reverse("workflow:admission_verdict", args=[stay.pk])
    client.force_login(user("ind-eindhoven"))
    page = client.get(reverse("workflow:case", args=[stay.pk])).content.decode()
    assert "Wacht nog op akkoord van" in page and "Akkoord van uw organisatie vastleggen" in page
    response = client.post(url, {"av-agrees": "nee", "av-note": ""})
    assert response.status_code == 400
    assert "Geef aan waarom uw organisatie niet akkoord is" in response.content.decode()
    assert client.post(url, {"av-agrees": "ja"}).status_code == 302
    assert AdmissionVerdict.objects.get(stay=stay, party="ind").agrees
    # A medical user is not a party of the rule and gets no form.
    client.force_login(user("medisch-eindhoven"))
    assert client.post(url, {"av-agrees": "ja"}).status_code in (400, 403, 404)
    assert not AdmissionVerdict.objects.filter(stay=stay, party="ggd").exists()
