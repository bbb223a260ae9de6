"""The table definition form for people: dimensions, filters, age bands, measure and method
chosen from the sources' fields and code lists. No JSON to type (the API keeps its JSON).

The form turns its fields into the definition's plain lists (``spec()``); the services
validate them as they validate the API's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import DataSource
from statistics_office import access

from . import classification_fields, selectors
from .form_codes import (
    _typed,
    code_list,
    schema_fields,
)
from .models import OfficePerturbationTable, TableDefinition

DIMENSIONS = 4
FILTERS = 3
OP_CHOICES = [
    ("in", _("ist einer von")),
    ("not_in", _("ist keiner von")),
    ("eq", _("gleich")),
    ("ne", _("ungleich")),
    ("lt", _("kleiner als")),
    ("le", _("höchstens")),
    ("gt", _("größer als")),
    ("ge", _("mindestens")),
    ("is_null", _("ist leer")),
    ("not_null", _("ist nicht leer")),
]
LIST_OPS = ("in", "not_in")
NO_VALUE_OPS = ("is_null", "not_null")
NUMERIC = ("integer", "number")


class DefinitionForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    slug = forms.SlugField(label=_("Kennung"), max_length=80, required=False)
    description = forms.CharField(
        label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Datenquellen"),
        queryset=DataSource.objects.none(),
        help_text=_("Mehrere Quellen stehen nebeneinander (eigene Geheimhaltung je Quelle)."),
    )
    measure = forms.ChoiceField(label=_("Kennzahl"), choices=TableDefinition.Measure.choices)
    measure_field = forms.ChoiceField(label=_("Feld der Kennzahl"), required=False)
    method = forms.ChoiceField(
        label=_("Geheimhaltungsverfahren"), choices=TableDefinition.Method.choices
    )
    min_frequency = forms.IntegerField(
        label=_("Mindestfallzahl"),
        min_value=1,
        initial=3,
        help_text=_("Fallzahlen unter diesem Wert (außer 0) sind geheim zu halten."),
    )
    dominance_n = forms.IntegerField(
        label=_("Dominanzregel: n größte Beiträge"), min_value=1, required=False
    )
    dominance_k = forms.FloatField(
        label=_("Dominanzregel: Anteil k in %"), min_value=0, max_value=100, required=False
    )
    p_percent = forms.FloatField(label=_("p%-Regel: p"), min_value=0, max_value=100, required=False)
    holder_field = forms.ChoiceField(label=_("Feld der Merkmalsträger"), required=False)
    ptable = forms.ChoiceField(label=_("Überlagerungstabelle (Cell-Key)"), required=False)
    auto_publish = forms.BooleanField(
        label=_("bei neuem Datenstand ohne Prüfung veröffentlichen"), required=False
    )

    def __init__(self, *args, user, definition=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = selectors.permitted_sources(user, [access.DEFINE_TABLES])
        sources = DataSource.objects.filter(pk__in=allowed.values("pk")).order_by("name")
        self.fields["sources"].queryset = sources
        self.schema = schema_fields(sources)
        self.definition = definition
        field_choices = [("", _("– kein Merkmal –"))] + [
            (name, f"{d.get('title') or name} ({name})") for name, d in self.schema.items()
        ]
        numeric = [("", "–")] + [
            (name, d.get("title") or name)
            for name, d in self.schema.items()
            if d.get("type") in NUMERIC
        ]
        self.fields["measure_field"].choices = numeric
        self.fields["holder_field"].choices = [("", "–")] + field_choices[1:]
        self.fields["ptable"].choices = [("", _("Standard (D = 3)"))] + [
            (t.name, t.name) for t in OfficePerturbationTable.objects.order_by("name")
        ]
        choices = classification_fields.Choices()
        for i in range(DIMENSIONS):
            p = f"dim{i}_"
            n = i + 1
            self.fields[p + "field"] = forms.ChoiceField(
                label=_("Merkmal %(n)s: Feld") % {"n": n},
                choices=field_choices,
                required=i == 0,
            )
            classification_fields.add_fields(self, p, n, choices)
            self.fields[p + "label"] = forms.CharField(
                label=_("Merkmal %(n)s: Bezeichnung in der Tabelle") % {"n": n},
                required=False,
                max_length=100,
            )
        for j in range(FILTERS):
            p = f"flt{j}_"
            n = j + 1
            self.fields[p + "field"] = forms.ChoiceField(
                label=_("Filter %(n)s: Feld") % {"n": n},
                choices=[("", _("– kein Filter –"))] + field_choices[1:],
                required=False,
            )
            self.fields[p + "op"] = forms.ChoiceField(
                label=_("Filter %(n)s: Vergleich") % {"n": n}, choices=OP_CHOICES, initial="in"
            )
            self.fields[p + "values"] = forms.CharField(
                label=_("Filter %(n)s: Werte") % {"n": n},
                required=False,
                help_text=_(
                    "Codes mit Komma getrennt (siehe Code-Listen), bei Datum TT.MM.JJJJ "
                    "oder JJJJ-MM-TT, bei Zahlen eine Zahl"
                ),
            )

    # --- groups for the template (fieldsets) -----------------------------------------

    def dimension_rows(self):
        names = ("field", "kind", "level", "codelist", "bands", "own_bands", "hierarchy", "label")
        return [(i + 1, [self[f"dim{i}_{name}"] for name in names]) for i in range(DIMENSIONS)]

    def filter_rows(self):
        return [
            (j + 1, [self[f"flt{j}_{name}"] for name in ("field", "op", "values")])
            for j in range(FILTERS)
        ]

    def code_lists(self):
        """[(field, title, [(code, label)])] for the reference beside the form."""
        found = []
        for name, descriptor in self.schema.items():
            codes = code_list(descriptor)
            if codes:
                found.append((name, descriptor.get("title") or name, codes))
        return found

    # --- from and to a definition ----------------------------------------------------

    @staticmethod
    def initial_from(definition):
        params = definition.parameters or {}
        initial = {
            "title": definition.title,
            "slug": definition.slug,
            "description": definition.description,
            "sources": list(definition.sources.all()),
            "measure": definition.measure,
            "measure_field": definition.measure_field,
            "method": definition.method,
            "auto_publish": definition.auto_publish,
            **{k: params.get(k) for k in ("dominance_n", "dominance_k", "p_percent")},
            "min_frequency": params.get("min_frequency", 3),
            "holder_field": params.get("holder_field", ""),
            "ptable": params.get("ptable", ""),
        }
        for i, dim in enumerate(definition.dimensions[:DIMENSIONS]):
            p = f"dim{i}_"
            initial.update(classification_fields.initial(dim, p))
            initial.update({p + "field": dim.get("field", ""), p + "label": dim.get("label", "")})
        for j, flt in enumerate((definition.filters or [])[:FILTERS]):
            p = f"flt{j}_"
            values = flt.get("values") if flt.get("op") in LIST_OPS else [flt.get("value", "")]
            initial.update(
                {
                    p + "field": flt.get("field", ""),
                    p + "op": flt.get("op", "in"),
                    p + "values": ", ".join(str(v) for v in values or [] if v is not None),
                }
            )
        return initial

    def clean(self):
        data = super().clean()
        sources = list(data.get("sources") or [])
        for i in range(DIMENSIONS):
            self._check_field(f"dim{i}_field", sources)
            if data.get(f"dim{i}_field"):
                classification_fields.check(self, data, f"dim{i}_")
        for j in range(FILTERS):
            self._check_field(f"flt{j}_field", sources)
            self._check_filter(j)
        if data.get("measure") != "count" and not data.get("measure_field"):
            self.add_error(
                "measure_field", _("Für Summe und Mittelwert bitte das Feld der Kennzahl wählen.")
            )
        return data

    def _check_field(self, key, sources):
        name = self.cleaned_data.get(key)
        if not name or not sources:
            return
        missing = [s.name for s in sources if s.slug not in self.schema[name]["sources"]]
        if missing and not self._mapped(key):
            self.add_error(
                key,
                _("Das Feld „%(field)s“ gibt es nicht in: %(sources)s.")
                % {"field": name, "sources": ", ".join(missing)},
            )

    def _mapped(self, key):
        """A dimension of an existing definition that names the field per source (API)."""
        if not self.definition or not key.startswith("dim"):
            return False
        i = int(key[3])
        dims = self.definition.dimensions
        return i < len(dims) and bool(dims[i].get("fields"))

    def _check_filter(self, j):
        p = f"flt{j}_"
        name, op = self.cleaned_data.get(p + "field"), self.cleaned_data.get(p + "op")
        if not name:
            return
        values = [v.strip() for v in (self.cleaned_data.get(p + "values") or "").split(",")]
        values = [v for v in values if v]
        if op in NO_VALUE_OPS:
            return
        if not values:
            self.add_error(p + "values", _("Bitte mindestens einen Wert angeben."))
            return
        if op not in LIST_OPS and len(values) > 1:
            self.add_error(p + "values", _("Dieser Vergleich nimmt genau einen Wert."))
            return
        known = {code for code, _label in code_list(self.schema.get(name, {}))}
        unknown = [v for v in values if known and v not in known]
        if unknown:
            self.add_error(
                p + "values",
                _("Unbekannte Codes für „%(field)s“: %(codes)s.")
                % {"field": name, "codes": ", ".join(unknown)},
            )

    def spec(self):
        """The definition's fields as the services take them."""
        data = self.cleaned_data
        old_dims = list(self.definition.dimensions) if self.definition else []
        dimensions = []
        for i in range(DIMENSIONS):
            p = f"dim{i}_"
            if not data.get(p + "field"):
                continue
            # Keys the form does not show (e.g. a field per source) stay as they were.
            dim = dict(old_dims[i]) if i < len(old_dims) else {}
            for key in (*classification_fields.DIMENSION_KEYS, "label"):
                dim.pop(key, None)
            dim.update(field=data[p + "field"], **classification_fields.spec(data, p))
            if data.get(p + "label"):
                dim["label"] = data[p + "label"]
            dimensions.append(dim)
        filters = []
        for j in range(FILTERS):
            p = f"flt{j}_"
            if not data.get(p + "field"):
                continue
            flt = {"field": data[p + "field"], "op": data[p + "op"]}
            values = [v.strip() for v in (data.get(p + "values") or "").split(",") if v.strip()]
            if flt["op"] in LIST_OPS:
                flt["values"] = values
            elif flt["op"] not in NO_VALUE_OPS:
                flt["value"] = _typed(values[0], self.schema.get(flt["field"], {}))
            filters.append(flt)
        parameters = {"min_frequency": data["min_frequency"]}
        for key in ("dominance_n", "dominance_k", "p_percent", "holder_field", "ptable"):
            if data.get(key) not in (None, ""):
                parameters[key] = data[key]
        return {
            "title": data["title"],
            "slug": data.get("slug") or "",
            "description": data.get("description") or "",
            "sources": list(data["sources"]),
            "dimensions": dimensions,
            "filters": filters,
            "measure": data["measure"],
            "measure_field": data.get("measure_field") or "",
            "method": data["method"],
            "parameters": parameters,
            "auto_publish": data.get("auto_publish", False),
        }
