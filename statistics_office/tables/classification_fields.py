"""The form fields of a dimension's classification, shared by the table definition form
and the table builder's catalogue form: its kind (codes, age bands of a date field, a
hierarchy), the area level or code list that labels its codes, its age bands (named, from a
classification or the form's own) and its hierarchy; read back into the dimension's keys."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bif.geography.models import AreaLevel, Classification

from .form_codes import bands_text, parse_bands

KIND_CHOICES = [
    ("code", _("Code (z. B. Stadtteil, Geschlecht)")),
    ("age_band", _("Altersgruppen aus einem Datumsfeld")),
    ("hierarchy", _("Hierarchie (Bezirke mit ihren Stadtteilen)")),
]
BAND_CHOICES = [
    ("5y", _("5-Jahres-Gruppen bis 85+")),
    ("5y95", _("5-Jahres-Gruppen bis 95+")),
    ("planning", _("Planungsgruppen (0–2, 3–5, 6–9, 10–17, 18–24, 25–44, 45–64, 65–79, 80+)")),
    ("own", _("eigene Gruppen (unten angeben)")),
]
NAMES = ("kind", "level", "codelist", "bands", "own_bands", "hierarchy")
# The dimension keys these fields write (a form drops them before it writes them anew).
DIMENSION_KEYS = ("level", "codelist", "bands", "hierarchy")


class Choices:
    """The city's area levels, code lists and hierarchies, read once per form."""

    def __init__(self):
        self.levels = [("", "–")] + [
            (lv.slug, lv.name) for lv in AreaLevel.objects.order_by("name")
        ]
        self.lists = [("", "–")] + [
            (c.slug, c.name) for c in Classification.objects.order_by("name")
        ]
        self.hierarchies = [("", "–")] + hierarchy_choices(AreaLevel.objects.all())
        self.bands = BAND_CHOICES[:3] + self.lists[1:] + BAND_CHOICES[3:]


def add_fields(form, prefix, n, choices):
    """The classification fields of dimension ``n`` (prefix e.g. "dim0_") on ``form``."""
    n = {"n": n}
    form.fields[prefix + "kind"] = forms.ChoiceField(
        label=_("Merkmal %(n)s: Art") % n, choices=KIND_CHOICES, initial="code"
    )
    form.fields[prefix + "level"] = forms.ChoiceField(
        label=_("Merkmal %(n)s: Gebietsebene (Bezeichnungen)") % n,
        choices=choices.levels,
        required=False,
    )
    form.fields[prefix + "codelist"] = forms.ChoiceField(
        label=_("Merkmal %(n)s: Klassifikation (Bezeichnungen)") % n,
        choices=choices.lists,
        required=False,
    )
    form.fields[prefix + "bands"] = forms.ChoiceField(
        label=_("Merkmal %(n)s: Altersgruppen") % n,
        choices=choices.bands,
        required=False,
        initial="5y",
    )
    form.fields[prefix + "own_bands"] = forms.CharField(
        label=_("Merkmal %(n)s: eigene Altersgruppen") % n,
        required=False,
        help_text=_("z. B. 0-14, 15-64, 65+ (lückenlos ab 0, die letzte offen)"),
    )
    form.fields[prefix + "hierarchy"] = forms.ChoiceField(
        label=_("Merkmal %(n)s: Hierarchie") % n, choices=choices.hierarchies, required=False
    )


def initial(dim, prefix):
    """The fields' initial values from a dimension spec."""
    bands = dim.get("bands", "5y")
    return {
        prefix + "kind": dim.get("kind", "code"),
        prefix + "level": dim.get("level", ""),
        prefix + "codelist": dim.get("codelist", ""),
        prefix + "bands": bands if isinstance(bands, str) else "own",
        prefix + "own_bands": "" if isinstance(bands, str) else bands_text(bands),
        prefix + "hierarchy": dim.get("hierarchy", ""),
    }


def check(form, data, prefix):
    """Own age bands readable, a hierarchy chosen where the kind needs one."""
    kind = data.get(prefix + "kind")
    if kind == "age_band" and data.get(prefix + "bands") == "own":
        try:
            parse_bands(data.get(prefix + "own_bands") or "")
        except forms.ValidationError as exc:
            form.add_error(prefix + "own_bands", exc)
    if kind == "hierarchy" and not data.get(prefix + "hierarchy"):
        form.add_error(prefix + "hierarchy", _("Bitte die Hierarchie wählen."))


def spec(data, prefix):
    """{"kind": …} and the keys of that kind, as the tables read them."""
    dim = {"kind": data[prefix + "kind"]}
    if dim["kind"] == "code":
        for key in ("level", "codelist"):
            if data.get(prefix + key):
                dim[key] = data[prefix + key]
    elif dim["kind"] == "age_band":
        bands = data.get(prefix + "bands") or "5y"
        dim["bands"] = parse_bands(data[prefix + "own_bands"]) if bands == "own" else bands
    else:
        dim["hierarchy"] = data[prefix + "hierarchy"]
    return dim


def hierarchy_choices(levels):
    """Every level with each of its ancestors ("baublock->ortsbezirk" too, not only the
    direct parent): a table may show blocks within their districts."""
    by_pk = {lv.pk: lv for lv in levels}
    choices = []
    for level in sorted(by_pk.values(), key=lambda lv: lv.name):
        ancestor, seen = by_pk.get(level.parent_id), {level.pk}
        while ancestor is not None and ancestor.pk not in seen:
            seen.add(ancestor.pk)
            choices.append((f"{level.slug}->{ancestor.slug}", f"{level.name} → {ancestor.name}"))
            ancestor = by_pk.get(ancestor.parent_id)
    return choices
