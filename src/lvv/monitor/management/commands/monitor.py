"""`lvv monitor`: the monitor for a peildatum (CONTRACTS.md sections 1, 3, 4; docs/monitor.md).

Bad input exits with status 2 and a message on stderr; output files are written to a temporary file
beside the target and renamed, so a failed run never leaves a half-written file."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lvv.monitor import figures, replica, services

# `reconcile`, `report` and `renderers` are imported where used: the JSON monitor, the common
# case, does not need them (start-up, ADR 91).

FORMATS = ("json", "csv", "xlsx", "html", "pdf")
BINARY = {"xlsx", "pdf"}


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def parse_peildatum(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise _fail(
            f"--peildatum {raw!r} is not a valid date: write it as YYYY-MM-DD, e.g. 2019-12-31"
        ) from None


def parse_known_at(raw: str | None) -> dt.datetime | None:
    """An ISO moment; a bare date means the end of that day (local time)."""
    if raw is None:
        return None
    text = raw.strip()
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _fail(
            f"--as-registered-on {raw!r} is not a valid moment: write YYYY-MM-DD or an ISO 8601 "
            "time such as 2024-01-31T17:00:00+01:00"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def write_atomically(path: Path, payload: bytes) -> None:
    """Write to a temporary file in the same folder and rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Monitor per LVV en landelijk op een peildatum (JSON volgens het contract, of CSV, XLSX, "
        "HTML, PDF). Zie docs/monitor.md."
    )
    # Django's system checks import every URLconf and view (charts, matplotlib): a second of
    # start-up that a read-only report does not need; `lvv check` and deployment run them (ADR 38).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--peildatum", required=True, help="YYYY-MM-DD")
        parser.add_argument("--scheme", default=figures.EVALUATION, choices=figures.SCHEMES)
        parser.add_argument("--format", default="json", choices=FORMATS)
        parser.add_argument("--out", help="file to write; default standard output")
        parser.add_argument(
            "--as-registered-on",
            dest="known_at",
            help="only what the register held at this moment (YYYY-MM-DD or ISO 8601 time)",
        )
        parser.add_argument(
            "--suppress-small-cells",
            type=int,
            metavar="N",
            help="hide counts below N and the cells they could be derived from (null in JSON)",
        )
        parser.add_argument(
            "--lvv", action="append", dest="lvvs", metavar="NAME", help="only this LVV (repeatable)"
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="store the JSON with its SHA-256 and registration cut-off (for exact reproduction)",
        )
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="list every stay counted differently under the two schemes, with the rule (json/csv)",
        )

    def handle(self, *args, **opts):
        peildatum = parse_peildatum(opts["peildatum"])
        known_at = parse_known_at(opts["known_at"])
        fmt = opts["format"]
        threshold = opts["suppress_small_cells"]
        if threshold is not None and threshold < 2:
            raise _fail("--suppress-small-cells needs a number of 2 or more, e.g. 5")
        if opts["reconcile"] and fmt not in ("json", "csv"):
            raise _fail("--reconcile writes json or csv: add --format json or --format csv")
        if opts["reconcile"] and opts["publish"]:
            raise _fail("--publish stores a monitor, not a reconciliation: use one of the two")
        out = Path(opts["out"]).expanduser() if opts["out"] else None
        if out is not None:
            if out.is_dir():
                raise _fail(f"--out {out} is a folder: give a file name")
            if not out.parent.is_dir():
                raise _fail(f"--out {out}: folder {out.parent} does not exist")
            if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
                raise _fail(f"--out {out}: no permission to write there")
        elif fmt in BINARY and sys.stdout.isatty():
            raise _fail(f"--format {fmt} is binary: add --out FILE")
        # On a read replica: first everything the register has committed (not bad input, so 1).
        try:
            replica.wait_for_replica()
        except replica.ReplicaBehind as exc:
            raise CommandError(str(exc), returncode=1) from None
        if opts["lvvs"]:
            from lvv.registry.models import LVV

            known = set(
                LVV.objects.using(figures.monitor_alias())
                .filter(name__in=opts["lvvs"])
                .values_list("name", flat=True)
            )
            if missing := sorted(set(opts["lvvs"]) - known):
                raise _fail(f"--lvv: unknown LVV {', '.join(missing)}")
        try:
            figures.check_input(peildatum=peildatum, scheme=opts["scheme"])
        except figures.MonitorInputError as exc:
            raise _fail(str(exc)) from None

        if opts["publish"]:
            published = services.monitor_publish(
                peildatum=peildatum,
                scheme=opts["scheme"],
                by=None,
                known_at=known_at,
                suppress_small_cells=threshold,
            )
            known_at = published.known_at
            self.stderr.write(
                f"published monitor {published.pk}: sha256 {published.sha256}, "
                f"reproduce with --as-registered-on {published.known_at.isoformat()}"
            )

        if opts["reconcile"]:
            from lvv.monitor import reconcile

            rows = reconcile.reconcile(
                peildatum=peildatum, known_at=known_at, lvv_names=opts["lvvs"]
            )
            # The list names stays and persons (by id): on record like any export of persons.
            from lvv.access import gate
            from lvv.access.models import ProcessingActivity

            gate.log_access(
                None,
                persons=sorted({r.person_id for r in rows}),
                operation="export",
                activity=ProcessingActivity.MONITOR,
                channel="command",
            )
            payload = (
                reconcile.to_json(rows, peildatum=peildatum)
                if fmt == "json"
                else reconcile.to_csv(rows)
            ).encode("utf-8")
        elif fmt == "json":
            document = services.monitor_document(
                peildatum=peildatum,
                scheme=opts["scheme"],
                known_at=known_at,
                suppress_small_cells=threshold,
                lvv_names=opts["lvvs"],
            )
            payload = figures.to_json(document).encode("utf-8")
        else:
            from lvv.monitor import renderers, report

            bundle = report.build_report(
                peildatum=peildatum,
                scheme=opts["scheme"],
                known_at=known_at,
                suppress_small_cells=threshold,
                lvv_names=opts["lvvs"],
            )
            payload = renderers.render(bundle, fmt)

        if out is None:
            stream = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(stream, "buffer"):
                stream.buffer.write(payload)
            else:
                stream.write(payload.decode("utf-8"))
            stream.flush()
            return
        try:
            write_atomically(out, payload)
        except OSError as exc:
            raise _fail(f"--out {out}: cannot write ({exc.strerror})") from None
        self.stderr.write(f"written: {out}")
