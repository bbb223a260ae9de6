"""The audit log in Django's admin: read-only, for administrators only."""

from django.contrib import admin

from .audit import is_audit_reader
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "sequence",
        "created_at",
        "action",
        "username",
        "object_repr",
        "source_label",
        "outcome",
    )
    list_filter = ("action", "outcome", "created_at")
    search_fields = ("username", "object_repr", "object_id", "source_label", "purpose")
    date_hierarchy = "created_at"
    ordering = ("-sequence",)
    list_select_related = ("content_type",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_module_permission(self, request):
        return is_audit_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_audit_reader(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
