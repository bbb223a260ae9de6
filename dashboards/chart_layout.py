"""Layout rules that keep every chart free of faults: wrapped labels instead of cut ones,
legends clear of the axes, German numbers and the real Stichtag on time axes, hidden
(secret or blocked) values marked in the chart and counted in a note, a reference line.

Pure functions on the plotly dicts the builders in figures.py make.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .cells import is_secret, plotted, shown
from .figure_texts import _date

# A tick label longer than this is wrapped at spaces and hyphens (plotly never wraps).
WRAP_AT = 12
# Up to this many categories wrap their labels; more stand upright (a label turned by
# 30° runs into its neighbours).
WRAP_UP_TO = 6
# More dates than this on a time axis: every n-th gets a tick (all stay in the hover).
MAX_TIME_TICKS = 8
# German numbers on every axis: d3's "," groups thousands, the figure's `separators`
# (",.") turn the signs around; "~" drops trailing zeros.
NUMBER_TICKS = ",~r"


def wrap(text, width=WRAP_AT):
    """A label broken into lines of about `width` characters (plotly's `<br>`)."""
    text = str(text)
    if len(text) <= width:
        return text
    words = text.replace("-", "-\u200b").replace("/", "/\u200b").split()
    pieces = [p for word in words for p in word.split("\u200b")]
    lines, line = [], ""
    for piece in pieces:
        joiner = "" if line.endswith(("-", "/")) or not line else " "
        if line and len(line) + len(joiner) + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line += joiner + piece
    lines.append(line)
    return "<br>".join(lines)


def category_axis(title, labels):
    """An x axis of categories whose labels wrap (few categories) or turn (many) and whose
    margin grows to fit them: never cut, never on top of each other."""
    labels = list(labels)
    many = len(labels) > WRAP_UP_TO
    return {
        "title": {"text": title, "standoff": 8},
        "type": "category",
        "automargin": True,
        "tickmode": "array",
        "tickvals": list(labels),
        "ticktext": labels if many else [wrap(lbl) for lbl in labels],
        "tickangle": -90 if many else 0,
    }


def time_axis(title, dates):
    """A date axis whose ticks are the data's own Stichtage (31.12.2025, not 01.01.)."""
    step = max(1, -(-len(dates) // MAX_TIME_TICKS))
    shown_dates = list(dates)[::-1][::step][::-1]  # always the newest date
    return {
        "title": {"text": title, "standoff": 8},
        "type": "date",
        "automargin": True,
        "tickmode": "array",
        "tickvals": shown_dates,
        "ticktext": [_date(d) for d in shown_dates],
        "hoverformat": "%d.%m.%Y",
        "tickangle": 0,
    }


def value_axis(title, *, from_zero):
    """The value axis: bars start at 0, lines are scaled to their data."""
    return {
        "title": {"text": title, "standoff": 8},
        "automargin": True,
        "rangemode": "tozero" if from_zero else "normal",
        "tickformat": NUMBER_TICKS,
        "separatethousands": True,
        "exponentformat": "none",
    }


def legend_above():
    """A legend above the plot: it never covers an axis, its title or its labels."""
    return {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": 1.02,
        "yanchor": "bottom",
        "yref": "paper",
    }


# --- Hidden values -----------------------------------------------------------------------


def hidden(cell):
    """A cell with no number to draw that is not simply absent: secret or blocked."""
    return cell is not None and plotted(cell) is None


def hidden_marks(f, table, x, tops=None):
    """An annotation with the sign at each category that has hidden values, placed on top
    of what is drawn there (`tops`: {x: height}) so it is never behind a bar; without
    `tops` (a line chart) at the foot of the plot."""
    marks = {}
    for name, cells in f["series"]:
        for j, cell in enumerate(cells):
            if not hidden(cell):
                continue
            key = x[j]
            mark = marks.setdefault(
                key,
                {
                    "x": key,
                    "y": (tops.get(key) or 0) if tops is not None else 0,
                    "xref": "x",
                    "yref": "y" if tops is not None else "paper",
                    "text": shown(cell, table),
                    "showarrow": False,
                    "yanchor": "bottom",
                    "font": {"size": 18, "color": "#1b1f24"},
                    "hovertext": "",
                    "names": [],
                },
            )
            mark["names"].append(f"{name}: {shown(cell, table)}" if name else shown(cell, table))
    for mark in marks.values():
        mark["hovertext"] = "; ".join(mark.pop("names"))
    return list(marks.values())


def hidden_count(f):
    return sum(1 for _name, cells in f["series"] for c in cells if hidden(c))


def hidden_note(f, table):
    """The in-chart note under the title: "3 Werte geheim gehalten (.)"."""
    secret = sum(1 for _name, cells in f["series"] for c in cells if is_secret(c))
    blocked = hidden_count(f) - secret
    parts = []
    if secret:
        sign = next(shown(c, table) for _n, cells in f["series"] for c in cells if is_secret(c))
        parts.append(
            ngettext(
                "%(n)s Wert geheim gehalten (%(sign)s)",
                "%(n)s Werte geheim gehalten (%(sign)s)",
                secret,
            )
            % {"n": secret, "sign": sign}
        )
    if blocked:
        parts.append(
            ngettext(
                "%(n)s Wert nicht ausgewiesen",
                "%(n)s Werte nicht ausgewiesen",
                blocked,
            )
            % {"n": blocked}
        )
    return "; ".join(parts)


def legend_with_note(note):
    """The legend above the plot, headed by the note on hidden values: the note is part of
    the legend box, so it can neither cover the plot nor run into the legend's entries."""
    legend = legend_above()
    if note:
        legend["title"] = {"text": note, "side": "top", "font": {"size": 12}}
    return legend


# --- Reference (city) value -----------------------------------------------------------------


ADDITIVE_MEASURES = ("count", "sum")


def reference_of(spec, table):
    """The reference value a widget carries ({"value": n, "label": text}), or None.

    A comparison (the city's value beside its districts) passes it in the spec or in the
    table's data as `reference`: a number or a dict with `value` and `label`."""
    found = spec.get("reference")
    if found is None:
        found = table.get("reference")
        # The city's total of a count or a sum is no yardstick for its parts (a line at the
        # city's 90,000 residents squashes the bars of its districts); only a mean compares.
        if found is not None and table.get("measure", "count") in ADDITIVE_MEASURES:
            return None
    if found is None:
        return None
    if not isinstance(found, dict):
        found = {"value": found}
    if found.get("value") is None:
        return None
    return {"value": found["value"], "label": found.get("label") or _("Stadt insgesamt")}


def reference_line(reference, text):
    """A dashed horizontal line across the plot and its label at the right end."""
    shape = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": reference["value"],
        "y1": reference["value"],
        "line": {"color": "#1b1f24", "width": 2, "dash": "dash"},
    }
    label = {
        "text": f"{reference['label']}: {text}",
        "xref": "paper",
        "x": 1,
        "xanchor": "right",
        "yref": "y",
        "y": reference["value"],
        "yanchor": "bottom",
        "showarrow": False,
        "bgcolor": "rgba(255,255,255,0.85)",
        "font": {"size": 12, "color": "#1b1f24"},
    }
    return shape, label
