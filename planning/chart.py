"""Planned vs actual per mailbox provider as server-rendered SVG (no JavaScript): a log scale, because a
warm-up grows by a factor a day. Only numbers and dates go into the markup, in the reader's language (month
names, digit grouping). MISSION: DLV-1."""

import math
from datetime import timedelta

from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 560, 180, 52, 10, 10, 24


def provider_chart(row, start, end, today) -> str:
    planned = [(start + timedelta(days=i), volume) for i, volume in enumerate(row.state.ideal)]
    actual = [(step.day, step.sent) for step in row.state.steps if step.sent > 0]
    held = [(step.day, step.sent) for step in row.state.steps if step.decision != "advance" and step.sent > 0]
    values = [v for _d, v in planned + actual] or [1]
    low, high = math.log10(max(1, min(values))), math.log10(max(values) * 1.1)
    span_days = max(1, (end - start).days)

    def x(day) -> str:
        return f"{PAD_L + (W - PAD_L - PAD_R) * (day - start).days / span_days:.1f}"

    def y(value) -> str:
        if high <= low:
            return f"{H / 2:.1f}"
        return f"{PAD_T + (H - PAD_T - PAD_B) * (1 - (math.log10(max(value, 1)) - low) / (high - low)):.1f}"

    def path(points):
        return " ".join(f"{'M' if i == 0 else 'L'}{x(d)},{y(v)}" for i, (d, v) in enumerate(points))

    ticks = []
    for exponent in range(int(math.floor(low)), int(math.ceil(high)) + 1):
        value = 10**exponent
        if low <= math.log10(value) <= high:
            ticks.append((y(value), f"{float(y(value)) + 4:.1f}", number_format(value, force_grouping=True)))
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="tick">{}</text>',
        ((PAD_L, W - PAD_R, ty, ty, PAD_L - 4, ty_text, label) for ty, ty_text, label in ticks),
    )
    dots = format_html_join(
        "", '<circle cx="{}" cy="{}" r="3" class="actual"><title>{}: {}</title></circle>',
        ((x(d), y(v), date_format(d, "j M Y"), number_format(v, force_grouping=True)) for d, v in actual),
    )  # fmt: skip
    holds = format_html_join(
        "", '<circle cx="{}" cy="{}" r="5" class="held"><title>{}</title></circle>',
        ((x(d), y(v), date_format(d, "j M Y")) for d, v in held),
    )  # fmt: skip
    today_line = ""
    if start <= today <= end:
        today_line = format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="today"/>', x(today), x(today), PAD_T, H - PAD_B
        )
    return format_html(
        '<svg viewBox="0 0 {} {}" class="warmup-chart" role="img" aria-label="{}">{}'
        '<path d="{}" class="planned"/><path d="{}" class="actual"/>{}{}{}'
        '<text x="{}" y="{}" class="tick">{}</text><text x="{}" y="{}" class="tick end">{}</text></svg>',
        W, H, row.name, grid, path(planned), path(actual), dots, holds, today_line,
        PAD_L, H - 6, date_format(start, "j M"), W - PAD_R, H - 6, date_format(end, "j M"),
    )  # fmt: skip
