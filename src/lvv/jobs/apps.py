from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "lvv.jobs"
    label = "jobs"
    verbose_name = "Achtergrondtaken"

    def ready(self) -> None:
        from lvv.jobs import handlers  # noqa: F401 - registers the ready-made job kinds
        from lvv.web import panels

        panels.register_menu_item(
            key="jobs.mine",
            label="Mijn taken",
            url_name="jobs:list",
            order=95,
            visible=_may_start_jobs,
        )


def _may_start_jobs(user) -> bool:
    """The roles with a button that starts a job (import, export, publishing, research export);
    decided on the role alone, so the menu costs no query."""
    from lvv.accounts.models import Role

    return getattr(user, "role", None) in (
        Role.COORDINATOR,
        Role.CASE_WORKER,
        Role.PROGRAMME_BUREAU,
        Role.RESEARCHER,
    )
