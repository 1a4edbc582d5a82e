"""`lvv apply-retention [--dry-run]`: erase the identifying data of every person whose last stay
ended more than LVV_RETENTION_DAYS ago (docs/privacy.md). Published figures stay reproducible."""

from django.conf import settings
from django.core.management.base import BaseCommand

from lvv.access.context import processing_context
from lvv.access.models import Channel, ErasureRecord
from lvv.access.retention import person_erase, persons_due_for_retention


class Command(BaseCommand):
    help = (
        "Pseudonymise persons whose retention term (LVV_RETENTION_DAYS after outflow) has passed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        due = persons_due_for_retention()
        days = settings.LVV_RETENTION_DAYS
        if dry_run:
            self.stdout.write(f"{len(due)} persons are past the retention term of {days} days.")
            return
        with processing_context(channel=Channel.COMMAND):
            for person in due:
                person_erase(
                    person=person,
                    kind=ErasureRecord.Kind.RETENTION,
                    reason=f"Bewaartermijn van {days} dagen na uitstroom verstreken",
                    by=None,
                )
        self.stdout.write(self.style.SUCCESS(f"{len(due)} persons pseudonymised."))
