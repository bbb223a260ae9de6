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
            "source_note",
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


ROLE_CHOICES = [
    ("dimension", _("Merkmal (gliedert die Tabelle)")),
    ("measure", _("Messgröße (Wert, Anzahl, Anteil)")),
    ("identifier", _("Kennung eines Datensatzes")),
    ("holder", _("Träger oder Halter")),
    ("reference_date", _("Stichtag")),
    ("area_key", _("Gebietsschlüssel (Stadtteil, Kreis …)")),
    ("auxiliary", _("Hilfsfeld – nach dem Einlesen löschen")),
]
TYPE_CHOICES = [
    ("string", _("Text")),
    ("integer", _("ganze Zahl")),
    ("number", _("Zahl mit Nachkommastellen")),
    ("date", _("Datum")),
    ("boolean", _("ja/nein")),
]
PERSONAL_CHOICES = [
    ("", _("– bitte entscheiden –")),
    ("keep_sealed", _("nur abgeschottet in der Statistikstelle aufbewahren")),
    ("drop", _("beim Einlesen löschen")),
]


class OnboardForm(forms.Form):
    """A sample file and what the new source is called; the schema is proposed from it."""

    file = forms.FileField(
        label=_("Beispieldatei"),
        help_text=_("CSV, XLSX, GENESIS-Tabelle oder GENESIS-Flatfile (auch als ZIP)."),
    )
    sheet = forms.CharField(
        label=_("Tabellenblatt (nur Excel, optional)"), required=False, max_length=100
    )
    name = forms.CharField(label=_("Name der Datenquelle"), max_length=200)
    slug = forms.SlugField(label=_("Kennung"), max_length=60)
    department = forms.ModelChoiceField(label=_("Fachbereich"), queryset=None)
    kind = forms.ChoiceField(label=_("Art"), choices=DataSource.Kind.choices)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["file"].widget.attrs.update({"accept": ".csv,.txt,.xlsx,.zip"})

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if DataSource.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Diese Kennung ist schon vergeben."))
        return slug


class SchemaFieldForm(forms.Form):
    """One field of a proposed or current schema, as the office corrects it."""

    name = forms.SlugField(label=_("Feldname"), max_length=60, allow_unicode=False)
    title = forms.CharField(label=_("Bezeichnung"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    type = forms.ChoiceField(label=_("Typ"), choices=TYPE_CHOICES)
    unit = forms.CharField(label=_("Einheit"), max_length=40, required=False)
    required = forms.BooleanField(label=_("Pflichtfeld"), required=False)
    role = forms.ChoiceField(label=_("Rolle"), choices=ROLE_CHOICES)
    enum = forms.CharField(
        label=_("Codeliste (ein Wert je Zeile)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minimum = forms.CharField(label=_("Mindestwert"), max_length=40, required=False)
    maximum = forms.CharField(label=_("Höchstwert"), max_length=40, required=False)
    personal_decision = forms.ChoiceField(
        label=_("Personenbezogene Angabe"), choices=PERSONAL_CHOICES, required=False
    )

    def __init__(self, *args, descriptor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.descriptor = descriptor or {}
        self.personal = self.descriptor.get("personal")
        if not self.personal:
            del self.fields["personal_decision"]

    def clean_enum(self):
        lines = [line.strip() for line in self.cleaned_data["enum"].splitlines()]
        return [line for line in lines if line]

    def clean(self):
        data = super().clean()
        if self.personal and not data.get("personal_decision"):
            self.add_error(
                "personal_decision",
                _("Diese Spalte sieht nach personenbezogenen Angaben aus: bitte entscheiden."),
            )
        return data

    @staticmethod
    def initial_for(descriptor):
        constraints = descriptor.get("constraints") or {}
        return {
            "name": descriptor["name"],
            "title": descriptor.get("title", ""),
            "description": descriptor.get("description", ""),
            "type": descriptor.get("type", "string"),
            "unit": descriptor.get("unit", ""),
            "required": bool(constraints.get("required")),
            "role": descriptor.get("role", "dimension"),
            "enum": "\n".join(str(v) for v in constraints.get("enum") or []),
            "minimum": constraints.get("minimum", ""),
            "maximum": constraints.get("maximum", ""),
            "personal_decision": descriptor.get("personalDecision", ""),
        }


class BaseSchemaFieldFormSet(forms.BaseFormSet):
    """One form per field of the schema, in its order; fields are corrected, not added."""

    def __init__(self, *args, descriptors, **kwargs):
        self.descriptors = list(descriptors)
        kwargs.setdefault("initial", [SchemaFieldForm.initial_for(d) for d in self.descriptors])
        super().__init__(*args, **kwargs)

    def total_form_count(self):
        return len(self.descriptors)

    def get_form_kwargs(self, index):
        return {"descriptor": self.descriptors[index]}

    def corrections(self):
        return [form.cleaned_data for form in self.forms]


SchemaFieldFormSet = forms.formset_factory(SchemaFieldForm, formset=BaseSchemaFieldFormSet, extra=0)
