"""`lvv access-report PERSON_ID --format json` (CONTRACTS.md section 5): every recorded access to
one person, oldest first, for a privacy officer answering a subject access request. Running the
report is itself logged (activity subject_access, channel command)."""

from __future__ import annotations

import csv
import json
import sys
import uuid

from django.core.management.base import BaseCommand, CommandError

from lvv.access.context import processing_context
from lvv.access.gate import log_access
from lvv.access.models import Channel, DataCategory, ProcessingActivity
from lvv.access.selectors import access_report
from lvv.accounts.models import User
from lvv.registry.models import Person


class Command(BaseCommand):
    help = "Print every recorded access to one person (subject access request, GDPR art. 15)."

    def add_arguments(self, parser):
        parser.add_argument("person_id", help="The person's id (UUID).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--by",
            default="",
            help="Username of the privacy officer running the report (recorded in the access log).",
        )

    def handle(self, *args, person_id, format, by, **options):
        try:
            pid = uuid.UUID(person_id)
        except ValueError as exc:
            raise CommandError(
                f"{person_id!r} is not a person id: give the UUID shown on the person page."
            ) from exc
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"There is no user {by!r}.")
        with processing_context(channel=Channel.COMMAND):
            report = access_report(pid)
            known = Person.objects.filter(pk=pid).exists()
            log_access(
                user,
                persons=[pid],
                operation="access_report",
                activity=ProcessingActivity.SUBJECT_ACCESS,
                categories=[DataCategory.IDENTITY],
                outcome="allowed" if known or report else "failed",
            )
        if not known and not report:
            self.stderr.write(f"No person {pid} and no recorded access to them.")
        if format == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            fields = ["at", "user", "organisation", "role", "operation", "channel", "outcome"]
            writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(report)
