from django import forms
from django.utils.translation import gettext_lazy as _


class EvidenceForm(forms.Form):
    evidence_text = forms.CharField(
        label=_("Nachweis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_link = forms.URLField(
        label=_("Link zum Nachweis"), required=False, assume_scheme="https"
    )
    evidence_file = forms.FileField(label=_("Datei als Nachweis"), required=False)


class StageForm(forms.Form):
    to_stage = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Vermerk"), required=False, max_length=500)


class InvolvementForm(forms.Form):
    person_name = forms.CharField(label=_("Name"), max_length=200)
    informed_at = forms.DateField(
        label=_("informiert am"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    trained_at = forms.DateField(
        label=_("geschult am"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Bemerkung"), required=False, max_length=500)


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        label=_("Sind die Zahlen nützlich?"),
        choices=[("ja", _("ja")), ("nein", _("nein"))],
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
    )
    missing = forms.CharField(
        label=_("Was fehlt?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
