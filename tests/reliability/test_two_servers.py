"""Beyond one machine: the application servers are stateless (docs/deployment.md).

Two gunicorn servers with the production settings and configuration (lvv.conf.production,
lvv.conf.gunicorn) on one PostgreSQL database and one shared media folder, a separate
`lvv db_worker`, and a user whose every request goes to the other server than the one before, as
behind a load balancer without sticky sessions. The password is checked by one server and the
second factor by the other; a person file is uploaded to one, confirmed on the other and imported
by the worker; the job's progress and result read the same from both; an export the worker wrote
is downloaded through either server; logging out on one ends the session on both; and failed
logins spread over both servers lock the account out on both (the counts are in the database).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from itertools import cycle
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from lvv.accounts.models import Role, User
from lvv.accounts.testing import give_totp_device, totp_code
from lvv.registry.tests.factories import LVVFactory, UserFactory
from tests.reliability.helpers import ROOT, copy_test_database, drop_copy

BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-battery-staple"  # UserFactory's
PERSONS = (
    "LVV,Correspondentienummer,Land van herkomst,Geboortejaar,Doelgroep,Datum aanmelding,"
    "Datum toelating\n"
    "Zwolle,Z-001,Eritrea,1985,convenant,2020-01-02,2020-01-06\n"
    "Zwolle,Z-002,Syrië,1990,convenant,2020-02-01,2020-02-03\n"
)

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Balancer:
    """A user behind a round-robin load balancer: each request to the next server, the cookies
    kept by the client (sent by hand: production marks them Secure, and this is plain HTTP)."""

    def __init__(self, servers: list[str]) -> None:
        self.servers = cycle(servers)
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()
        self.last = ""

    def request(self, method: str, path: str, **kw) -> requests.Response:
        self.last = next(self.servers)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = self.last + path
        response = self.http.request(
            method, self.last + path, headers=headers, allow_redirects=False, timeout=30, **kw
        )
        for cookie in response.cookies:
            if cookie.value:
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        return response

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.request("POST", path, **kw)


def _start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:lvv.conf.gunicorn", "lvv.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _wait_until_up(url: str, proc: subprocess.Popen) -> None:
    for _ in range(150):
        if proc.poll() is not None:
            raise AssertionError(f"server {url} exited: {proc.stderr.read()[-2000:]}")
        try:
            if requests.get(url + "/healthz/", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server {url} did not come up")


def _run_worker(env: dict[str, str]) -> None:
    """One `lvv db_worker` that runs what is queued and stops."""
    done = subprocess.run(
        [str(BIN / "lvv"), "db_worker", "--batch", "--no-startup-delay"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_two_servers_behind_a_round_robin_balancer_share_everything(tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("several servers need PostgreSQL (SQLite is the one-machine default)")
    zwolle = LVVFactory(name="Zwolle")
    coordinator = UserFactory(username="coord-zwolle", role=Role.COORDINATOR, lvvs=[zwolle])
    give_totp_device(coordinator)
    other = UserFactory(username="other-zwolle", role=Role.COORDINATOR, lvvs=[zwolle])
    # Hashed as production hashes (the test settings use a fast hasher production does not read).
    production_hash = PBKDF2PasswordHasher().encode(PASSWORD, "twoservers")
    User.objects.filter(pk__in=[coordinator.pk, other.pk]).update(password=production_hash)
    url = copy_test_database(tmp_path)  # committed: the servers see the users
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="lvv.conf.production",
        DEBUG="0",
        SECRET_KEY="two-servers-test-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        LVV_DATA_DIR=str(tmp_path / "shared"),  # the shared media storage
        LVV_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    ports = [_free_port(), _free_port()]
    servers = [_start_server(env, port) for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for u, proc in zip(urls, servers, strict=True):
            _wait_until_up(u, proc)
        user = Balancer(urls)

        # Password on one server, second factor on the other.
        assert user.get("/inloggen/").status_code == 200
        response = user.post("/inloggen/", data={"username": "coord-zwolle", "password": PASSWORD})
        assert response.status_code == 302, response.text[-500:]
        assert user.get("/2fa/").status_code == 200
        response = user.post("/2fa/", data={"token": totp_code(coordinator)})
        assert response.status_code == 302, response.text[-500:]
        served = {user.get("/personen/").status_code for _ in range(2)}
        assert served == {200}

        # Upload to one server, confirm on the other; the worker imports it.
        response = user.post(
            "/uitwisseling/importeren/",
            files={"bestand": ("personen.csv", PERSONS.encode("utf-8"), "text/csv")},
        )
        assert response.status_code == 200
        upload = re.search(r"/uitwisseling/importeren/([0-9a-f-]{36})/", response.text)
        assert upload, response.text[-1500:]
        response = user.post(upload.group(0), data={"bevestigen": "1"})
        assert response.status_code == 302
        job_page = response.headers["Location"]
        assert re.fullmatch(r"/taken/[0-9a-f-]{36}/", job_page)
        _run_worker(env)
        pages = [user.get(job_page), user.get(job_page)]  # one from each server
        for page in pages:
            assert page.status_code == 200
            assert "Klaar" in page.text, page.text[-1500:]
        listing = [user.get("/personen/").text for _ in range(2)]
        for text in listing:
            assert "Z-001" in text and "Z-002" in text

        # An export the worker wrote, downloaded through either server.
        response = user.post("/uitwisseling/export/caseload.csv")
        assert response.status_code == 302
        export_page = response.headers["Location"]
        _run_worker(env)
        file_path = export_page + "bestand/"
        downloads = [user.get(file_path), user.get(file_path)]
        for download in downloads:
            assert download.status_code == 200, download.text[-500:]
            assert b"Z-001" in download.content
        assert downloads[0].content == downloads[1].content

        # Logging out on one server ends the session on both.
        assert user.post("/uitloggen/").status_code == 302
        for _ in range(2):
            response = user.get("/personen/")
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/inloggen/")

        # Wrong passwords on alternate servers count together: the account is locked on both.
        stranger = Balancer(urls)
        stranger.get("/inloggen/")
        codes = [
            stranger.post(
                "/inloggen/", data={"username": "other-zwolle", "password": "wrong"}
            ).status_code
            for _ in range(5)
        ]
        assert codes == [200, 200, 200, 200, 429]  # the fifth failure, on whichever server
        for _ in range(2):
            response = stranger.post(
                "/inloggen/", data={"username": "other-zwolle", "password": PASSWORD}
            )
            assert response.status_code == 429
            assert "Account tijdelijk geblokkeerd" in response.text
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop_copy(url)
