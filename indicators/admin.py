from django.contrib import admin

from .models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "kind", "status", "version", "updated_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "slug", "definition")
    readonly_fields = ("version", "created_by", "created_at", "updated_at")
    raw_id_fields = ("numerator", "denominator")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif form.changed_data:
            obj.version += 1
        super().save_model(request, obj, form, change)
