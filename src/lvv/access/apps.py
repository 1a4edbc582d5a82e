from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccessConfig(AppConfig):
    name = "lvv.access"
    label = "access"
    verbose_name = "Toegang, toestemming en logboek"

    def ready(self) -> None:
        from lvv.access import checks  # noqa: F401

        post_migrate.connect(_migrate_access_log, sender=self)
        from lvv.access.views import register_panels

        register_panels()


def _migrate_access_log(sender, using, **kwargs) -> None:
    """`lvv migrate` also migrates the access log when it is a database of its own (SQLite)."""
    from django.conf import settings
    from django.core.management import call_command

    from lvv.access.routers import log_alias, log_is_separate_database

    if (
        using == "default"
        and getattr(settings, "ACCESS_LOG_MIGRATE_WITH_DEFAULT", False)
        and log_is_separate_database()
    ):
        call_command("migrate", database=log_alias(), verbosity=0, interactive=False)
