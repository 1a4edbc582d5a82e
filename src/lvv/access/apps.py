from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "lvv.access"
    label = "access"
