"""`lvv workflow-digest`: the daily e-mail digest of the personal work queue. Counts and one link
to the start page only: never names or case content (an e-mail leaves the register's control)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from lvv.accounts.models import User
from lvv.workflow.selectors import work_queue
from lvv.workflow.views import is_lso_role


def digest_text(user: User, base_url: str) -> str | None:
    """The digest for one user, or None when there is nothing to report."""
    items = [item for item in work_queue(user) if item.count]
    if not items:
        return None
    lines = ["Uw werkvoorraad in het LVV-register:", ""]
    lines += [f"- {item.count} × {item.label.split(' (')[0]}" for item in items]
    lines += ["", f"Bekijk ze na inloggen: {base_url.rstrip('/')}{reverse('web:home')}"]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Verstuurt de dagelijkse samenvatting van de werkvoorraad (alleen aantallen en een link)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Adres van het register"
        )
        parser.add_argument("--dry-run", action="store_true", help="Toon wat verstuurd zou worden")

    def handle(self, *args, base_url: str, dry_run: bool, **options):
        sent = 0
        for user in (
            User.objects.filter(is_active=True).exclude(email="").select_related("organisation")
        ):
            if not is_lso_role(user):
                continue
            text = digest_text(user, base_url)
            if text is None:
                continue
            if dry_run:
                self.stdout.write(f"--- {user.username}\n{text}")
            else:
                send_mail("Uw werkvoorraad LVV-register", text, None, [user.email])
            sent += 1
        self.stdout.write(f"{sent} samenvatting(en) {'klaar' if dry_run else 'verstuurd'}.")
