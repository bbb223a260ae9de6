"""Administrators edit checklist templates; a changed template becomes a new version."""

from django.contrib import admin

from . import services
from .models import (
    Checklist,
    ChecklistItem,
    ChecklistItemTemplate,
    ChecklistTemplate,
    DashboardFeedback,
    StaffInvolvement,
    StageChange,
)


class ItemTemplateInline(admin.TabularInline):
    model = ChecklistItemTemplate
    extra = 0
    fields = [
        "order",
        "key",
        "title",
        "explanation",
        "responsible_role",
        "required_for_stage",
        "auto_check",
    ]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "scope", "version", "is_current", "created_at"]
    list_filter = ["is_current"]
    readonly_fields = ["version", "created_at"]
    inlines = [ItemTemplateInline]

    def save_related(self, request, form, formsets, change):
        # The header is saved, the items not yet: archive the stored items as the old version.
        if change and (form.has_changed() or any(fs.has_changed() for fs in formsets)):
            services.archive_version(form.instance, old_name=form.initial.get("name"))
        super().save_related(request, form, formsets, change)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["item_template", "done_at", "done_by", "evidence_text", "evidence_link"]
    readonly_fields = ["item_template", "done_at", "done_by"]
    can_delete = False


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["__str__", "template", "created_at"]
    list_select_related = ["source", "department", "template"]
    inlines = [ChecklistItemInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["source", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_select_related = ["source", "changed_by"]


@admin.register(StaffInvolvement)
class StaffInvolvementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "department", "informed_at", "trained_at"]
    list_filter = ["department"]
    list_select_related = ["department", "user"]


@admin.register(DashboardFeedback)
class DashboardFeedbackAdmin(admin.ModelAdmin):
    list_display = ["dashboard", "useful", "created_at"]
    list_select_related = ["dashboard"]
