"""`lvv revoke-token PREFIX` or `lvv revoke-token --user USERNAME`: revoke API tokens."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lvv.exchange.models import ApiToken

logger = logging.getLogger("lvv.exchange.tokens")


class Command(BaseCommand):
    help = "Revoke an API token (by its prefix, the part before the dot) or all of a user's."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", nargs="?")
        parser.add_argument("--user", dest="username")

    def handle(self, *args, **options) -> None:
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        if options["prefix"]:
            tokens = tokens.filter(prefix=options["prefix"].split(".", 1)[0])
        elif options["username"]:
            tokens = tokens.filter(user__username=options["username"])
        else:
            raise CommandError("give a token prefix or --user USERNAME")
        prefixes = list(tokens.values_list("prefix", flat=True))
        tokens.update(revoked_at=timezone.now())
        for prefix in prefixes:
            logger.info("api token %s revoked", prefix)
        self.stdout.write(f"{len(prefixes)} token(s) revoked")
