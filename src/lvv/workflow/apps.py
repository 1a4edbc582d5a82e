from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "lvv.workflow"
    label = "workflow"
    verbose_name = "Casusregie"

    def ready(self) -> None:
        from lvv.web import panels

        # erasure and duplicates connect their receivers (duplicates: the derived name keys)
        from lvv.workflow import duplicates, erasure, views  # noqa: F401

        panels.register_home_section(
            key="workflow.queue",
            template="workflow/_home_queue.html",
            context=views.home_context,
            order=10,
            visible=views.is_lso_role,
        )
        panels.register_stay_panel(
            key="workflow.case_link",
            template="workflow/_stay_panel.html",
            context=views.stay_panel_context,
            order=10,
            visible=views.is_lso_role,
        )
        for key, label, url_name, order, visible in [
            ("workflow.register", "Aanmelden", "workflow:register", 20, views.is_case_role),
            ("workflow.meetings", "Overleggen", "workflow:meetings", 30, views.is_lso_role),
            ("workflow.actions", "Acties", "workflow:actions", 40, views.is_case_role),
            ("workflow.waiting", "Wachtlijst", "workflow:waiting", 50, views.is_case_role),
            ("workflow.duplicates", "Dubbelcheck", "workflow:duplicates", 60, views.is_case_role),
        ]:
            panels.register_menu_item(
                key=key, label=label, url_name=url_name, order=order, visible=visible
            )
