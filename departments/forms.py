from django import forms
from django.utils.translation import gettext_lazy as _

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


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Datenquelle"), queryset=None)
    file = forms.FileField(
        label=_("Exportdatei (CSV oder Excel)"),
        help_text=_("CSV mit ; oder , getrennt, UTF-8 oder Windows-1252; oder XLSX."),
    )
    sheet = forms.CharField(
        label=_("Tabellenblatt (nur Excel, optional)"), required=False, max_length=100
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["file"].widget.attrs.update({"accept": ".csv,.txt,.xlsx"})


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[
            ("accept", _("Hinweise zur Kenntnis genommen – Import annehmen")),
            ("reject", _("Import ablehnen")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Prüfvermerk"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Warum sind die Abweichungen plausibel, oder warum wird abgelehnt?"),
    )
