"""Charts for the overview report, drawn with Matplotlib as SVG with real text, readable
without colour: every series has its own hatching or marker and line style, and values are
written on the bars. Each chart sits beside its table, never instead of it."""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any

from caselearn.reports.tables import Table

HATCHES = ("", "///", "...", "xx", "\\\\", "++")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (3, 1)), (0, (1, 2)))
GREYS = ("#1f3a5f", "#8fa9c7", "#ffffff", "#4d6d8f", "#c9d6e3", "#2f2f2f")


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, scalable, read by screen readers
            "font.size": 10,
            "font.family": "DejaVu Sans",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def chart_svg(table: Table) -> str | None:
    """An SVG chart for a table, or None when the table has nothing to draw."""
    return _chart(table.name, tuple(table.columns), _freeze(table.rows), table.chart)


def _freeze(rows: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(r) for r in rows)


@lru_cache(maxsize=256)
def _chart(
    name: str, columns: tuple[str, ...], rows: tuple[tuple[Any, ...], ...], kind: str
) -> str | None:
    data_rows = [r for r in rows if r and r[0] != "Total"]
    if kind == "none" or not data_rows:
        return None
    if name == "notifications_by_year":
        series = [(c, [r[i] for r in data_rows]) for i, c in enumerate(columns) if i > 0]
        return _lines(name, [str(r[0]) for r in data_rows], series, "notifications")
    if name == "family_factors":
        percent_columns = [i for i, c in enumerate(columns) if c.endswith("%")]
        periods = [columns[i].removesuffix(" %") for i in percent_columns]
        if len(periods) > 1:
            series = [(str(r[0]), [r[i] for i in percent_columns]) for r in data_rows]
            return _lines(name, periods, series, "% of reviews")
        return _bars(
            name,
            [str(r[0]) for r in data_rows],
            [(periods[0], [r[percent_columns[0]] for r in data_rows])],
            "% of reviews",
        )
    if name == "dissemination":
        # People reached is on another scale from sharings: it stays in the table.
        return _bars(
            name,
            [str(r[0]) for r in data_rows],
            [("sharings", [r[1] for r in data_rows])],
            "sharings",
        )
    if name == "themes":
        top = data_rows[:12]
        return _bars(name, [str(r[0]) for r in top], [("reviews", [r[1] for r in top])], "reviews")
    value_columns = [
        i
        for i, c in enumerate(columns)
        if i > 0
        and not c.endswith("%")
        and c != "Total"
        and all(isinstance(r[i], int | float) for r in data_rows)
    ]
    if not value_columns:
        return None
    shown = [r for r in data_rows if any(r[i] for i in value_columns)]
    if not shown:
        return None
    series = [(columns[i], [r[i] for r in shown]) for i in value_columns[:6]]
    return _bars(name, [str(r[0]) for r in shown], series, "count")


def _bars(name: str, categories: list[str], series: list[tuple[str, list[Any]]], unit: str) -> str:
    plt = _pyplot()
    n = len(categories)
    height = max(1.6, 0.32 * n * max(1, len(series)) + 0.8)
    fig, ax = plt.subplots(figsize=(7.2, height))
    bar = 0.8 / len(series)
    for s, (label, values) in enumerate(series):
        positions = [i + s * bar for i in range(n)]
        bars = ax.barh(
            positions,
            values,
            height=bar,
            label=label,
            color=GREYS[s % len(GREYS)],
            edgecolor="#1b1b1b",
            hatch=HATCHES[s % len(HATCHES)],
            linewidth=0.6,
        )
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=8)
    ax.set_yticks(
        [i + bar * (len(series) - 1) / 2 for i in range(n)], [_wrap(c) for c in categories]
    )
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    if len(series) > 1:
        ax.legend(frameon=False, loc="lower right")
    return _svg(fig, name)


def _lines(name: str, x: list[str], series: list[tuple[str, list[Any]]], unit: str) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 3.4))
    for s, (label, values) in enumerate(series):
        ax.plot(
            x,
            values,
            label=label,
            color="#1b1b1b" if s % 2 == 0 else "#4d6d8f",
            marker=MARKERS[s % len(MARKERS)],
            linestyle=LINESTYLES[s % len(LINESTYLES)],
            linewidth=1.4,
        )
    ax.set_ylabel(unit)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _svg(fig, name)


def _wrap(label: str, width: int = 28) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3])


def _svg(fig, name: str) -> str:  # type: ignore[no-untyped-def]
    plt = _pyplot()
    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # Unique ids per chart: several charts share one HTML page.
    svg = re.sub(r'id="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', svg)
    return svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1)
