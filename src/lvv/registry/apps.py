from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "lvv.registry"
    label = "registry"
