"""The rollout overview as a built-in dashboard: plotly figure dicts from the overview rows
and the stage changes. Pure functions, no database; each chart comes with its data table
and a one-sentence summary (the accessible equivalent of the chart)."""

from collections import Counter, defaultdict

from django.utils.translation import gettext as _

from departments.models import DataSource

from .models import STAGE_ORDER, stage_index

# Okabe–Ito, distinguishable with colour vision deficiencies; one colour per stage.
STAGE_COLORS = {
    DataSource.Stage.IDENTIFIED: "#999999",
    DataSource.Stage.VERIFIED: "#E69F00",
    DataSource.Stage.PLAUSIBLE: "#56B4E9",
    DataSource.Stage.LIVE: "#009E73",
}
FONT = {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 13}


def _layout(**extra):
    layout = {
        "separators": ",.",
        "margin": {"l": 10, "r": 10, "t": 40, "b": 40},
        # Above the plot: below it, the legend would collide with the axis title.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "autosize": True,
    }
    layout.update(extra)
    return layout


def stage_by_department(rows):
    """Stacked bars: each department's sources by stage."""
    departments = sorted({row["department"].name for row in rows})
    counts = Counter((row["department"].name, row["stage"]) for row in rows)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": str(stage.label),
            "y": departments,
            "x": [counts[(name, stage)] for name in departments],
            "marker": {"color": STAGE_COLORS[stage]},
            "hovertemplate": "%{y}: %{x} " + _("Datenquellen") + "<extra>%{fullData.name}</extra>",
        }
        for stage in STAGE_ORDER
    ]
    figure = {
        "data": data,
        "layout": _layout(
            barmode="stack",
            xaxis={"title": {"text": _("Datenquellen")}, "dtick": 1},
            yaxis={"automargin": True},
            height=80 + 40 * max(len(departments), 1),
        ),
    }
    table = {
        "caption": _("Datenquellen nach Einführungsstufe und Fachbereich"),
        "row_header": _("Fachbereich"),
        "columns": [str(stage.label) for stage in STAGE_ORDER],
        "rows": [
            {
                "label": name,
                "cells": [{"text": str(counts[(name, stage)])} for stage in STAGE_ORDER],
            }
            for name in departments
        ],
    }
    live = sum(row["stage"] == DataSource.Stage.LIVE for row in rows)
    summary = _(
        "%(live)s von %(total)s Datenquellen in %(departments)s Fachbereichen sind im Betrieb."
    ) % {
        "live": live,
        "total": len(rows),
        "departments": len(departments),
    }
    return {
        "key": "stufen",
        "title": _("Stufen je Fachbereich"),
        "figure": figure,
        "table": table,
        "summary": summary,
    }


def progress_by_source(rows):
    """Horizontal bars: each source's checklist progress, coloured by its stage."""
    ordered = sorted(rows, key=lambda r: (r["progress"], r["source"].name))
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [row["source"].name for row in ordered],
                "x": [row["progress"] for row in ordered],
                "text": [f"{row['progress']} %" for row in ordered],
                "textposition": "auto",
                "marker": {"color": [STAGE_COLORS[row["stage"]] for row in ordered]},
                "customdata": [row["stage_label"] for row in ordered],
                "hovertemplate": "%{y}: %{x} % (%{customdata})<extra></extra>",
                "showlegend": False,
            }
        ],
        "layout": _layout(
            xaxis={"title": {"text": _("Fortschritt der Checkliste in %")}, "range": [0, 100]},
            yaxis={"automargin": True},
            height=80 + 36 * max(len(ordered), 1),
        ),
    }
    table = {
        "caption": _("Fortschritt der Checkliste je Datenquelle"),
        "row_header": _("Datenquelle"),
        "columns": [_("Stufe"), _("Fortschritt"), _("Offen für die nächste Stufe")],
        "rows": [
            {
                "label": row["source"].name,
                "cells": [
                    {"text": str(row["stage_label"])},
                    {"text": f"{row['progress']} %"},
                    {"text": str(len(row["blocking"]))},
                ],
            }
            for row in sorted(rows, key=lambda r: r["source"].name)
        ],
    }
    blocked = sum(bool(row["blocking"]) for row in rows)
    summary = _("Bei %(blocked)s Datenquellen sind Punkte für die nächste Stufe offen.") % {
        "blocked": blocked
    }
    return {
        "key": "fortschritt",
        "title": _("Fortschritt je Datenquelle"),
        "figure": figure,
        "table": table,
        "summary": summary,
    }


def stages_over_time(changes):
    """Step lines: how many sources had reached at least each stage, after every change."""
    events = sorted(changes, key=lambda c: (c.changed_at, c.pk))
    reached = defaultdict(int)
    series = {stage: ([], []) for stage in STAGE_ORDER[1:]}
    for change in events:
        old, new = stage_index(change.from_stage), stage_index(change.to_stage)
        for stage in STAGE_ORDER[1:]:
            index = stage_index(stage)
            if old < index <= new:
                reached[stage] += 1
            elif new < index <= old:
                reached[stage] -= 1
        day = change.changed_at.date().isoformat()
        for stage, (xs, ys) in series.items():
            if xs and xs[-1] == day:
                ys[-1] = reached[stage]
            else:
                xs.append(day)
                ys.append(reached[stage])
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "line": {"shape": "hv", "color": STAGE_COLORS[stage]},
                "name": _("mindestens „%(stage)s“") % {"stage": stage.label},
                "x": xs,
                "y": ys,
            }
            for stage, (xs, ys) in series.items()
        ],
        "layout": _layout(
            margin={"l": 60, "r": 10, "t": 40, "b": 40},
            yaxis={"title": {"text": _("Datenquellen")}, "rangemode": "tozero", "dtick": 1},
            xaxis={"type": "date"},
            height=360,
        ),
    }
    days = series[STAGE_ORDER[1]][0]
    table = {
        "caption": _("Datenquellen, die eine Stufe mindestens erreicht haben, nach Datum"),
        "row_header": _("Datum"),
        "columns": [str(stage.label) for stage in STAGE_ORDER[1:]],
        "rows": [
            {
                "label": day,
                "cells": [{"text": str(series[stage][1][i])} for stage in STAGE_ORDER[1:]],
            }
            for i, day in enumerate(days)
        ],
    }
    summary = (
        _("Erster Stufenwechsel am %(first)s, letzter am %(last)s.")
        % {"first": days[0], "last": days[-1]}
        if days
        else _("Noch keine Stufenwechsel.")
    )
    return {
        "key": "zeitleiste",
        "title": _("Stufenwechsel über die Zeit"),
        "figure": figure,
        "table": table,
        "summary": summary,
    }


def key_figures(rows):
    departments = {row["department"].pk for row in rows}
    live_departments = {
        row["department"].pk for row in rows if row["stage"] == DataSource.Stage.LIVE
    }
    return [
        {
            "label": _("Datenquellen im Betrieb"),
            "value": f"{sum(row['stage'] == DataSource.Stage.LIVE for row in rows)} / {len(rows)}",
        },
        {
            "label": _("Fachbereiche mit Datenquelle im Betrieb"),
            "value": f"{len(live_departments)} / {len(departments)}",
        },
        {"label": _("Überfällige Lieferungen"), "value": str(sum(row["overdue"] for row in rows))},
        {
            "label": _("Mittlerer Fortschritt der Checklisten"),
            "value": f"{round(sum(r['progress'] for r in rows) / len(rows)) if rows else 0} %",
        },
    ]


def rollout_charts(rows, changes):
    return {
        "key_figures": key_figures(rows),
        "charts": [stage_by_department(rows), progress_by_source(rows), stages_over_time(changes)],
    }
