"""`lvv duplicate-keys`: rebuild the derived name keys of the national duplicate check from the
persons and their aliases (ADR 0080). Needed after writes that bypass the register's save path:
a bulk load, a restore from an older copy, a change of the key function. Writes keys only, logs
counts only."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from lvv.workflow.duplicates import name_keys_rebuild, name_keys_stale


class Command(BaseCommand):
    help = "Bouwt de zoeksleutels van de landelijke dubbelcheck opnieuw op uit de personen."
    requires_system_checks: list[str] = []  # start fast; `lvv check` runs them

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Alleen als er personen zijn maar nog geen enkele sleutel (na een bulklading).",
        )

    def handle(self, *args, if_missing: bool, **options):
        if if_missing and not name_keys_stale():
            self.stdout.write("Zoeksleutels aanwezig; niets gedaan.")
            return
        started = time.perf_counter()
        rows = name_keys_rebuild()
        self.stdout.write(
            f"{rows} zoeksleutels opgebouwd in {time.perf_counter() - started:.1f} s."
        )
