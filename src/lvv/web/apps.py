from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "lvv.web"
    label = "web"

    def ready(self) -> None:
        from lvv.access.gate import can_see_persons
        from lvv.web import panels

        panels.register_menu_item(
            key="registry.persons",
            label=_("Personen"),
            url_name="registry:person_list",
            order=10,
            visible=can_see_persons,
            active_prefix="/personen/",
        )
