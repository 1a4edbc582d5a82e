"""`lvv import-persons FILE [--ind IND_FILE] [--dry-run]` (CONTRACTS.md sections 1-2)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lvv.exchange import services


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # start fast; `lvv check` runs them
    help = (
        "Import a person file (CSV or XLSX), optionally with an IND file. All or nothing: when a "
        "row is invalid nothing is written and every invalid row is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="person file (.csv or .xlsx)")
        parser.add_argument("--ind", type=Path, dest="ind", help="IND file (.csv or .xlsx)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        for candidate in (path, options["ind"]):
            if candidate is not None and not candidate.is_file():
                raise CommandError(f"{candidate}: no such file")
        result = services.persons_import(
            path=path,
            ind_path=options["ind"],
            dry_run=options["dry_run"],
            progress=not options["no_progress"],
        )
        report(self, result)


def report(command: BaseCommand, result: services.ImportResult) -> None:
    """Print the problems (and exit 1) or the summary."""
    if result.problems:
        for problem in sorted(result.problems, key=lambda p: p.row):
            command.stdout.write(str(problem))
        command.stderr.write(
            f"{len({p.row for p in result.problems})} invalid row(s): nothing was written."
        )
        raise SystemExit(1)
    for line in result.summary_lines():
        command.stdout.write(line)
