"""What the definition form offers and reads: the sources' fields and code lists, age bands
written as text, comparison values typed as the field needs them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

NUMERIC = ("integer", "number")


def schema_fields(sources):
    """{field name: descriptor} over the sources' current schemas (first source wins)."""
    fields = {}
    for source in sources:
        schema = source.schemas.order_by("-version").first()
        for descriptor in (schema.descriptor if schema else {}).get("fields", []):
            fields.setdefault(descriptor["name"], {**descriptor, "sources": []})
            fields[descriptor["name"]]["sources"].append(source.slug)
    return fields


def code_list(descriptor):
    """[(code, label)] a field takes: its classification, else its schema's enum."""
    from bif.geography import classifications

    slug = descriptor.get("codelist")
    if slug and classifications.exists(slug):
        return list(classifications.labels(slug).items())
    enum = (descriptor.get("constraints") or {}).get("enum") or []
    return [(str(code), str(code)) for code in enum]


def parse_bands(text):
    """ "0-14, 15-64, 65+" → [[0, 14], [15, 64], [65, None]]."""
    bands = []
    for part in [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]:
        try:
            if part.endswith("+"):
                bands.append([int(part[:-1]), None])
            else:
                low, high = part.replace("–", "-").split("-")
                bands.append([int(low), int(high)])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Altersgruppe „%(part)s“: bitte wie „0-14, 15-64, 65+“ angeben."),
                params={"part": part},
            ) from exc
    return bands


def bands_text(bands):
    return ", ".join(f"{lo}-{hi}" if hi is not None else f"{lo}+" for lo, hi in bands)


def _typed(text, descriptor):
    """A comparison value as the field's type needs it (a date as ISO, a number)."""
    kind = descriptor.get("type")
    if kind == "date" and "." in text:
        day, month, year = text.split(".")
        return f"{year}-{month.zfill(2)}-{day.zfill(2)}"
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "number":
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text
    return text
