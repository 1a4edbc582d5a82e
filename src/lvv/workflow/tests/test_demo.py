import io

import pytest

from lvv.workflow import demo
from lvv.workflow.models import Action, DuplicateCandidate, Escalation, LegalCheck, Meeting

pytestmark = pytest.mark.django_db


def test_demo_loads_every_part_and_is_safe_to_run_again(demo_structure):
    out = io.StringIO()
    demo.load(demo_structure, out)
    assert Meeting.objects.count() >= 10
    assert Escalation.objects.count() == 5
    assert LegalCheck.objects.count() == 20
    assert DuplicateCandidate.objects.count() >= 3
    overdue = Action.objects.filter(
        status="open", due_on__lt=Meeting.objects.latest("held_on").held_on
    )
    assert overdue.exists()
    demo.load(demo_structure, out)
    assert Escalation.objects.count() == 5
