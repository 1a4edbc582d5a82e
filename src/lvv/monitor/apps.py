from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "lvv.monitor"
    label = "monitor"
    verbose_name = "Monitor"

    def ready(self) -> None:
        from lvv.monitor.access import monitor_scope
        from lvv.web import panels

        panels.register_menu_item(
            key="monitor.index",
            label="Monitor",
            url_name="monitor:index",
            order=60,
            visible=lambda user: monitor_scope(user).may_view,
            active_prefix="/monitor/",
        )
