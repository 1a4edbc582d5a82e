"""`lvv erase-person PERSON_ID --reason "..." [--by USERNAME]`: erasure on request (GDPR art. 17)."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from lvv.access.context import processing_context
from lvv.access.models import Channel, ErasureRecord
from lvv.access.retention import ErasureError, person_erase
from lvv.accounts.models import User
from lvv.registry.models import Person


class Command(BaseCommand):
    help = "Erase one person's identifying data on request, keeping what the figures need."

    def add_arguments(self, parser):
        parser.add_argument("person_id")
        parser.add_argument("--reason", required=True, help="Date and reference of the request.")
        parser.add_argument("--by", default="", help="Username of the privacy officer.")

    def handle(self, *args, person_id, reason, by, **options):
        try:
            person = Person.objects.get(pk=uuid.UUID(person_id))
        except (ValueError, Person.DoesNotExist) as exc:
            raise CommandError(f"No person with id {person_id!r}.") from exc
        user = User.objects.filter(username=by).first() if by else None
        if by and user is None:
            raise CommandError(f"There is no user {by!r}.")
        try:
            with processing_context(channel=Channel.COMMAND):
                result = person_erase(
                    person=person, kind=ErasureRecord.Kind.REQUEST, reason=reason, by=user
                )
        except ErasureError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased: {result.events_redacted} events redacted, {result.aliases_removed} "
                f"aliases and {result.consent_removed} consent records removed. "
                f"Erasure record under pseudonym {result.pseudonym[:12]}…"
            )
        )
