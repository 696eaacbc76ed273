"""Charts drawn on the server as SVG, from a ``trends.Trend``: no script, no CDN, nothing inline that
a Content-Security-Policy would refuse (colours are SVG presentation attributes).

Each SVG has a fixed viewBox and scales with its container's width; it is an image to assistive
technology (``role="img"``, named by its title and the figure's caption), whose numbers are in the
table that follows it.
"""

import math

from django.utils.html import format_html, format_html_join

# The theme's teal, dark teal and ink, an amber and a red: each at least 4.5:1 against white.
PALETTE = ("#0b6e69", "#084f4b", "#1d2a3a", "#9a6700", "#b02a37")
INK = "#1d2a3a"
MUTED = "#525d69"
GRID = "#d5dae0"
# Narrow enough that the labels stay readable on a phone, where the chart fills the screen's width.
WIDTH = 440
FONT = 14


def render(trend):
    return {"months": month_columns, "bars": horizontal_bars, "stacked": horizontal_bars}[trend.chart](trend)


def colour(n):
    return PALETTE[n % len(PALETTE)]


def scale(top, whole=True):
    """The axis' end and step: 1, 2 or 5 times a power of ten, about four steps up to ``top``."""
    if not top or top <= 0:
        return 1, 1
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(1, round(step))
    return math.ceil(top / step) * step, step


def _n(number):
    """A coordinate: one decimal is finer than any screen."""
    return f"{number:.1f}".removesuffix(".0")


def _svg(trend, height, parts):
    return format_html(
        '<svg class="w-100 h-auto mc-chart-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-caption" '
        'xmlns="http://www.w3.org/2000/svg" font-size="{}" fill="{}"><title id="{}-title">{}</title>{}</svg>',
        WIDTH,
        height,
        trend.dom_id,
        trend.dom_id,
        FONT,
        INK,
        trend.dom_id,
        trend.title,
        format_html_join("", "{}", ((part,) for part in parts)),  # each part made by format_html
    )


def _rect(x, y, width, height, fill, tooltip):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        _n(x),
        _n(y),
        _n(width),
        _n(height),
        fill,
        tooltip,
    )


def _text(x, y, text, anchor="start", fill=INK, size=FONT):
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" fill="{}" font-size="{}">{}</text>',
        _n(x),
        _n(y),
        anchor,
        fill,
        size,
        text,
    )


def month_columns(trend):
    """Grouped columns, one group per month (the rows), one column per drawn series."""
    left, right, top, bottom, height = 34, 4, 10, 40, 250
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    highest = max((row[i] or 0 for row in trend.rows for i in trend.drawn), default=0)
    end, step = scale(highest)
    parts = []
    for tick in range(0, end + 1, step):
        y = top + plot_h - plot_h * tick / end
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                left,
                WIDTH - right,
                _n(y),
                _n(y),
                GRID if tick else MUTED,
            )
        )
        parts.append(_text(left - 6, y + 4, tick, anchor="end", fill=MUTED))
    group = plot_w / max(len(trend.rows), 1)
    bar = group * 0.8 / len(trend.drawn)
    for g, row in enumerate(trend.rows):
        x0 = left + g * group + group * 0.1
        for n, i in enumerate(trend.drawn):
            value = row[i] or 0
            if value:
                h = plot_h * value / end
                tooltip = f"{row[0]}, {trend.columns[i]}: {trend.cell(row[i])}"
                parts.append(_rect(x0 + n * bar, top + plot_h - h, bar, h, colour(n), tooltip))
        month, _, year = str(row[0]).partition(" ")
        centre = left + g * group + group / 2
        parts.append(_text(centre, height - bottom + 17, month, anchor="middle"))
        # The year under each January, and under the first month unless a January follows at once.
        following = str(trend.rows[g + 1][0]) if g + 1 < len(trend.rows) else ""
        if month == "Jan" or (g == 0 and not following.startswith("Jan")):
            parts.append(_text(centre, height - bottom + 33, year, anchor="middle", fill=MUTED, size=11))
    return _svg(trend, height, parts)


def horizontal_bars(trend):
    """One row per label: its name above, then a bar per drawn series (``bars``) or one bar of
    stacked segments (``stacked``), with the value written at the bar's end."""
    stacked = trend.chart == "stacked"
    left, value_room, label_h, bar_h, gap = 2, 76, 18, 16, 10
    lanes = 1 if stacked else len(trend.drawn)
    row_h = label_h + lanes * bar_h + gap
    height = 6 + len(trend.rows) * row_h
    totals = [sum(row[i] or 0 for i in trend.drawn) for row in trend.rows]
    highest = max(totals if stacked else [row[i] or 0 for row in trend.rows for i in trend.drawn], default=0)
    length = (WIDTH - left - value_room) / (highest or 1)
    suffix = f" {trend.unit}" if trend.unit else ""
    parts = []
    for r, row in enumerate(trend.rows):
        y = 6 + r * row_h
        parts.append(_text(left, y + 13, row[0]))
        y += label_h
        if stacked:
            x = left
            for n, i in enumerate(trend.drawn):
                value = row[i] or 0
                if value:
                    tooltip = f"{row[0]}, {trend.columns[i]}: {trend.cell(row[i])}"
                    parts.append(_rect(x, y, value * length, bar_h - 2, colour(n), tooltip))
                    x += value * length
            parts.append(_text(x + 6, y + 11, trend.cell(totals[r]) + suffix, fill=MUTED))
            continue
        for n, i in enumerate(trend.drawn):
            value = row[i]
            lane = y + n * bar_h
            end = left
            if value:
                tooltip = f"{row[0]}, {trend.columns[i]}: {trend.cell(value)}"
                parts.append(_rect(left, lane, value * length, bar_h - 2, colour(n), tooltip))
                end += value * length
            label = trend.cell(value) + (suffix if value is not None else "")
            # In its series' colour, so that two bars' values are told apart without the legend.
            parts.append(_text(end + 6, lane + 11, label, fill=colour(n) if lanes > 1 else MUTED))
    return _svg(trend, height, parts)
