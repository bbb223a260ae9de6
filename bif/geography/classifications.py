"""Classifications as data: loading code lists from a CSV and reading the one in force.

klassifikationen.csv: klassifikation; name; version; gueltig_ab; code; bezeichnung;
reihenfolge; uebergeordnet; von; bis (von/bis: ages of an age band, bis empty = open).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from . import files as area_files
from .messages import sentence
from .models import Classification, ClassificationItem, ClassificationVersion

FILE = "klassifikationen.csv"


class ClassificationRejected(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def _int(value):
    return int(value) if value not in ("", None) else None


def load(data, *, file_name=FILE):
    """Store every classification version of the file, all or nothing."""
    findings = []
    rows = area_files._rows(data, file_name, findings)
    required = ("klassifikation", "version", "code", "bezeichnung")
    if not area_files._required(rows, file_name, required, findings):
        raise ClassificationRejected([sentence(f) for f in findings])
    problems, seen, items = [], {}, []
    for number, row in rows:
        key = (row["klassifikation"], row["version"], row["code"])
        if key in seen:
            problems.append(
                _(
                    "%(file)s, Zeile %(row)s: der Code „%(code)s“ steht in „%(c)s“ %(v)s doppelt "
                    "(zuerst in Zeile %(first)s)."
                )
                % {
                    "file": file_name,
                    "row": number,
                    "code": row["code"],
                    "c": key[0],
                    "v": key[1],
                    "first": seen[key],
                }
            )
        seen[key] = number
        try:
            lower, upper = _int(row.get("von")), _int(row.get("bis"))
        except ValueError:
            problems.append(
                _("%(file)s, Zeile %(row)s: „von“ und „bis“ sind ganze Jahre.")
                % {"file": file_name, "row": number}
            )
            lower = upper = None
        day = area_files._date(row.get("gueltig_ab", ""), file_name, number, "gueltig_ab", findings)
        items.append((number, row, day, lower, upper))
    codes = {(c, v): set() for c, v, _code in seen}
    for c, v, code in seen:
        codes[(c, v)].add(code)
    for number, row, _day, _lo, _hi in items:
        parent = row.get("uebergeordnet", "")
        if parent and parent not in codes[(row["klassifikation"], row["version"])]:
            problems.append(
                _("%(file)s, Zeile %(row)s: den übergeordneten Code „%(p)s“ gibt es nicht.")
                % {"file": file_name, "row": number, "p": parent}
            )
    problems += [sentence(f) for f in findings]
    if problems:
        raise ClassificationRejected(problems)
    with transaction.atomic():
        for number, row, day, lower, upper in items:
            classification, _created = Classification.objects.update_or_create(
                slug=row["klassifikation"],
                defaults={"name": row.get("name") or row["klassifikation"]},
            )
            version, _created = ClassificationVersion.objects.update_or_create(
                classification=classification, version=row["version"], defaults={"valid_from": day}
            )
            ClassificationItem.objects.update_or_create(
                version=version,
                code=row["code"],
                defaults={
                    "label": row["bezeichnung"],
                    "order": _int(row.get("reihenfolge")) or number,
                    "parent_code": row.get("uebergeordnet", ""),
                    "lower": lower,
                    "upper": upper,
                },
            )
    return len(items)


def version_on(slug, day=None):
    """The version of a classification in force on a day (the newest one started by then)."""
    day = day or dt.date.today()
    versions = ClassificationVersion.objects.filter(classification__slug=slug)
    started = versions.filter(valid_from__lte=day).order_by("-valid_from").first()
    return started or versions.order_by("-valid_from").first()


def items(slug, day=None):
    version = version_on(slug, day)
    return list(version.items.all()) if version else []


def exists(slug):
    return Classification.objects.filter(slug=slug).exists()


def labels(slug, day=None):
    return {i.code: i.label for i in items(slug, day)}


def order(slug, day=None):
    return [i.code for i in items(slug, day)]


def parents(slug, day=None):
    """{code: broader code} of a hierarchical classification (None if it has none)."""
    found = {i.code: i.parent_code for i in items(slug, day) if i.parent_code}
    return found or None


def codes(slug, day=None):
    return [i.code for i in items(slug, day)]


def age_bands(slug, day=None):
    """[(lower, upper or None)] of an age-band classification's finest items, in order."""
    found = items(slug, day)
    parents_ = {i.parent_code for i in found if i.parent_code}
    return [(i.lower, i.upper) for i in found if i.code not in parents_ and i.lower is not None]


def with_code_lists(schema, day=None):
    """The schema with each field's ``"codelist"`` turned into its enum (the codes of the
    version in force): validation checks codes against the classification, not a copy."""
    fields = []
    changed = False
    for descriptor in schema.get("fields", []):
        slug = descriptor.get("codelist")
        if slug and exists(slug):
            constraints = {**descriptor.get("constraints", {}), "enum": codes(slug, day)}
            descriptor = {**descriptor, "constraints": constraints}
            changed = True
        fields.append(descriptor)
    return {**schema, "fields": fields} if changed else schema
