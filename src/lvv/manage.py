"""The `lvv` command: the project's manage.py under another name (CONTRACTS.md section 1)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", _default_settings())
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def _default_settings() -> str:
    # DEBUG=0 without explicit settings means a production-like run (e.g. `lvv check --deploy`).
    if os.environ.get("DEBUG", "").strip().lower() in {"0", "false", "no", "off"}:
        return "lvv.conf.production"
    return "lvv.conf.dev"


if __name__ == "__main__":
    main()
