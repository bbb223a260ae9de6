"""What makes a figure accessible and citable: its data table, a summary in words, notes
on secret cells and method, and the source footer. Pure functions on published cells.
"""

from django.utils.translation import gettext as _

from statistics_office.tables.exports import ZERO_SIGN, legend, method_text, secret_sign

from .cells import KIND_LABELS, TIME, decimals, is_secret, number, plotted, shown

# --- Accessible companions ---------------------------------------------------------------


def _date(iso):
    if not iso:
        return "…"
    iso = str(iso)
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}" if len(iso) >= 10 else iso


def _table_cell(cell, table):
    return {
        "text": shown(cell, table),
        "flag": (cell or {}).get("flag", "") if cell else "",
        "value": plotted(cell) if cell is not None and not is_secret(cell) else None,
    }


def _data_table(main, f, spec):
    columns = [name for name, _cells in f["series"]]
    rows = []
    for i, (code, lbl) in enumerate(zip(f["x_codes"], f["x_labels"], strict=True)):
        cells = [_table_cell(cells[i], main) for _name, cells in f["series"]]
        rows.append({"label": lbl, "code": code, "cells": cells})
    return {
        "caption": spec.get("title") or main.get("title", ""),
        "row_header": f["x"],
        "columns": columns,
        "rows": rows,
    }


def _summary(main, f, spec, secret_count):
    parts = [f"{KIND_LABELS.get(spec['kind'], '')}: {spec.get('title') or main.get('title')}."]
    by = f["x"] + (f" und {f['series_dim']}" if f["series_dim"] else "")
    if f["x"] == TIME:
        dates = f["x_codes"]
        when = _("%(first)s bis %(last)s") % {
            "first": _date(dates[0] if dates else ""),
            "last": _date(dates[-1] if dates else ""),
        }
        parts.append(
            _("%(measure)s nach %(by)s, %(when)s.")
            % {"measure": main.get("measure_label", ""), "by": by, "when": when}
        )
    else:
        parts.append(
            _("%(measure)s nach %(by)s, Stichtag %(date)s.")
            % {
                "measure": main.get("measure_label", ""),
                "by": by,
                "date": _date(f["fixed"].get(TIME) or main.get("reference_date")),
            }
        )
    if len(f["series"]) == 1:
        parts += _findings(main, f, f["series"][0][1], share=spec["kind"] in ("pie", "donut"))
    else:
        parts.append(
            _("%(n)s Reihen: %(names)s.")
            % {
                "n": len(f["series"]),
                "names": ", ".join(name for name, _c in f["series"]),
            }
        )
        for name, cells in f["series"]:
            parts += [f"{name}: {text}" for text in _findings(main, f, cells)]
    if secret_count:
        parts.append(
            _("%(n)s Werte geheim gehalten (%(sign)s).")
            % {"n": secret_count, "sign": secret_sign()}
        )
    return " ".join(parts)


def _findings(main, f, cells, *, share=False):
    """The main finding of one series in words: its highest and lowest value, and for a
    time series the change from the first to the last date."""
    time = f["x"] == TIME
    names = [_date(code) for code in f["x_codes"]] if time else f["x_labels"]
    values = [
        (plotted(c), lbl, c) for lbl, c in zip(names, cells, strict=True) if plotted(c) is not None
    ]
    if len(values) == 1:
        return [
            _("Einziger ausgewiesener Wert: %(label)s (%(value)s).")
            % {"label": values[0][1], "value": shown(values[0][2], main)}
        ]
    if not values:
        if any(c is not None for c in cells):
            return [_("Kein Wert ausweisbar: alle Felder sind geheim zu halten oder gesperrt.")]
        return []
    if time:
        first, last = values[0], values[-1]
        change = last[0] - first[0]
        pct = f" ({'+' if change >= 0 else ''}{number(100 * change / first[0], 1)} %)"
        return [
            _("Von %(first)s (%(fv)s) bis %(last)s (%(lv)s): %(change)s%(pct)s.")
            % {
                "first": first[1],
                "fv": shown(first[2], main),
                "last": last[1],
                "lv": shown(last[2], main),
                "change": ("+" if change >= 0 else "") + number(change, decimals(main)),
                "pct": pct if first[0] else "",
            }
        ]
    high = max(values, key=lambda v: v[0])
    low = min(values, key=lambda v: v[0])
    if high[0] == low[0]:
        return [_("Überall derselbe Wert: %(value)s.") % {"value": shown(high[2], main)}]
    total = sum(v[0] for v in values)
    if share and total > 0:
        return [
            _("Größter Anteil: %(high)s (%(hs)s %%), kleinster: %(low)s (%(ls)s %%).")
            % {
                "high": high[1],
                "hs": number(100 * high[0] / total, 1),
                "low": low[1],
                "ls": number(100 * low[0] / total, 1),
            }
        ]
    return [
        _("Höchster Wert: %(high)s (%(hv)s), niedrigster: %(low)s (%(lv)s).")
        % {"high": high[1], "hv": shown(high[2], main), "low": low[1], "lv": shown(low[2], main)}
    ]


def _notes(tables, spec, secret_count):
    notes = []
    perturbed = any(t.get("method") == "cellkey" for t in tables)
    if secret_count:
        zero = (
            _("„%(zero)s“ bedeutet null nach Überlagerung.")
            if perturbed
            else _("„%(zero)s“ bedeutet genau null.")
        ) % {"zero": ZERO_SIGN}
        notes.append(
            _(
                "%(n)s Felder sind geheim zu halten (Zeichen „%(sign)s“). Sie fehlen in der "
                "Grafik und werden nicht als Null dargestellt; %(zero)s"
            )
            % {"n": secret_count, "sign": secret_sign(), "zero": zero}
        )
    for method in dict.fromkeys(t.get("method", "") for t in tables):
        params = next(t.get("parameters") for t in tables if t.get("method") == method)
        notes.append(method_text(method, params))
    if spec.get("note"):
        notes.append(spec["note"])
    return notes


def _footer(tables):
    lines = []
    for t in tables:
        lines.append(
            _("Quelle: %(source)s; %(title)s, Stichtag %(date)s; Statistikstelle, Version %(v)s")
            % {
                "source": t.get("sources_label", ""),
                "title": t.get("title", ""),
                "date": _date(t.get("reference_date")),
                "v": t.get("version", ""),
            }
        )
        if t.get("gebietsstand"):
            lines.append(_("Gebietsstand: %(date)s") % {"date": _date(t["gebietsstand"])})
        if t.get("area_note"):
            lines.append(t["area_note"])
    return lines


def _signs(tables):
    """The legend of signs (Zeichenerklärung) of the tables a figure draws."""
    lines = {}
    for t in tables:
        for line in legend(t.get("method"), t.get("parameters"), t.get("cells")):
            if not line.rstrip().endswith(":"):  # the legend's own heading
                lines.setdefault(line, None)
    return list(lines)
