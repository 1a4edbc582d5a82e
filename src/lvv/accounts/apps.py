from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "Accounts en organisaties"
    name = "lvv.accounts"
    label = "accounts"

    def ready(self) -> None:
        from lvv.accounts import signals  # noqa: F401
