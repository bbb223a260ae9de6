"""Reads of the indicator catalogue and its values, for pages, API, dashboards and exports.

Values come from published tables only (PublishedTable, never the sealed database): for a
Stichtag the newest current version of each table, and the result names those versions.
Who may see an indicator: every logged-in person once it is published and its tables are
published; the statistics office also sees drafts.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from bif import roles
from statistics_office.tables.exports import format_value
from statistics_office.tables.models import PublishedTable
from statistics_office.tables.selectors import published_tables_for

from . import formula
from .models import Indicator

TOTAL = "_T"
TIME = "Stichtag"


def is_office(user):
    return roles.has_role(user, roles.STATISTICIAN)


def indicators_for(user):
    """Indicators the user may see (default deny): published ones whose tables are published
    and visible to the user; the statistics office also sees drafts."""
    if not user.is_authenticated:
        return Indicator.objects.none()
    visible = published_tables_for(user).values("definition_id")
    found = Indicator.objects.select_related("numerator", "denominator")
    if is_office(user):
        return found
    return (
        found.filter(status=Indicator.Status.PUBLISHED, numerator_id__in=visible)
        .exclude(denominator__isnull=False, denominator_id__in=_hidden(visible))
        .order_by("name")
    )


def _hidden(visible):
    from statistics_office.tables.models import TableDefinition

    return TableDefinition.objects.exclude(pk__in=visible).values("pk")


def indicator_for(user, slug):
    indicator = indicators_for(user).filter(slug=slug).first()
    if indicator is None:
        raise Http404
    return indicator


# --- Publications and their cells ------------------------------------------------------


def _publications(definition_ids):
    """{definition id: [publication, newest version first]} (current ones only)."""
    found = {}
    rows = PublishedTable.objects.filter(
        definition_id__in=[i for i in definition_ids if i], withdrawn_at=None
    ).order_by("definition_id", "-version")
    for table in rows:
        found.setdefault(table.definition_id, []).append(table)
    return found


def _has_time(table):
    return any(d["name"] == TIME for d in table.dimensions or [])


def _points(tables):
    """{Stichtag (ISO): publication}: a time series table gives every date it holds, other
    tables the newest version per reference date."""
    points = {}
    for table in tables:
        if _has_time(table):
            dim = next(d for d in table.dimensions if d["name"] == TIME)
            for stamp in dim.get("order") or []:
                points.setdefault(stamp, table)
        elif table.reference_date:
            points.setdefault(table.reference_date.isoformat(), table)
    return points


def _slice(table, stamp, area_dimension, fixed):
    """{area code: cell} of one table at one Stichtag, other dimensions at `fixed` or total."""
    wanted = dict(fixed or {})
    for dim in table.dimensions or []:
        name = dim["name"]
        if name == area_dimension or name in wanted:
            continue
        if name == TIME:
            wanted[name] = stamp
        elif TOTAL in (dim.get("order") or []):
            wanted[name] = TOTAL
    found = {}
    for cell in table.cells:
        if all(cell.get(n) == c for n, c in wanted.items()) and area_dimension in cell:
            found[cell[area_dimension]] = cell
    return found


def _labels(table, area_dimension):
    dim = next((d for d in table.dimensions or [] if d["name"] == area_dimension), {})
    order = [c for c in dim.get("order") or [] if c != TOTAL]
    return order, dim.get("labels", {})


def _decimals(table):
    return {"count": 0, "sum": 2, "mean": 1}.get(table.measure, 0)


def stichtage(indicator, found=None):
    """The Stichtage (ISO, oldest first) at which the indicator can be computed."""
    found = found if found is not None else _publications(_ids(indicator))
    dates = set(_points(found.get(indicator.numerator_id, [])))
    if indicator.kind in formula.NEEDS_DENOMINATOR:
        dates &= set(_points(found.get(indicator.denominator_id, [])))
    return sorted(dates)


def _ids(indicator):
    return [indicator.numerator_id, indicator.denominator_id]


def evaluate(indicator, stichtag=None, *, found=None):
    """The indicator for every area at a Stichtag (default the newest): value, base values,
    rank, difference to the city, change since the previous Stichtag, and the table
    versions read. None if no Stichtag has all the tables it needs."""
    found = found if found is not None else _publications(_ids(indicator))
    dates = stichtage(indicator, found)
    if stichtag not in dates:
        stichtag = dates[-1] if dates and stichtag is None else None
    if stichtag is None:
        return None
    previous = next((d for d in reversed(dates) if d < stichtag), None)
    if indicator.kind in ("change", "change_pct") and previous is None:
        return None
    current = _at(indicator, found, stichtag, previous)
    before = None
    if previous is not None:
        earlier = next((d for d in reversed(dates) if d < previous), None)
        if indicator.kind not in ("change", "change_pct") or earlier:
            before = _at(indicator, found, previous, earlier)
    rank = formula.ranks({a["code"]: a["cell"] for a in current["areas"]})
    city = current["city"]
    places = indicator.decimals
    for area in current["areas"]:
        area["rank"] = rank.get(area["code"])
        area["to_city"] = formula.difference(area["cell"], city and city["cell"], decimals=places)
        old = before and next((b for b in before["areas"] if b["code"] == area["code"]), None)
        area["change"] = formula.difference(area["cell"], old and old["cell"], decimals=places)
        area["to_city_text"] = _signed(area["to_city"], places)
        area["change_text"] = _signed(area["change"], places)
    if city:
        city["change"] = formula.difference(
            city["cell"], before and before["city"] and before["city"]["cell"], decimals=places
        )
        city["change_text"] = _signed(city["change"], places)
    return {
        **current,
        "stichtag": stichtag,
        "stichtag_text": _date(stichtag),
        "previous": previous,
        "previous_text": _date(previous) if previous else "",
        "ranked": len(rank),
        "stichtage": dates,
    }


def _at(indicator, found, stamp, previous):
    num_table = _points(found.get(indicator.numerator_id, []))[stamp]
    if indicator.kind in ("change", "change_pct"):
        den_table, den_stamp = _points(found.get(indicator.numerator_id, []))[previous], previous
        den_filter = indicator.numerator_filter
    elif indicator.kind in formula.NEEDS_DENOMINATOR:
        den_table, den_stamp = _points(found.get(indicator.denominator_id, []))[stamp], stamp
        den_filter = indicator.denominator_filter
    else:
        den_table = den_stamp = den_filter = None
    area = indicator.area_dimension
    top = _slice(num_table, stamp, area, indicator.numerator_filter)
    bottom = _slice(den_table, den_stamp, area, den_filter) if den_table else {}
    order, labels = _labels(num_table, area)
    num_places = _decimals(num_table)
    den_places = _decimals(den_table) if den_table else 0

    def one(code, name):
        cell = formula.compute(
            indicator.kind, top.get(code), bottom.get(code), decimals=indicator.decimals
        ).as_cell()
        return {
            "code": code,
            "label": name,
            "cell": cell,
            "text": format_value(cell, indicator.decimals),
            "numerator": format_value(top.get(code), num_places) if code in top else "…",
            "denominator": (
                (format_value(bottom.get(code), den_places) if code in bottom else "…")
                if den_table
                else ""
            ),
            "flag": cell["flag"],
        }

    areas = [one(code, labels.get(code, code)) for code in order]
    city = one(TOTAL, _("Stadt insgesamt")) if TOTAL in top else None
    tables = [num_table, *([den_table] if den_table and den_table.pk != num_table.pk else [])]
    return {
        "areas": areas,
        "city": city,
        "tables": [
            {
                "slug": t.definition.slug,
                "title": t.title,
                "version": t.version,
                "reference_date": t.reference_date,
                "sources": t.sources_label,
                "url": t.get_absolute_url(),
            }
            for t in tables
        ],
        "secret": sum(1 for a in areas if a["flag"] in ("secret", "origin")),
    }


def _date(iso):
    year, month, day = iso[:10].split("-")
    return f"{day}.{month}.{year}"


def _signed(value, places):
    if value is None:
        return ""
    from django.utils import formats

    text = formats.number_format(abs(value), decimal_pos=places, use_l10n=True, force_grouping=True)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


# --- Definitions beside figures ----------------------------------------------------------


def formula_of(indicator):
    return formula.formula_text(
        indicator.kind, indicator.numerator_label, indicator.denominator_label
    )


def source_of(indicator, found=None):
    if indicator.source:
        return indicator.source
    found = found if found is not None else _publications(_ids(indicator))
    labels = []
    for definition_id in _ids(indicator):
        tables = found.get(definition_id) or []
        if tables and tables[0].sources_label not in labels:
            labels.append(tables[0].sources_label)
    return "; ".join(labels)


def definition_of(indicator, found=None):
    """What the page and the exports show beside a figure: a plain dict."""
    return {
        "name": indicator.name,
        "slug": indicator.slug,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "formula": formula_of(indicator),
        "numerator": indicator.numerator_label,
        "denominator": indicator.denominator_label,
        "source": source_of(indicator, found),
        "contact": indicator.contact,
        "legal_basis": indicator.legal_basis,
        "footnotes": indicator.footnotes,
        "version": indicator.version,
        "url": indicator.get_absolute_url(),
    }


def definition_lines(definition):
    """The definition as lines of text, for CSV and XLSX exports."""
    lines = [
        _("Indikator: %(name)s (%(unit)s)")
        % {"name": definition["name"], "unit": definition["unit"]},
        _("Definition: %(text)s") % {"text": definition["definition"]},
        _("Berechnung: %(formula)s") % {"formula": definition["formula"]},
    ]
    if definition["source"]:
        lines.append(_("Quelle des Indikators: %(source)s") % {"source": definition["source"]})
    if definition["legal_basis"]:
        lines.append(_("Rechtsgrundlage: %(text)s") % {"text": definition["legal_basis"]})
    if definition["contact"]:
        lines.append(_("Ansprechpartner: %(text)s") % {"text": definition["contact"]})
    if definition["footnotes"]:
        lines.append(_("Fußnoten: %(text)s") % {"text": definition["footnotes"]})
    return lines


def definitions_for_tables(table_id, compare_table_id=None):
    """The published indicators a figure on these tables shows: the ratio of exactly the
    two tables first, then every indicator on the figure's own table alone."""
    found = list(
        Indicator.objects.filter(status=Indicator.Status.PUBLISHED, numerator_id=table_id)
        .select_related("numerator", "denominator")
        .order_by("name")
    )
    pair = [i for i in found if compare_table_id and i.denominator_id == compare_table_id]
    alone = [i for i in found if i.kind in ("value", "change", "change_pct")]
    chosen = pair + [i for i in alone if i not in pair]
    return [definition_of(i) for i in chosen]


def catalogue_stamp():
    """Changes whenever the catalogue changes: part of the dashboards' page cache key."""
    from django.db.models import Count, Max

    found = Indicator.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{found['n']}-{found['last'].isoformat() if found['last'] else ''}"


# --- Comparison: a district against the city ---------------------------------------------


def legend(result):
    """The signs an indicator's values carry, with their meaning (always the secret sign)."""
    from statistics_office.tables.exports import origin_sign, secret_sign
    from statistics_office.tables.signs import LEGEND

    lines = [_("Zeichenerklärung:"), f"{secret_sign()} = {LEGEND['.']}"]
    cells = [a["cell"] for a in (result or {}).get("areas", [])]
    present = {c.get("origin_status") for c in cells if c.get("flag") == "origin"}
    for code in ("x", "/", "..."):
        if code in present:
            lines.append(f"{origin_sign(code)} = {LEGEND[code]}")
    lines.append(f"– = {LEGEND['-']}")
    lines.append(
        _(
            "Ein Indikator wird nur aus geschützten veröffentlichten Werten berechnet; ist "
            "Zähler oder Nenner gesperrt, ist es der Indikator auch."
        )
    )
    return lines


def _area_indicators(user, area_dimension="Stadtteil"):
    return [i for i in indicators_for(user) if i.area_dimension == area_dimension]


def profile_areas(indicators, area_dimension="Stadtteil"):
    """[(code, label)] of the areas a district profile exists for (from the tables' own
    labels, one query)."""
    ids = {i.numerator_id for i in indicators if i.area_dimension == area_dimension}
    best = []
    for table in PublishedTable.objects.filter(definition_id__in=ids, withdrawn_at=None).only(
        "dimensions"
    ):
        order, labels = _labels(table, area_dimension)
        if len(order) > len(best):  # the table that knows most areas names them
            best = [(code, labels.get(code, code)) for code in order]
    return best


def district_profile(user, code, area_dimension="Stadtteil"):
    """Every visible indicator of one area beside the city's value: value, base values,
    rank, difference to the city, change since the previous Stichtag. None if the area is
    in none of them."""
    indicators = _area_indicators(user, area_dimension)
    found = _publications({i for ind in indicators for i in _ids(ind)})
    rows, label = [], None
    for indicator in indicators:
        result = evaluate(indicator, found=found)
        if result is None:
            continue
        area = next((a for a in result["areas"] if a["code"] == code), None)
        if area is None:
            continue
        label = label or area["label"]
        rows.append(
            {
                "indicator": indicator,
                "definition": definition_of(indicator, found),
                "area": area,
                "city": result["city"],
                "ranked": result["ranked"],
                "stichtag_text": result["stichtag_text"],
                "previous_text": result["previous_text"],
                "tables": result["tables"],
            }
        )
    if not rows:
        return None
    return {
        "code": code,
        "label": label,
        "area_dimension": area_dimension,
        "rows": rows,
        "areas": profile_areas(indicators, area_dimension),
        "legend": legend({"areas": [r["area"] for r in rows]}),
    }


def reference_for(main, compare_table_id=None):
    """The city's value as a data field for a chart builder (`reference`): the published
    total of the figure's own table at its Stichtag (a reference column or line in the
    figure's unit), and the city value of a published rate on exactly the figure's two
    tables, if there is one. None if the table has no total or it carries a sign."""
    totals = [
        c
        for c in main.get("cells", [])
        if all(
            c.get(d["name"]) == TOTAL
            for d in main.get("dimensions", [])
            if d["name"] != TIME and TOTAL in (d.get("order") or [])
        )
    ]
    if not totals:
        return None
    stamps = sorted({c.get(TIME) for c in totals if c.get(TIME)})
    total = next((c for c in totals if not stamps or c.get(TIME) == stamps[-1]), None)
    value = formula.plain(total)
    if value is None:
        return None
    found = {
        "value": value,
        "text": format_value(total, _decimals_of(main.get("measure"))),
        "label": _("Stadt insgesamt"),
    }
    rate = (
        Indicator.objects.filter(
            status=Indicator.Status.PUBLISHED,
            numerator_id=main.get("definition_id"),
            denominator_id=compare_table_id,
            kind__in=list(formula.SCALES),
        ).first()
        if compare_table_id
        else None
    )
    result = evaluate(rate) if rate else None
    if result and result["city"] and formula.plain(result["city"]["cell"]) is not None:
        found["indicator"] = {
            "name": rate.name,
            "unit": rate.unit,
            "value": formula.plain(result["city"]["cell"]),
            "text": result["city"]["text"],
        }
    return found


def _decimals_of(measure):
    return {"count": 0, "sum": 2, "mean": 1}.get(measure, 0)
