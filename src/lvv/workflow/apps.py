from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "lvv.workflow"
    label = "workflow"
