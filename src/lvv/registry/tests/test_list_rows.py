"""The rows of the persons list and the items of the person page's timeline are written in Python
(`registry.views.list_rows_html`, `timeline_html`): the same HTML as the template loops they
replaced, kept below as the references, for every combination of the categories a user may see and
of the values that change a row or an item."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.template import engines

from lvv.registry import services
from lvv.registry.models import Event, EventKind, Stay
from lvv.registry.taxonomy import OutflowType, Scenario
from lvv.registry.tests.factories import (
    LocationFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)
from lvv.registry.views import LIST_CATEGORIES, _timeline, list_rows_html, timeline_html

pytestmark = pytest.mark.django_db

# The loop of registry/_person_results.html before the rows moved to Python (it stood between
# "<tbody>\n  " and "\n  </tbody>", where `{{ rows_html }}` stands now).
REFERENCE = (
    "{% load lvv_web %}"
    + """{% for stay in rows %}
    <tr>
      {% if "identity" in stay.shown %}
      <th scope="row"><a href="{% url 'registry:person_detail' person_id=stay.person_id %}">{{ stay.person.display_name }}</a>{% if stay.correspondence_number %}<br><span class="muted small">{{ stay.correspondence_number }}</span>{% endif %}</th>
      <td class="date">{{ stay.person.v_number|default:"–" }}</td>
      {% else %}
      <th scope="row"><a href="{% url 'registry:person_detail' person_id=stay.person_id %}">Persoon <span class="muted small">(naam niet gedeeld)</span></a></th>
      <td>–</td>
      {% endif %}
      {% if "stay" in stay.shown %}
      <td>{{ stay.lvv.name }}</td>
      <td>{{ stay.organisation.name|default:"–" }}</td>
      <td>{{ stay|label:"target_group"|short_label }}</td>
      {% else %}<td>{{ stay.lvv.name }}</td><td>–</td><td>–</td>{% endif %}
      {% if "trajectory" in stay.shown %}
      <td>{{ stay|label:"scenario" }}{% if not stay.scenario_discussed_in_lso %} <span class="badge warn" title="Niet besproken in het LSO">niet in LSO</span>{% endif %}</td>
      {% else %}<td>–</td>{% endif %}
      {% if "stay" in stay.shown %}
      <td><span class="badge {% if stay.status == 'admitted' %}ok{% elif stay.status == 'left' %}{% elif stay.status == 'refused' %}bad{% else %}warn{% endif %}">{{ stay|label:"status" }}</span></td>
      <td class="date">{{ stay.admission_date|dmy }}</td>
      <td class="date">{{ stay.outflow_date|dmy }}{% if stay.outflow_type %}<br><span class="muted small">{{ stay|label:"outflow_type" }}</span>{% endif %}</td>
      {% else %}<td>–</td><td>–</td><td>–</td>{% endif %}
    </tr>
  {% endfor %}"""
)


def _reference(rows) -> str:
    return engines["django"].from_string(REFERENCE).render({"rows": rows})


def test_rows_equal_the_template_loop():
    ngo = OrganisationFactory(name="Stichting <A> & B")
    stays = [
        StayFactory(
            person=PersonFactory(
                family_name="O'Brien <b>", given_names="Ann", v_number="1234567891"
            ),
            organisation=ngo,
            correspondence_number="K&1",
        ),
        StayFactory(person=PersonFactory(family_name="Alfa", given_names="", v_number="")),
        StayFactory(person=PersonFactory(), left=True, scenario=Scenario.RETURN),
        StayFactory(person=PersonFactory(), registered_only=True),
    ]
    Stay.objects.filter(pk=stays[1].pk).update(scenario_discussed_in_lso=False, status="refused")
    Stay.objects.filter(pk=stays[3].pk).update(status="waiting")
    rows = list(
        Stay.objects.filter(pk__in=[s.pk for s in stays]).select_related(
            "person", "lvv", "organisation"
        )
    )
    assert {r.outflow_type for r in rows} >= {OutflowType.RETURN, ""}
    cats = sorted(LIST_CATEGORIES)
    for n in range(len(cats) + 1):
        for shown in itertools.combinations(cats, n):
            for stay in rows:
                stay.shown = set(shown)
            assert str(list_rows_html(rows)) == _reference(rows), shown
    assert str(list_rows_html([])) == _reference([]) == ""


# The loop of registry/person_detail.html's timeline before its items moved to Python (between
# '<ol class="timeline">\n  ' and '\n  </ol>', where `{{ timeline_html }}` stands now).
TIMELINE_REFERENCE = (
    "{% load lvv_web %}"
    + """{% for entry in timeline %}
    <li class="{% if entry.voided_by %}voided{% endif %}{% if entry.event.kind == 'event_voided' %} void{% endif %}">
      <p class="what">{% if entry.voided_by %}<del>{% endif %}<strong>{{ entry.title }}</strong>{% if entry.details %}: {{ entry.details|join:"; " }}{% endif %}{% if entry.voided_by %}</del>{% endif %}
      {% if entry.lvv %}<span class="muted">· {{ entry.lvv }}</span>{% endif %}</p>
      {% if entry.voided_by %}<p class="void-reason">Ingetrokken op {{ entry.voided_by.recorded_at|dmy }}: {{ entry.voided_by.data.reason }}</p>{% endif %}
      <p class="when">{% if entry.event.valid_on %}Datum {{ entry.event.valid_on|dmy }} · {% endif %}geregistreerd {{ entry.event.recorded_at|dmy }}{% if entry.event.recorded_by %} door {{ entry.event.recorded_by.get_full_name|default:entry.event.recorded_by.username }}{% endif %}{% if entry.event.organisation %} ({{ entry.event.organisation.name }}){% endif %}{% if entry.event.source != 'web' %} · bron: {{ entry.event.source }}{% endif %}</p>
      {% if entry.can_void %}<p class="small"><a href="{% url 'registry:event_void' event_id=entry.event.pk %}">Intrekken<span class="visually-hidden">: {{ entry.title }}{% if entry.event.valid_on %} van {{ entry.event.valid_on|dmy }}{% endif %}</span></a></p>{% endif %}
    </li>
  {% empty %}
    <li>Nog geen gebeurtenissen.</li>
  {% endfor %}"""
)


def test_timeline_items_equal_the_template_loop():
    named = UserFactory(username="hanna", first_name="Hanna", last_name="de <Vries>")
    plain = UserFactory(username="piet")
    stay = StayFactory(person=PersonFactory(family_name="Gamma"))
    other = services.stay_register(
        person=stay.person,
        lvv=StayFactory().lvv,
        registration_date=dt.date(2020, 3, 1),
        by=None,
        source="import",
        correspondence_number="X&1",
    )
    services.stay_set_scenario(
        stay=stay, scenario="return", on=dt.date(2020, 2, 1), discussed_in_lso=False, by=named
    )
    moved = services.stay_move_location(
        stay=stay, location=LocationFactory(lvv=stay.lvv), on=dt.date(2020, 2, 2), by=plain
    )
    services.event_void(event=moved, by=named, reason="verkeerde <locatie>")
    services.stay_set_organisation(
        stay=stay,
        organisation=OrganisationFactory(name="Stichting & Co"),
        on=dt.date(2020, 2, 3),
        by=plain,
    )
    # Admitted by the signed intake form (ADR 0105): the item says so, like the case page.
    services.stay_admit(
        stay=other, on=dt.date(2020, 3, 2), by=named, data={"intake_form": "signed"}
    )
    stays = list(Stay.objects.filter(pk__in=[stay.pk, other.pk]).select_related("lvv"))
    assert Event.objects.filter(kind=EventKind.EVENT_VOIDED).exists()
    engine = engines["django"]
    for shown in ({"identity", "stay", "trajectory"}, {"stay"}, set()):
        for changeable in (set(), {stay.pk}, {stay.pk, other.pk}):
            entries = _timeline(stay.person, stays, shown=shown, changeable=changeable)
            expected = engine.from_string(TIMELINE_REFERENCE).render({"timeline": entries})
            assert str(timeline_html(entries)) == expected, (shown, changeable)
            signed = "<strong>Toegelaten</strong>: intakeformulier ondertekend"
            assert (signed in expected) == ("stay" in shown)
