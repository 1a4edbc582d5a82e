import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from lvv.access.models import AccessRecord
from lvv.accounts.models import Organisation, Role, User
from lvv.jobs.models import Job
from lvv.monitor.models import PublishedMonitor
from lvv.monitor.tests.world import World, build_world, expected
from lvv.registry.tests.factories import OrganisationFactory, UserFactory

Q = {"peildatum": "2020-03-01", "scheme": "evaluation"}


class WorldWithUsers(World):
    bureau: User
    coordinator: User
    researcher: User
    ind: User


@pytest.fixture
def world(db) -> WorldWithUsers:
    w = build_world()
    bureau = OrganisationFactory(name="Programmabureau", kind=Organisation.Kind.PROGRAMME_BUREAU)
    return {
        **w,
        "bureau": UserFactory(username="bureau", role=Role.PROGRAMME_BUREAU, organisation=bureau),
        "coordinator": UserFactory(username="coord-alfa", role=Role.COORDINATOR, lvvs=[w["alfa"]]),
        "researcher": UserFactory(username="onderzoeker", role=Role.RESEARCHER),
        "ind": UserFactory(username="ind-alfa", role=Role.IND, lvvs=[w["alfa"]]),
    }


def get(client, user, name, params=None, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args) + "?" + urlencode(params or Q))


def test_programme_bureau_sees_every_lvv_but_no_links(client, world):
    response = get(client, world["bureau"], "monitor:index")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alfa" in html and "Beta" in html and "Gamma" in html
    assert reverse("monitor:stays") not in html
    assert "Publiceer deze monitor" in html
    assert "Apart gerapporteerd: Veilige landers" in html


def test_coordinator_sees_own_lvv_and_national_with_links(client, world):
    response = get(client, world["coordinator"], "monitor:index")
    html = response.content.decode()
    assert '<th scope="col" class="num">Alfa</th>' in html
    assert '<th scope="col" class="num">Beta</th>' not in html
    assert "Landelijk" in html
    assert reverse("monitor:stays") + "?" in html


def test_the_page_says_whether_the_monitor_replica_is_up_to_date(client, world, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from lvv.monitor import replica

    html = get(client, world["bureau"], "monitor:index").content.decode()
    assert "kopie van het register" not in html  # no replica configured
    monkeypatch.setattr(
        replica, "replica_state", lambda: replica.ReplicaState(caught_up=True, replayed_at=None)
    )
    html = get(client, world["bureau"], "monitor:index").content.decode()
    assert "Gelezen uit de kopie van het register voor de monitor" in html
    assert "loopt achter" not in html
    replayed = timezone.make_aware(dt.datetime(2026, 11, 23, 18, 45, 12))
    monkeypatch.setattr(
        replica,
        "replica_state",
        lambda: replica.ReplicaState(caught_up=False, replayed_at=replayed),
    )
    html = get(client, world["bureau"], "monitor:index").content.decode()
    assert "loopt achter (bijgewerkt tot 23-11-2026 18:45:12)" in html
    assert "Publiceren wacht tot de kopie bij is." in html


def test_roles_without_monitor_access_are_refused(client, world):
    assert get(client, world["ind"], "monitor:index").status_code == 403
    client.logout()
    response = client.get(reverse("monitor:index"))
    assert response.status_code == 302


def test_drill_down_lists_the_stays_and_logs_access(client, world):
    before = AccessRecord.objects.count()
    params = {**Q, "lvv": "Alfa", "cel": "occupancy"}
    response = get(client, world["coordinator"], "monitor:stays", params)
    assert response.status_code == 200
    assert len(response.context["stays"]) == 5
    assert AccessRecord.objects.count() == before + 5
    assert set(AccessRecord.objects.values_list("activity", flat=True)) >= {"monitor"}


def test_drill_down_is_refused_without_person_access(client, world):
    params = {**Q, "lvv": "Alfa", "cel": "occupancy"}
    assert get(client, world["bureau"], "monitor:stays", params).status_code == 403
    # A coordinator cannot open another LVV's list either.
    other = {**Q, "lvv": "Beta", "cel": "occupancy"}
    assert get(client, world["coordinator"], "monitor:stays", other).status_code == 403


def test_json_download_is_the_contract_document(client, world):
    response = get(client, world["researcher"], "monitor:download", Q, "json")
    assert response.status_code == 200
    assert json.loads(response.content) == expected("evaluation")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html", "pdf"])
def test_downloads(client, world, fmt):
    response = get(client, world["bureau"], "monitor:download", Q, fmt)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_bad_peildatum_is_explained(client, world):
    response = get(client, world["bureau"], "monitor:index", {**Q, "peildatum": "2018-01-01"})
    assert "Kies een datum vanaf 01-01-2019" in response.content.decode()


def test_reconcile_counts_only_for_the_bureau(client, world):
    response = get(client, world["bureau"], "monitor:reconcile")
    assert response.status_code == 200
    assert response.context["rows"] == []
    response = get(client, world["coordinator"], "monitor:reconcile")
    assert len(response.context["rows"]) == 6  # A1, A2, A3, A4, A5, A11


def test_publish_button_starts_a_job_that_publishes(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitor:publish"), Q)
    job = Job.objects.get(kind="monitor_publish")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    published = PublishedMonitor.objects.get()
    assert json.loads(published.document) == expected("evaluation")
    page = client.get(response["Location"]).content.decode()
    assert reverse("monitor:published_json", args=[published.pk]) in page
    client.force_login(world["researcher"])
    assert client.post(reverse("monitor:publish"), Q).status_code == 403
    assert Job.objects.count() == 1


def test_case_worker_sees_own_lvv_and_only_own_stays_behind_a_number(client, world):
    worker = UserFactory(username="ngo-alfa", case_worker=True, lvvs=[world["alfa"]])
    response = get(client, worker, "monitor:index")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col" class="num">Beta</th>' not in html
    params = {**Q, "lvv": "Alfa", "cel": "occupancy"}
    response = get(client, worker, "monitor:stays", params)
    assert response.status_code == 200
    assert response.context["total"] == 5
    assert response.context["stays"] == []  # none guided by this worker's organisation
