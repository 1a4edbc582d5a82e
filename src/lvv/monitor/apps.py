from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "lvv.monitor"
    label = "monitor"
    verbose_name = "Monitor"

    def ready(self) -> None:
        from lvv.web import panels

        panels.register_menu_item(
            key="monitor.index",
            label="Monitor",
            url_name="monitor:index",
            order=60,
            visible=may_see_monitor,
            active_prefix="/monitor/",
        )


def may_see_monitor(user) -> bool:
    """Whether the menu shows "Monitor": `monitor_scope(user).may_view`, which depends on the role
    alone (the LVV names it also reads only narrow what is shown), decided here without a query
    on every page. `test_menu_item_agrees_with_monitor_scope` keeps the two in step."""
    from lvv.accounts.models import Role

    if not (user and user.is_authenticated and user.is_active):
        return False
    return getattr(user, "role", None) in (
        Role.PROGRAMME_BUREAU,
        Role.RESEARCHER,
        Role.COORDINATOR,
        Role.CASE_WORKER,
    )
