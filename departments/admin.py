from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from . import services
from .importing.schema import validate_schema_descriptor
from .models import CrossSourceRule, DataSource, Department, DepartmentMembership, SchemaVersion


class MembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [MembershipInline]


class SchemaVersionInline(admin.TabularInline):
    model = SchemaVersion
    extra = 0
    fields = ["version", "created_at", "created_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CrossSourceRuleInline(admin.StackedInline):
    model = CrossSourceRule
    fk_name = "source"
    extra = 0


@admin.register(DataSource)
class DataSourceAdmin(GuardedModelAdmin):
    list_display = ["name", "slug", "department", "kind", "stage", "update_cycle", "sensitivity"]
    list_filter = ["department", "kind", "stage", "sensitivity"]
    search_fields = ["name", "slug", "fachverfahren"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SchemaVersionInline, CrossSourceRuleInline]


class SchemaVersionForm(forms.ModelForm):
    class Meta:
        model = SchemaVersion
        fields = ["source", "descriptor"]

    def clean_descriptor(self):
        descriptor = self.cleaned_data["descriptor"]
        problems = validate_schema_descriptor(descriptor if isinstance(descriptor, dict) else {})
        if not isinstance(descriptor, dict):
            problems = [_("Das Schema muss ein JSON-Objekt mit „fields“ sein.")]
        if problems:
            raise forms.ValidationError(problems)
        return descriptor


@admin.register(SchemaVersion)
class SchemaVersionAdmin(admin.ModelAdmin):
    """Schemas are versioned: saving always stores a new version, never edits an old one."""

    form = SchemaVersionForm
    list_display = ["source", "version", "created_at", "created_by"]
    list_filter = ["source"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = services.set_schema(obj.source, obj.descriptor, user=request.user)
        obj.pk, obj.version = saved.pk, saved.version
