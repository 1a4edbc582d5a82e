from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "lvv.jobs"
    label = "jobs"
    verbose_name = "Achtergrondtaken"
