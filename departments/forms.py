from django import forms

from .models import DataSource


class DataSourceForm(forms.ModelForm):
    class Meta:
        model = DataSource
        fields = [
            "name",
            "slug",
            "department",
            "kind",
            "fachverfahren",
            "description",
            "legal_basis",
            "update_cycle",
            "sensitivity",
            "contact",
            "stage",
            "origin_protection",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "origin_protection": forms.Textarea(attrs={"rows": 2}),
        }
