from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "lvv.exchange"
    label = "exchange"
