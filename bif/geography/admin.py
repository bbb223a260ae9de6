"""Admin pages of the area structure, and the page that loads a Gebietsstand from files."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import (
    Address,
    AreaChange,
    AreaLevel,
    AreaSystem,
    AreaUnit,
    Classification,
    ClassificationItem,
    ClassificationVersion,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        return (
            [single(d, initial) for d in data] if isinstance(data, list | tuple) else [single(data)]
        )


class AreaFilesForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Dateien"),
        help_text=gettext_lazy(
            "ebenen.csv, gebiete.csv, je Ebene mit Geometrie <ebene>.geojson (CRS84 oder "
            "ETRS89/UTM 32N), optional aenderungen.csv, das Adressregister adressen.csv und "
            "klassifikationen.csv (auch einzeln)."
        ),
    )
    check_only = forms.BooleanField(label=gettext_lazy("nur prüfen"), required=False)


@admin.register(AreaSystem)
class AreaSystemAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(AreaLevel)
class AreaLevelAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "system", "parent", "built_from", "depth")
    change_list_template = "geography/arealevel_changelist.html"

    def get_urls(self):
        load = self.admin_site.admin_view(self.load_view)
        return [path("laden/", load, name="geography_load_areas"), *super().get_urls()]

    def load_view(self, request):
        if not request.user.has_perm("geography.add_areaunit"):
            return redirect("admin:index")
        form = AreaFilesForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            files = {f.name: f.read() for f in form.cleaned_data["files"]}
            check_only = form.cleaned_data["check_only"]
            try:
                counts = services.load_package(files, check_only=check_only)
            except services.AreaFilesRejected as rejected:
                problems = rejected.problems
            else:
                if check_only:
                    messages.success(request, _("Gebietsstand geprüft: keine Befunde."))
                else:
                    messages.success(
                        request,
                        _(
                            "Gebietsstand geladen: %(levels)s Ebenen, %(units)s Gebiete, "
                            "%(addresses)s Adressen, %(classifications)s Klassifikationspositionen."
                        )
                        % counts,
                    )
                    return redirect(reverse("admin:geography_arealevel_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Gebietsstand laden"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "geography/load_areas.html", context)


@admin.register(AreaUnit)
class AreaUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name")
    exclude = ("geometry", "members")
    readonly_fields = ("level", "parent")


@admin.register(AreaChange)
class AreaChangeAdmin(admin.ModelAdmin):
    list_display = ("level", "effective", "old_code", "new_code", "share")


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("street", "street_key", "number", "suffix", "number_to", "codes")
    search_fields = ("street", "street_key")


class ClassificationItemInline(admin.TabularInline):
    model = ClassificationItem
    extra = 0


@admin.register(ClassificationVersion)
class ClassificationVersionAdmin(admin.ModelAdmin):
    list_display = ("classification", "version", "valid_from")
    inlines = [ClassificationItemInline]


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name")
    change_list_template = "geography/arealevel_changelist.html"  # the same load page
