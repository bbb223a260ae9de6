from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import DataSource, Department, DepartmentMembership


class MembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [MembershipInline]


@admin.register(DataSource)
class DataSourceAdmin(GuardedModelAdmin):
    list_display = ["name", "slug", "department", "kind", "stage", "update_cycle", "sensitivity"]
    list_filter = ["department", "kind", "stage", "sensitivity"]
    search_fields = ["name", "slug", "fachverfahren"]
    prepopulated_fields = {"slug": ["name"]}
