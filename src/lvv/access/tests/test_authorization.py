"""The authorisation walk: every role against every page, API endpoint and export that shows person
data, with persons inside and outside the user's LVV, NGO and consent.

URL patterns are enumerated from the resolver, so a new person or stay page is walked without being
listed here. The expected reach of each role is written out below by hand and checked against
rules.MATRIX (the source of docs/access-matrix.md), so the document, the code and this test agree."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lvv.access import consent, rules
from lvv.access.models import AccessRecord
from lvv.accounts.models import Organisation, Role
from lvv.accounts.testing import login_with_2fa
from lvv.exchange.models import ApiToken
from lvv.jobs.models import Job
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Who reaches which of the three persons (own NGO + consent, other NGO without consent, other LVV
# with consent). Written out by hand: this is the specification the code is tested against.
EXPECTED = {
    Role.COORDINATOR: {"own", "other_ngo"},
    Role.CASE_WORKER: {"own"},
    Role.IND: {"own"},
    Role.DTV: {"own"},
    Role.AVIM: {"own"},
    Role.MEDICAL: {"own"},
    Role.PROGRAMME_BUREAU: set(),
    Role.RESEARCHER: set(),
    Role.ADMINISTRATOR: set(),
    Role.PRIVACY_OFFICER: set(),
}
EXPECTED_SCOPE = {
    Role.COORDINATOR: rules.Scope.LVV,
    Role.CASE_WORKER: rules.Scope.NGO,
    Role.IND: rules.Scope.CONSENT,
    Role.DTV: rules.Scope.CONSENT,
    Role.AVIM: rules.Scope.CONSENT,
    Role.MEDICAL: rules.Scope.CONSENT,
    Role.PROGRAMME_BUREAU: rules.Scope.NONE,
    Role.RESEARCHER: rules.Scope.NONE,
    Role.ADMINISTRATOR: rules.Scope.NONE,
    Role.PRIVACY_OFFICER: rules.Scope.NONE,
}
NAMES = {"own": "Zichtbaarheidtest", "other_ngo": "Anderengo", "elsewhere": "Eldersverblijf"}
# Pages whose answer to an allowed reader must be the page itself.
DETAIL_PAGES = {"registry:person_detail", "api:person-detail"}


def test_expectations_cover_every_role_and_match_the_matrix():
    assert set(EXPECTED) == set(Role)
    for role, scope in EXPECTED_SCOPE.items():
        assert rules.MATRIX[role].scope == scope, role
    assert all(
        (rules.MATRIX[r].categories or {}).get("medical") is None
        for r in (Role.COORDINATOR, Role.CASE_WORKER)
    )


@pytest.fixture
def world():
    lvv, other_lvv = LVVFactory(name="Amsterdam"), LVVFactory(name="Utrecht")
    ngo = OrganisationFactory(name="NGO een", kind=Organisation.Kind.NGO)
    ngo2 = OrganisationFactory(name="NGO twee", kind=Organisation.Kind.NGO)
    stays = {
        "own": StayFactory(
            lvv=lvv, organisation=ngo, person=PersonFactory(family_name=NAMES["own"])
        ),
        "other_ngo": StayFactory(
            lvv=lvv, organisation=ngo2, person=PersonFactory(family_name=NAMES["other_ngo"])
        ),
        "elsewhere": StayFactory(
            lvv=other_lvv, organisation=ngo, person=PersonFactory(family_name=NAMES["elsewhere"])
        ),
    }
    for key in ("own", "elsewhere"):
        for party, cats in consent.CONSENTABLE.items():
            consent.consent_give(
                person=stays[key].person, party=party, categories=cats, method="verbal", by=None
            )
    users = {}
    for role in Role:
        org = ngo if role == Role.CASE_WORKER else OrganisationFactory(name=f"Org {role}")
        users[role] = UserFactory(username=f"u-{role}", role=role, organisation=org, lvvs=[lvv])
    return {"stays": stays, "users": users}


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def person_urls(stay):
    """Every URL that takes a person or stay id, filled in for this stay's person and stay."""
    urls = []
    for name, pattern in _patterns(get_resolver()):
        keys = set(pattern.pattern.regex.groupindex)
        if name.startswith("admin:"):
            continue
        if keys == {"person_id"}:
            urls.append((name, reverse(name, kwargs={"person_id": stay.person_id})))
        elif keys == {"stay_id"}:
            urls.append((name, reverse(name, kwargs={"stay_id": stay.pk})))
        elif keys == {"pk"} and name in {"api:person-detail"}:
            urls.append((name, reverse(name, kwargs={"pk": stay.person_id})))
        elif keys == {"pk"} and name.startswith("api:stay-"):
            urls.append((name, reverse(name, kwargs={"pk": stay.pk})))
    return urls


def test_the_walk_finds_the_person_pages():
    stay = StayFactory()
    names = {name for name, _ in person_urls(stay)}
    assert {"registry:person_detail", "api:person-detail", "registry:stay_outflow"} <= names


@pytest.mark.parametrize("role", list(Role))
def test_every_role_against_every_person_url(client, world, role):
    user = world["users"][role]
    login_with_2fa(client, user)
    _, token = ApiToken.issue(user)
    problems = []
    for key, stay in world["stays"].items():
        allowed = key in EXPECTED[role]
        for name, url in person_urls(stay):
            extra = {"HTTP_AUTHORIZATION": f"Token {token}"} if name.startswith("api:") else {}
            before = AccessRecord.objects.for_person(stay.person_id).count()
            response = client.get(url, **extra)
            body = response.content.decode("utf-8", "replace")
            logged = AccessRecord.objects.for_person(stay.person_id).count() > before
            if not allowed:
                if response.status_code not in (403, 404, 405):
                    problems.append(f"{name} {key}: {response.status_code} for a refused reader")
                if NAMES[key] in body:
                    problems.append(f"{name} {key}: leaks the name to a refused reader")
            elif name in DETAIL_PAGES and response.status_code != 200:
                problems.append(f"{name} {key}: {response.status_code} for an allowed reader")
            if (
                name in DETAIL_PAGES
                and rules.can_see_persons(user)
                and response.status_code in (200, 403, 404)
                and not logged
            ):
                problems.append(f"{name} {key}: no access-log line")
    assert problems == []


@pytest.mark.parametrize("role", list(Role))
def test_lists_and_exports_show_exactly_the_reachable_persons(
    client, world, role, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    user = world["users"][role]
    login_with_2fa(client, user)
    _, token = ApiToken.issue(user)
    expected = {NAMES[k] for k in EXPECTED[role]}
    checks = [
        ("registry:person_list", {}),
        ("api:person-list", {"HTTP_AUTHORIZATION": f"Token {token}"}),
        ("exchange:export", {}),
    ]
    for name, extra in checks:
        if name == "exchange:export":
            # A background job (run at once here) whose file only the starter downloads.
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse(name, kwargs={"fmt": "csv"}))
            if response.status_code == 302:
                job = Job.objects.get(created_by=user, kind="caseload_export")
                response = client.get(reverse("jobs:file", args=[job.pk]))
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
        else:
            response = client.get(reverse(name), **extra)
            content = response.content
        body = content.decode("utf-8-sig", "replace")
        shown = {n for n in NAMES.values() if n in body}
        if response.status_code == 200:
            if name == "exchange:export" and not rules.can_export_caseload(user):
                pytest.fail(f"{name}: 200 for {role}, which may not export")
            if name == "api:person-list" and role in (Role.IND, Role.DTV, Role.AVIM, Role.MEDICAL):
                # The API lists ids and stays, not names: compare by id instead.
                ids = {r["id"] for r in response.json()["results"]}
                assert ids == {str(world["stays"][k].person_id) for k in EXPECTED[role]}, name
                continue
            assert shown <= expected, f"{name} shows {shown - expected} to {role}"
            if name == "exchange:export":
                for key in EXPECTED[role]:
                    lines = AccessRecord.objects.for_person(world["stays"][key].person_id)
                    assert lines.filter(audit__channel="export").exists(), (
                        f"export of {key} not logged"
                    )
        else:
            assert response.status_code in (403, 404), f"{name}: {response.status_code}"
            assert not shown, f"{name} leaks {shown} in a refusal"


def test_withdrawn_consent_hides_the_page_at_once(client, world):
    ind = world["users"][Role.IND]
    stay = world["stays"]["own"]
    login_with_2fa(client, ind)
    url = reverse("registry:person_detail", kwargs={"person_id": stay.person_id})
    assert client.get(url).status_code == 200
    consent.consent_withdraw(person=stay.person, party="ind", by=None)
    response = client.get(url)
    assert response.status_code == 404
    assert NAMES["own"] not in response.content.decode()
    assert AccessRecord.objects.for_person(stay.person_id).filter(outcome="refused").exists()
