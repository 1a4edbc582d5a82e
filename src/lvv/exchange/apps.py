from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "lvv.exchange"
    label = "exchange"
    verbose_name = "Uitwisseling (import, export, API)"

    def ready(self) -> None:
        from lvv.access import gate
        from lvv.accounts.models import Role
        from lvv.web import panels

        panels.register_menu_item(
            key="exchange.import",
            label="Importeren",
            url_name="exchange:import",
            order=80,
            visible=lambda user: user.role == Role.COORDINATOR,
        )
        can_export = getattr(gate, "can_export_caseload", gate.can_see_persons)
        panels.register_home_section(
            key="exchange.export",
            template="exchange/_home_export.html",
            order=90,
            visible=lambda user: can_export(user),
        )
