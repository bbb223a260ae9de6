"""The audit log in Django's admin: read-only, for administrators only."""

from django.contrib import admin

from bif import roles
from bif.audit import is_audit_reader

from .models import AuditEntry, Grant, OfficeMember


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


class _GrantRecordsAdmin(admin.ModelAdmin):
    """Read-only: grants and pledges change only through the audited pages
    (statistics_office.grants), never by editing rows here."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_module_permission(self, request):
        return roles.has_role(request.user, roles.ADMINISTRATION)

    def has_view_permission(self, request, obj=None):
        return roles.has_role(request.user, roles.ADMINISTRATION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OfficeMember)
class OfficeMemberAdmin(_GrantRecordsAdmin):
    list_display = (
        "user",
        "pledge_date",
        "pledge_reference",
        "training_date",
        "training_valid_until",
    )
    search_fields = ("user__username", "user__last_name", "pledge_reference")
    list_select_related = ("user",)


@admin.register(Grant)
class GrantAdmin(_GrantRecordsAdmin):
    list_display = (
        "user",
        "source",
        "permission",
        "valid_from",
        "valid_until",
        "granted_by",
        "approved_by",
        "revoked_at",
    )
    list_filter = ("permission", "valid_until", "revoked_at")
    search_fields = ("user__username", "source__name", "source__slug", "purpose")
    list_select_related = ("user", "source", "granted_by", "approved_by")
