"""`lvv rotate-field-keys`: re-encrypt every encrypted field with the first key of
FIELD_ENCRYPTION_KEYS, so that older keys can be removed (docs/security.md)."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from lvv.access.fields import DecryptionError, encrypted_fields, rotate_token


class Command(BaseCommand):
    help = (
        "Versleutelt alle versleutelde velden opnieuw met de eerste sleutel uit "
        "FIELD_ENCRYPTION_KEYS (sleutelrotatie)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Print only a freshly generated key to put in front of FIELD_ENCRYPTION_KEYS.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the values, change nothing."
        )

    def handle(self, *args, new_key=False, dry_run=False, **options):
        if new_key:
            self.stdout.write(Fernet.generate_key().decode("ascii"))
            return
        total = 0
        try:
            with transaction.atomic():
                for model, field in encrypted_fields():
                    count = self._rotate(model, field, dry_run=dry_run)
                    total += count
                    self.stdout.write(f"{model._meta.label}.{field.name}: {count}")
        except DecryptionError as exc:
            raise CommandError(
                f"{exc}. Nothing was changed. Put every key still in use in FIELD_ENCRYPTION_KEYS."
            ) from exc
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{total} values {verb} with the first key."))

    def _rotate(self, model, field, *, dry_run: bool) -> int:
        # Raw SQL on purpose: the ORM would decrypt on read; here ciphertext goes in and out as is,
        # and append-only models (if any hold encrypted text) are not touched through their save().
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(field.column)
        pk = connection.ops.quote_name(model._meta.pk.column)
        count = 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''"  # noqa: S608
            )
            rows = cursor.fetchall()
            for row_pk, token in rows:
                new = rotate_token(token)
                count += 1
                if not dry_run:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [new, row_pk],
                    )
        return count
