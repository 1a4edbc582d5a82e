from django.contrib import admin
from django.utils import timezone

from lvv.exchange.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are made with `lvv create-token`, which shows the token once

    @admin.action(description="Geselecteerde tokens intrekken")
    def revoke(self, request, queryset) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
