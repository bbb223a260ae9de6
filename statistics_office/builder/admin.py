from django.contrib import admin

from .models import Catalogue


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    """The catalogues as rows; the office keeps them in its form (table_builder.views.catalogue)."""

    list_display = ["source", "enabled", "max_dimensions", "max_cells", "min_filter_population"]
