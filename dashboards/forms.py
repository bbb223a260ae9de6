"""Builder forms: a dashboard's frame and its widgets (the rules live in services)."""

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bif.geography import selectors as area_selectors
from statistics_office.tables.models import TableDefinition

from . import services
from .models import Dashboard, Widget


def published_definitions():
    return TableDefinition.objects.filter(publications__withdrawn_at=None).distinct()


class DashboardForm(forms.ModelForm):
    filters = forms.CharField(
        label=_("Filter"),
        required=False,
        help_text=_(
            "Merkmale, nach denen gefiltert werden kann, durch Komma getrennt, "
            "z. B. „Stichtag, Stadtteil, Geschlecht“."
        ),
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Gruppen"),
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nur wirksam bei „nur ausgewählte Gruppen“."),
    )

    class Meta:
        model = Dashboard
        fields = ["title", "slug", "description", "filters", "visibility"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["filters"] = ", ".join(self.instance.filters)
            self.initial["groups"] = list(services.visible_groups(self.instance))

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug == "neu":  # the address of the "new dashboard" page
            raise ValidationError(_("„neu“ ist als Kennung vergeben; bitte eine andere wählen."))
        return slug

    def clean_filters(self):
        text = self.cleaned_data.get("filters") or ""
        return [part.strip() for part in text.split(",") if part.strip()]

    def clean(self):
        data = super().clean()
        if data.get("visibility") == Dashboard.Visibility.GROUPS and not data.get("groups"):
            self.add_error("groups", _("Bitte mindestens eine Gruppe wählen."))
        return data


class WidgetForm(forms.ModelForm):
    class Meta:
        model = Widget
        fields = list(services.WIDGET_FIELDS)
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "x_dimension": forms.TextInput(attrs={"list": "dimension-names"}),
            "series_dimension": forms.TextInput(attrs={"list": "dimension-names"}),
        }
        help_texts = {
            "x_dimension": _("leer: das erste Merkmal (bei Linien der Stichtag)"),
            "series_dimension": _("leer: eine Reihe (Gesamtwert der übrigen Merkmale)"),
            "compare_table": _("wird als weitere Reihe neben der Tabelle gezeigt"),
            "map_level": _("nur für Karten; leer: die Ebene, zu der die Codes der Tabelle gehören"),
            "map_breaks": _("nur bei eigenen Grenzen, z. B. „100; 250; 500“"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].queryset = published_definitions()
        self.fields["compare_table"].queryset = published_definitions()
        self.fields["map_level"] = forms.ChoiceField(
            label=self.fields["map_level"].label,
            help_text=self.fields["map_level"].help_text,
            required=False,
            choices=[("", _("automatisch"))] + area_selectors.levels_with_geometry(),
        )
        self.fields["map_method"].required = False
        self.fields["map_classes"].required = False

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["map_method"] = data.get("map_method") or "quantile"
        data["map_classes"] = data.get("map_classes") or 5
        try:
            services.check_widget(
                data["kind"],
                data["table"],
                data.get("compare_table"),
                data.get("x_dimension", ""),
                data.get("series_dimension", ""),
                area_level=data.get("map_level", ""),
            )
        except ValidationError as exc:
            raise exc from None
        return data


def dimension_names():
    """{definition id: [dimension names]} of the newest publication, for builder.js."""
    found = services.publications(published_definitions().values_list("pk", flat=True))
    names = {}
    for definition_id, metas in found.items():
        dims = [d["name"] for d in metas[0].get("dimensions") or []]
        if len(metas) > 1 and services.TIME not in dims:
            dims.append(services.TIME)
        names[definition_id] = dims
    return names
