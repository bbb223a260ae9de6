from django.contrib import admin

from .models import Catalogue


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    """The office keeps its catalogues here (items as JSON, limits, perturbation table)."""

    list_display = ["source", "enabled", "max_dimensions", "max_cells", "min_filter_population"]
