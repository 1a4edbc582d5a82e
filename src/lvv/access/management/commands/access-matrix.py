"""`lvv access-matrix [--write]`: print (or write into docs/access-matrix.md) the access matrix as
enforced by lvv.access.rules."""

from django.core.management.base import BaseCommand, CommandError

from lvv.access import matrix


class Command(BaseCommand):
    help = "Print the access matrix from lvv.access.rules; --write updates docs/access-matrix.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, write=False, **options):
        if not write:
            self.stdout.write(matrix.generated())
            return
        if not matrix.DOC.exists():
            raise CommandError(f"{matrix.DOC} does not exist (run from a checkout).")
        matrix.DOC.write_text(matrix.render_document(matrix.DOC.read_text("utf-8")), "utf-8")
        self.stdout.write(f"Wrote {matrix.DOC}")
