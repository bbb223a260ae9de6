"""Read-only admin views: tables are defined and published through the office's pages."""

from django.contrib import admin

from .models import PublishedTable, TableComputation, TableDefinition


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TableDefinition)
class TableDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "measure", "method", "auto_publish", "status"]
    search_fields = ["title", "slug"]


@admin.register(TableComputation)
class TableComputationAdmin(ReadOnlyAdmin):
    list_display = ["definition", "status", "computed_by", "computed_at", "reviewed_by"]
    list_filter = ["status"]
    exclude = ["cells"]


@admin.register(PublishedTable)
class PublishedTableAdmin(ReadOnlyAdmin):
    list_display = ["title", "version", "published_at", "published_by", "suppression_count"]
    exclude = ["cells"]
