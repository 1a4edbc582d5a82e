"""`lvv create-token USERNAME` (CONTRACTS.md section 5): print a new API token for that user."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lvv.exchange.models import ApiToken

logger = logging.getLogger("lvv.exchange.tokens")


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (stored hashed; shown only now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, **options) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user '{options['username']}'") from None
        if not user.is_active:
            raise CommandError(f"user '{user.username}' is not active")
        row, token = ApiToken.issue(user)
        logger.info("api token %s created for user %s", row.prefix, user.pk)
        self.stdout.write(token)
