"""`lvv import-capacity FILE` (CONTRACTS.md sections 1-2): capacity per LVV over time."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lvv.exchange import services

report = importlib.import_module("lvv.exchange.management.commands.import-persons").report


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # start fast; `lvv check` runs them
    help = "Import a capacity file (CSV or XLSX: lvv, datum_vanaf, capaciteit). All or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="capacity file (.csv or .xlsx)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        report(self, services.capacity_import(path=path, dry_run=options["dry_run"]))
