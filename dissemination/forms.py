"""The office's form for a version's metadata (before review) and its release time."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import TableMetadata


class MetadataForm(forms.ModelForm):
    footnotes = forms.JSONField(
        label=_("Fußnoten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            'Liste, z. B. [{"level": "dimension", "dimension": "Stadtteil", "text": '
            '"Gebietsstand 2024"}]; Ebenen: table, dimension, value (mit "code"), cell (mit '
            '"cell": {"Merkmal": "Code"}).'
        ),
    )
    release_at = forms.DateTimeField(
        label=_("Veröffentlichung am (Sperrfrist)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Nur für eine geprüfte Tabelle: sie erscheint zu diesem Zeitpunkt."),
    )

    class Meta:
        model = TableMetadata
        fields = [*services.FIELDS, "release_at"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "revision_note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_footnotes(self):
        return self.cleaned_data.get("footnotes") or []
