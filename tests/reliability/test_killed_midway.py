"""Faults: an import or a monitor killed with SIGKILL halfway leaves nothing half-written."""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from tests.reliability.helpers import LVV, ROOT, command_env, copy_test_database, drop_copy, run

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 3000


def _person_file(path: Path, rows: int = ROWS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(
            ["lvv", "correspondentienummer", "geboortejaar", "geslacht", "land_van_herkomst",
             "datum_aanmelding", "datum_toelating", "begeleidingsscenario", "datum_uitstroom",
             "wijze_van_uitstroom"]
        )  # fmt: skip
        for i in range(rows):
            left = i % 3 == 0
            w.writerow(
                [f"Kill{i % 4}", f"K-{i:06d}", 1960 + i % 40, "man" if i % 2 else "vrouw",
                 "ERI", "01-02-2020", "05-02-2020", "terugkeer",
                 "01-06-2021" if left else "", "terugkeer" if left else ""]
            )  # fmt: skip
    return path


def _counts(url: str) -> dict[str, int]:
    tables = ("registry_person", "registry_stay", "registry_event", "registry_lvv")
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        finally:
            conn.close()
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _kill_after(cmd: list[str], env: dict, seconds: float) -> int:
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        proc.wait(timeout=seconds)
        return proc.returncode  # finished before the kill: the caller decides
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return -9


@pytest.fixture
def register(tmp_path):
    url = copy_test_database(tmp_path)
    yield url, command_env(url, tmp_path)
    drop_copy(url)


def test_import_killed_halfway_writes_nothing_and_can_be_run_again(register, tmp_path):
    url, env = register
    path = _person_file(tmp_path / "personen.csv")
    before = _counts(url)
    # A complete run on a copy measures how long the import takes on this machine.
    started = time.monotonic()
    full = run(["import-persons", str(path)], env)
    duration = time.monotonic() - started
    assert full.returncode == 0, full.stderr
    assert _counts(url)["registry_stay"] == before["registry_stay"] + ROWS
    drop_copy(url)

    url = copy_test_database(tmp_path / "second")
    env = command_env(url, tmp_path / "second")
    before = _counts(url)
    complete_stays = before["registry_stay"] + ROWS
    killed = False
    for fraction in (0.6, 0.3, 0.15):  # kill while it writes: late first, earlier if it finished
        code = _kill_after([LVV, "import-persons", str(path)], env, duration * fraction)
        counts = _counts(url)
        # All or nothing, whenever the kill lands: never a part of the file.
        assert counts == before or counts["registry_stay"] == complete_stays, counts
        if code == -9 and counts == before:
            killed = True  # killed before the commit: nothing was written
            break
        # It finished (or was killed after its commit): nothing to learn; start afresh.
        drop_copy(url)
        url = copy_test_database(tmp_path / f"again{fraction}")
        env = command_env(url, tmp_path / f"again{fraction}")
    assert killed, "the import always finished before it could be killed"
    assert _counts(url) == before  # all or nothing: not one person, stay or event
    again = run(["import-persons", str(path)], env)
    assert again.returncode == 0, again.stderr
    assert _counts(url)["registry_stay"] == before["registry_stay"] + ROWS
    drop_copy(url)


def test_monitor_killed_halfway_leaves_the_output_file_as_it_was(register, tmp_path):
    _url, env = register
    path = _person_file(tmp_path / "personen.csv")
    assert run(["import-persons", str(path)], env).returncode == 0
    out = tmp_path / "monitor.json"
    args = ["monitor", "--peildatum", "2021-12-31", "--format", "json", "--out", str(out)]
    started = time.monotonic()
    done = run(args, env)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    complete = json.loads(out.read_text())
    assert complete["national"]["intake_total"] == ROWS

    out.write_text("previous publication\n")
    killed = 0
    for fraction in (0.7, 0.4, 0.2):
        code = _kill_after([LVV, *args], env, duration * fraction)
        text = out.read_text()
        # Killed: the old file untouched. Finished: the complete new document. Never half.
        assert text == "previous publication\n" or json.loads(text) == complete
        if code == -9 and text == "previous publication\n":
            killed += 1  # killed before the rename: the interesting case, proven
            break
        # Finished, or killed after the atomic rename: the new document is complete. Try earlier.
        out.write_text("previous publication\n")
    assert killed
