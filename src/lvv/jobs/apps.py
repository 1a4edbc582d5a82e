from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "lvv.jobs"
    label = "jobs"
    verbose_name = "Achtergrondtaken"

    def ready(self) -> None:
        from lvv.jobs import handlers  # noqa: F401 - registers the ready-made job kinds
