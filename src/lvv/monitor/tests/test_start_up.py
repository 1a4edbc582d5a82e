"""The `lvv` command sets Django up with the garbage collector paused, freezes what start-up made
and turns the collector back on (ADR 91)."""

import gc
import os
import subprocess
import sys

import pytest

from lvv.manage import _collecting_after


def test_the_collector_is_on_again_after_setup_and_after_an_error():
    def broken():
        raise RuntimeError("settings")

    gc.disable()
    try:
        assert _collecting_after(lambda: "ready", collecting=True)() == "ready"
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what start-up made is left out of later collections
        gc.unfreeze()
        gc.disable()
        with pytest.raises(RuntimeError):
            _collecting_after(broken, collecting=True)()
        assert gc.isenabled()
        gc.disable()
        _collecting_after(lambda: None, collecting=False)()
        assert not gc.isenabled()  # it was off before `main`: left off
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_command_runs_with_the_collector_on():
    code = (
        "import sys; sys.argv = ['lvv', 'shell', '-c', 'import gc; print(gc.isenabled())']; "
        "from lvv.manage import main; main()"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lvv.conf.test"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "True"
