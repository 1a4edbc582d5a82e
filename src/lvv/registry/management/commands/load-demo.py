"""`lvv load-demo`: the demo data and accounts (CONTRACTS.md section 5). Safe to run again."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

from lvv.registry import demo


class Command(BaseCommand):
    help = "Laadt de demodata: de vijf pilot-LVV's, organisaties, demo-accounts en synthetische deelnemers."

    def handle(self, *args, **options):
        context = demo.load_structure()
        created = demo.load_participants(context)
        # Other apps add their own demo data in <app>/demo.py: load(context, stdout).
        for app in settings.INSTALLED_APPS:
            if app.startswith("lvv.") and app != "lvv.registry":
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.load(context, self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demodata geladen ({created} nieuwe deelnemers)."))
        self._print_accounts()

    def _print_accounts(self) -> None:
        from lvv.accounts.models import User

        self.stdout.write(f"\nDemo-accounts (alle met wachtwoord {demo.DEMO_PASSWORD!r}):")
        for user in (
            User.objects.filter(password__isnull=False)
            .select_related("organisation")
            .order_by("username")
        ):
            self.stdout.write(
                f"  {user.username:<22} {user.get_role_display() or '-':<40} {user.organisation or ''}"
            )
        self.stdout.write(
            "\nInloggen: http://127.0.0.1:8000/inloggen/  ·  Functioneel beheer: /beheer/ (beheerder)"
        )
