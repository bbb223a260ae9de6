"""Writes to the indicator catalogue: only the statistics office keeps it."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bif import roles
from statistics_office.tables.models import TableDefinition

from . import formula
from .models import Indicator

FIELDS = (
    "name",
    "slug",
    "definition",
    "unit",
    "kind",
    "numerator",
    "numerator_label",
    "numerator_filter",
    "denominator",
    "denominator_label",
    "denominator_filter",
    "area_dimension",
    "decimals",
    "source",
    "contact",
    "legal_basis",
    "footnotes",
    "status",
)


class IndicatorError(ValueError):
    """A definition that cannot be saved (German message for people)."""


def _require_office(user):
    if not roles.has_role(user, roles.STATISTICIAN):
        raise PermissionDenied(_("Den Indikatorenkatalog pflegt nur die Statistikstelle."))


def validate(values):
    kind = values.get("kind")
    if kind not in formula.KINDS:
        raise IndicatorError(_("Bitte eine Berechnungsart wählen."))
    if values.get("numerator") is None:
        raise IndicatorError(_("Bitte die Tabelle des Zählers wählen."))
    if kind in formula.NEEDS_DENOMINATOR and values.get("denominator") is None:
        raise IndicatorError(
            _("Für „%(kind)s“ bitte die Tabelle des Nenners wählen.")
            % {"kind": Indicator.Kind(kind).label}
        )
    if kind in formula.NEEDS_DENOMINATOR and not values.get("denominator_label"):
        raise IndicatorError(_("Bitte den Nenner benennen (er wird neben dem Wert gezeigt)."))
    for name in ("numerator_filter", "denominator_filter"):
        chosen = values.get(name) or {}
        if not isinstance(chosen, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in chosen.items()
        ):
            raise IndicatorError(
                _("Die Auswahl nennt je Merkmal einen Code, z. B. Altersgruppe = 15-64.")
            )


@transaction.atomic
def save_indicator(*, user, indicator=None, **fields):
    """Create or change an indicator; every change of an existing one raises its version."""
    _require_office(user)
    values = {name: getattr(indicator, name) for name in FIELDS} if indicator else {}
    values.update(fields)
    if values.get("kind") not in formula.NEEDS_DENOMINATOR:
        values["denominator"], values["denominator_filter"] = None, {}
    validate(values)
    if indicator is None:
        if not values.get("name"):
            raise IndicatorError(_("Bitte einen Namen angeben."))
        values["slug"] = values.get("slug") or slugify(values["name"])[:80]
        indicator = Indicator(created_by=user)
    elif any(getattr(indicator, name) != values[name] for name in FIELDS if name in values):
        indicator.version += 1
    for name, value in values.items():
        setattr(indicator, name, value if value is not None or name == "denominator" else "")
    indicator.numerator_filter = values.get("numerator_filter") or {}
    indicator.denominator_filter = values.get("denominator_filter") or {}
    try:
        indicator.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise IndicatorError("; ".join(exc.messages)) from exc
    indicator.save()
    return indicator


def load_catalogue(rows, *, user):
    """Create or update indicators from data (a city's catalogue file, e.g. the demo's
    indikatoren.json): each row names its tables by slug. Rows whose tables are not defined
    are skipped and returned, so a catalogue can run ahead of the tables."""
    saved, skipped = [], []
    definitions = {d.slug: d for d in TableDefinition.objects.all()}
    for row in rows:
        row = dict(row)
        numerator = definitions.get(row.pop("numerator", ""))
        denominator_slug = row.pop("denominator", "")
        denominator = definitions.get(denominator_slug) if denominator_slug else None
        if numerator is None or (denominator_slug and denominator is None):
            skipped.append(row.get("slug", ""))
            continue
        existing = Indicator.objects.filter(slug=row.get("slug", "")).first()
        saved.append(
            save_indicator(
                user=user,
                indicator=existing,
                numerator=numerator,
                denominator=denominator,
                **row,
            )
        )
    return saved, skipped


def load_catalogue_file(path, *, user):
    with open(path, encoding="utf-8") as handle:
        try:
            rows = json.load(handle)
        except json.JSONDecodeError as exc:
            raise IndicatorError(
                _("%(file)s, Zeile %(line)s: kein gültiges JSON.")
                % {"file": path, "line": exc.lineno}
            ) from exc
    return load_catalogue(rows, user=user)
