import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lvv.monitor.models import PublishedMonitor
from lvv.monitor.tests.world import build_world, expected
from lvv.registry import services
from lvv.registry.models import Person
from lvv.registry.taxonomy import OutflowType


@pytest.fixture
def world(db):
    return build_world()


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("monitor", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_to_stdout_is_the_document_and_nothing_else(world):
    out, err = run("--peildatum", "2020-03-01", "--format", "json")
    assert json.loads(out) == expected("evaluation")
    assert err == ""


def test_programme_scheme(world):
    out, _ = run("--peildatum", "2020-03-01", "--scheme", "programme")
    assert json.loads(out) == expected("programme")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--peildatum", "2020-02-30"], "not a valid date"),
        (["--peildatum", "01-03-2020"], "not a valid date"),
        (["--peildatum", "2018-12-31"], "before the first LVV"),
        (["--peildatum", "2020-03-01", "--as-registered-on", "gisteren"], "not a valid moment"),
        (["--peildatum", "2020-03-01", "--suppress-small-cells", "1"], "2 or more"),
        (["--peildatum", "2020-03-01", "--lvv", "Nergens"], "unknown LVV"),
        (["--peildatum", "2020-03-01", "--out", "/nonexistent-dir/m.json"], "does not exist"),
    ],
)
def test_bad_input_is_a_clear_error_with_status_2(world, args, message):
    with pytest.raises(CommandError, match=message) as info:
        run(*args)
    assert info.value.returncode == 2


def test_unknown_scheme_or_format_is_refused(world):
    with pytest.raises(CommandError, match="invalid choice"):
        run("--peildatum", "2020-03-01", "--scheme", "national")
    with pytest.raises(CommandError, match="invalid choice"):
        run("--peildatum", "2020-03-01", "--format", "docx")


def test_no_half_written_file(world, tmp_path, monkeypatch):
    target = tmp_path / "monitor.json"
    target.write_text("old")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("lvv.monitor.management.commands.monitor.os.replace", broken)
    with pytest.raises(CommandError, match="cannot write") as info:
        run("--peildatum", "2020-03-01", "--out", str(target))
    assert info.value.returncode == 2
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["monitor.json"]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "html", "pdf"])
def test_every_format_writes_a_file(world, tmp_path, fmt):
    target = tmp_path / f"monitor.{fmt}"
    out, err = run("--peildatum", "2020-03-01", "--format", fmt, "--out", str(target))
    assert out == ""
    assert "written" in err
    data = target.read_bytes()
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(target), str(tmp_path / "page")],
                check=True,
            )  # fmt: skip
            assert list(tmp_path.glob("page*.png"))
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data))
        assert wb.sheetnames[0] == "Monitor"
        assert "Veilige landers" in wb.sheetnames and "Gezinnen" in wb.sheetnames
        assert zipfile.is_zipfile(io.BytesIO(data))
    elif fmt == "html":
        text = data.decode()
        assert "Apart gerapporteerd: Veilige landers" in text
        assert "data:image/svg+xml;base64," in text
    elif fmt == "csv":
        text = data.decode()
        assert "convenant,totals,occupancy,Bezetting,Alfa,5,4.2" in text
        assert "safe_country,totals,intake_total" in text


def test_publish_then_correction_then_reproduce_exactly(world, tmp_path):
    _, err = run("--peildatum", "2020-03-01", "--publish", "--out", str(tmp_path / "p.json"))
    published = PublishedMonitor.objects.get()
    assert published.sha256 == hashlib.sha256(published.document.encode()).hexdigest()
    assert (tmp_path / "p.json").read_text() == published.document
    assert published.known_at.isoformat() in err

    # A correction comes in after publication: A5 left by termination, not onward migration,
    # and A1's birth year was wrong.
    a5 = world["stays"]["A5"]
    services.event_void(event=a5.events.get(kind="outflow_registered"), by=None, reason="verkeerd")
    a5.refresh_from_db()
    services.stay_register_outflow(
        stay=a5, kind=OutflowType.TERMINATED, on=dt.date(2020, 1, 15), by=None
    )
    a1 = world["stays"]["A1"]
    services.person_correct(
        person=Person.objects.get(pk=a1.person_id), changes={"birth_year": 1986}, by=None
    )

    live, _ = run("--peildatum", "2020-03-01")
    assert live != published.document
    again, _ = run(
        "--peildatum", "2020-03-01", "--as-registered-on", published.known_at.isoformat()
    )
    assert again.encode() == published.document.encode()
    assert hashlib.sha256(again.encode()).hexdigest() == published.sha256


def test_suppression_option_nulls_small_cells(world):
    out, _ = run("--peildatum", "2020-03-01", "--suppress-small-cells", "3")
    doc = json.loads(out)
    beta = doc["lvvs"][1]
    assert beta["intake_total"] is None  # 2 < 3
    assert beta["capacity"] == 50  # places are not persons


def test_reconcile_output(world):
    from lvv.access.models import AccessRecord

    before = AccessRecord.objects.count()
    out, _ = run("--peildatum", "2020-03-01", "--reconcile")
    assert AccessRecord.objects.count() == before + 7  # the list names persons: on record
    doc = json.loads(out)
    assert doc["counts_per_rule"]["national"] == {
        "onward_migration_as_return": 2,
        "medical_stabilisation_as_not_yet_determined": 1,
        "not_discussed_in_lso": 2,
        "detention_forced_departure_as_return": 2,
    }
    assert len(doc["stays"]) == 7


@pytest.mark.skipif(
    shutil.which("lvv") is None and not os.path.exists(sys.prefix + "/bin/lvv"),
    reason="console script not installed",
)
def test_console_script_exit_status_2(tmp_path):
    env = {**os.environ, "LVV_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lvv.conf.test"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.prefix + "/bin/lvv", "monitor", "--peildatum", "2020-13-01"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "not a valid date" in result.stderr
    assert result.stdout == ""
