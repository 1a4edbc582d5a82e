"""Functional configuration only: LVVs, policies, locations, capacity. Case data (persons, stays,
events) is deliberately not in the admin: it goes through lvv.access."""

from django.contrib import admin

from lvv.registry.models import LVV, CapacityRecord, Location, Policy, RegionMunicipality


class PolicyInline(admin.StackedInline):
    model = Policy
    can_delete = False


class RegionInline(admin.TabularInline):
    model = RegionMunicipality
    extra = 1


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


@admin.register(LVV)
class LVVAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "municipality"]
    inlines = [PolicyInline, RegionInline, LocationInline]


@admin.register(CapacityRecord)
class CapacityRecordAdmin(admin.ModelAdmin):
    list_display = ["lvv", "valid_from", "places", "recorded_at", "source"]
    list_filter = ["lvv"]
    readonly_fields = ["recorded_at", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        # Append-only: a correction is a new record.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        obj.source = "admin"
        super().save_model(request, obj, form, change)
