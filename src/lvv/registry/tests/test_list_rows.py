"""The rows of the persons list are written in Python (`registry.views.list_rows_html`): the same
HTML as the template loop they replaced, kept below as the reference, for every combination of the
categories a user may see and of the values that change a row."""

from __future__ import annotations

import itertools

import pytest
from django.template import engines

from lvv.registry.models import Stay
from lvv.registry.taxonomy import OutflowType, Scenario
from lvv.registry.tests.factories import OrganisationFactory, PersonFactory, StayFactory
from lvv.registry.views import LIST_CATEGORIES, list_rows_html

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
