"""The statistics office's form for an indicator: tables chosen from the published ones."""

from django import forms
from django.utils.translation import gettext_lazy as _

from statistics_office.tables.models import PublishedTable, TableDefinition

from . import services
from .models import Indicator


class SelectionField(forms.CharField):
    """ "Merkmal = Code" per line, e.g. "Altersgruppe = 15-64": no JSON to type."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{k} = {v}" for k, v in value.items())
        return value

    def to_python(self, value):
        chosen = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, code = line.partition("=")
            if not sep or not name.strip() or not code.strip():
                raise forms.ValidationError(
                    _("Zeile %(n)s: bitte „Merkmal = Code“ angeben, z. B. „Altersgruppe = 15-64“."),
                    params={"n": number},
                )
            chosen[name.strip()] = code.strip()
        return chosen


class IndicatorForm(forms.ModelForm):
    numerator_filter = SelectionField(
        label=_("Auswahl im Zähler"),
        required=False,
        help_text=_("je Zeile „Merkmal = Code“; nicht genannte Merkmale zählen insgesamt"),
    )
    denominator_filter = SelectionField(
        label=_("Auswahl im Nenner"),
        required=False,
        help_text=_("je Zeile „Merkmal = Code“; nicht genannte Merkmale zählen insgesamt"),
    )

    class Meta:
        model = Indicator
        fields = list(services.FIELDS)  # what the office edits, in one place
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "footnotes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published = TableDefinition.objects.filter(
            pk__in=PublishedTable.objects.filter(withdrawn_at=None).values("definition_id")
        ).order_by("title")
        self.fields["numerator"].queryset = published
        self.fields["denominator"].queryset = published
        self.fields["slug"].required = False
