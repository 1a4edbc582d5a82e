"""The `lvv` command: the project's manage.py under another name (CONTRACTS.md section 1)."""

import functools
import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", _default_settings())
    # Start-up makes some 400,000 objects (modules, classes, models) that live as long as the
    # process; the cyclic garbage collector would walk them again and again while they are made
    # and find nothing. Paused from here until `django.setup` returns (ADR 91).
    collecting = gc.isenabled()
    gc.disable()
    import django
    from django.core.management import execute_from_command_line

    django.setup = _collecting_after(django.setup, collecting)
    execute_from_command_line(sys.argv)


def _collecting_after(setup, collecting: bool):
    """`django.setup` that turns the collector back on when it returns, also after an error.
    What start-up made is frozen first (`gc.freeze`): it lives as long as the process, so no
    later collection, nor the one at exit, needs to walk it again (0.1-0.2 s of every command).
    Django looks `django.setup` up when it calls it, so the command line behaves as before
    (`--settings`, `--pythonpath`, runserver's reloader). Commands that never set Django up
    (`lvv help` without settings) end right away."""

    @functools.wraps(setup)
    def then_collect(*args, **kwargs):
        try:
            result = setup(*args, **kwargs)
            gc.freeze()
            return result
        finally:
            if collecting:
                gc.enable()

    return then_collect


def _default_settings() -> str:
    # DEBUG=0 without explicit settings means a production-like run (e.g. `lvv check --deploy`).
    if os.environ.get("DEBUG", "").strip().lower() in {"0", "false", "no", "off"}:
        return "lvv.conf.production"
    return "lvv.conf.dev"


if __name__ == "__main__":
    main()
