from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from lvv.accounts.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "lvvs"]
    search_fields = ["name"]
    filter_horizontal = ["lvvs"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active", "lvvs"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Rol in het LVV-netwerk"), {"fields": ("organisation", "role", "lvvs")}),
    )
    filter_horizontal = ["lvvs", "groups", "user_permissions"]
