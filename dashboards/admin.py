from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Dashboard, Widget


class WidgetInline(admin.TabularInline):
    model = Widget
    extra = 0
    fields = [
        "position",
        "title",
        "kind",
        "table",
        "compare_table",
        "x_dimension",
        "series_dimension",
        "palette",
        "width",
    ]


@admin.register(Dashboard)
class DashboardAdmin(GuardedModelAdmin):
    list_display = ["title", "slug", "status", "visibility", "owner", "updated_at"]
    list_filter = ["status", "visibility"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [WidgetInline]
