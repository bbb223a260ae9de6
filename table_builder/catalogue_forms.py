"""The office's catalogue form: which fields of a source the table builder offers, with
which classification, which may filter, which never go together, and the limits. No JSON
to type; the builder's services check the result as they check the API's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from statistics_office.builder.models import Catalogue
from statistics_office.tables import classification_fields
from statistics_office.tables.form_codes import schema_fields
from statistics_office.tables.models import OfficePerturbationTable

EMPTY_ROWS = 3
MIN_ROWS = 6
ITEM_FIELDS = ("key", "label", "group", "filter", "field", *classification_fields.NAMES)


class CatalogueForm(forms.Form):
    enabled = forms.BooleanField(label=_("im Tabellenbaukasten angeboten"), required=False)
    max_dimensions = forms.IntegerField(
        label=_("höchstens Merkmale je Tabelle"), min_value=1, max_value=3, initial=3
    )
    max_cells = forms.IntegerField(
        label=_("höchstens Felder je Tabelle"), min_value=1, max_value=100_000, initial=2000
    )
    min_filter_population = forms.IntegerField(
        label=_("Mindestzahl der Fälle nach Filter"), min_value=1, initial=100
    )
    max_sparse_share = forms.FloatField(
        label=_("höchster Anteil kleiner Felder"),
        min_value=0.01,
        max_value=1,
        initial=0.5,
        help_text=_("Anteil der Felder mit kleinen Werten, ab dem eine Tabelle abgelehnt wird"),
    )
    ptable = forms.ChoiceField(label=_("Überlagerungstabelle (Cell-Key)"), required=False)
    excluded = forms.CharField(
        label=_("ausgeschlossene Kombinationen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Eine Kombination je Zeile, Kennungen mit + verbunden, z. B. "
            "„stadtteil + staatsangehoerigkeit“"
        ),
    )

    def __init__(self, *args, source, catalogue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.catalogue = catalogue
        schema = schema_fields([source])
        self.fields["ptable"].choices = [("", _("Standard (D = 3)"))] + [
            (t.name, t.name) for t in OfficePerturbationTable.objects.order_by("name")
        ]
        fields = [("", _("– nicht belegt –"))] + [
            (name, f"{d.get('title') or name} ({name})") for name, d in schema.items()
        ]
        choices = classification_fields.Choices()
        existing = len(catalogue.items) if catalogue else 0
        self.rows = max(MIN_ROWS, existing + EMPTY_ROWS)
        for i in range(self.rows):
            p, n = f"it{i}_", {"n": i + 1}
            self.fields[p + "key"] = forms.SlugField(
                label=_("Merkmal %(n)s: Kennung") % n, max_length=40, required=False
            )
            self.fields[p + "label"] = forms.CharField(
                label=_("Merkmal %(n)s: Bezeichnung") % n, max_length=100, required=False
            )
            self.fields[p + "group"] = forms.SlugField(
                label=_("Merkmal %(n)s: Gruppe") % n,
                max_length=40,
                required=False,
                help_text=_("Merkmale einer Gruppe stehen nie zusammen in einer Tabelle"),
            )
            self.fields[p + "filter"] = forms.BooleanField(
                label=_("Merkmal %(n)s: auch als Filter") % n, required=False
            )
            self.fields[p + "field"] = forms.ChoiceField(
                label=_("Merkmal %(n)s: Feld") % n, choices=fields, required=False
            )
            classification_fields.add_fields(self, p, i + 1, choices)

    def item_rows(self):
        return [(i + 1, [self[f"it{i}_{name}"] for name in ITEM_FIELDS]) for i in range(self.rows)]

    @staticmethod
    def initial_from(catalogue):
        initial = {
            **{name: getattr(catalogue, name) for name in Catalogue.LIMITS},
            "excluded": "\n".join(" + ".join(c) for c in catalogue.excluded_combinations or []),
        }
        for i, item in enumerate(catalogue.items):
            p = f"it{i}_"
            initial.update(classification_fields.initial(item.get("dimension") or {}, p))
            initial.update(
                {
                    p + "key": item.get("key", ""),
                    p + "label": item.get("label", ""),
                    p + "group": item.get("group", ""),
                    p + "filter": bool(item.get("filter")),
                    p + "field": (item.get("dimension") or {}).get("field", ""),
                }
            )
        return initial

    def clean(self):
        data = super().clean()
        for i in range(self.rows):
            p = f"it{i}_"
            key, field = data.get(p + "key"), data.get(p + "field")
            if not key and not field:
                continue
            if not key:
                self.add_error(p + "key", _("Bitte eine Kennung angeben."))
            if not field:
                self.add_error(p + "field", _("Bitte das Feld der Datenquelle wählen."))
            if not data.get(p + "label"):
                self.add_error(p + "label", _("Bitte eine Bezeichnung angeben."))
            classification_fields.check(self, data, p)
        return data

    def settings(self):
        """The catalogue's fields as :func:`services.keep_catalogue` takes them."""
        data = self.cleaned_data
        old = {item["key"]: item for item in (self.catalogue.items if self.catalogue else [])}
        items = []
        for i in range(self.rows):
            p = f"it{i}_"
            if not data.get(p + "key"):
                continue
            # Keys the form does not show (an item's own filter list) stay as they were.
            item = {k: v for k, v in old.get(data[p + "key"], {}).items() if k == "values"}
            dim = {"field": data[p + "field"], **classification_fields.spec(data, p)}
            item.update(key=data[p + "key"], label=data[p + "label"], dimension=dim)
            if data.get(p + "group"):
                item["group"] = data[p + "group"]
            if data.get(p + "filter"):
                item["filter"] = True
            items.append(item)
        excluded = []
        for line in (data.get("excluded") or "").splitlines():
            keys = [k.strip() for k in line.split("+") if k.strip()]
            if keys:
                excluded.append(keys)
        return {
            "enabled": data.get("enabled", False),
            "items": items,
            "excluded_combinations": excluded,
            "max_dimensions": data["max_dimensions"],
            "max_cells": data["max_cells"],
            "min_filter_population": data["min_filter_population"],
            "max_sparse_share": data["max_sparse_share"],
            "ptable": data.get("ptable") or "",
        }
