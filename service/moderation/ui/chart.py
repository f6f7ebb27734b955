"""A small stacked bar chart as inline SVG, drawn on the server (no chart library, no script).

Colours come from CSS classes (`moderate.css` sets them for light and dark), so the SVG needs no
style attribute and works under the UI's Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from service.moderation.ui.stats import Day

WIDTH = 720
HEIGHT = 240
LEFT = 40
BOTTOM = 28
TOP = 12


def _nice_max(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^n at or above `value` (at least 4, so the axis reads well)."""
    value = max(value, 4)
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def comments_chart(days: Sequence[Day], *, title_id: str, desc_id: str) -> Markup:
    top = _nice_max(max((d.total for d in days), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - 28  # room for the last day's label
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.7, 1.0)
    total = sum(d.total for d in days)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">Comments per day, last {len(days)} days</title>',
        f'<desc id="{desc_id}">{total} comments; bars split into approved and '
        f"held, rejected or spam. The table below has the numbers.</desc>",
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{round(top * fraction)}</text>"
        )
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar) / 2
        approved_h = plot_h * day.approved / top
        held_h = plot_h * day.held / top
        base = TOP + plot_h
        label = escape(
            f"{day.day.isoformat()}: {day.approved} approved, {day.held} held, rejected or spam"
        )
        parts.append(f"<g><title>{label}</title>")
        if day.approved:
            parts.append(
                f'<rect class="approved" x="{x:.1f}" y="{base - approved_h:.1f}" '
                f'width="{bar:.1f}" height="{approved_h:.1f}"/>'
            )
        if day.held:
            parts.append(
                f'<rect class="held" x="{x:.1f}" y="{base - approved_h - held_h:.1f}" '
                f'width="{bar:.1f}" height="{held_h:.1f}"/>'
            )
        parts.append("</g>")
        if index % 5 == 0 or index == len(days) - 1:
            parts.append(
                f'<text class="axis" x="{x + bar / 2:.1f}" y="{HEIGHT - 8}" '
                f'text-anchor="middle">{day.day.strftime("%b %d")}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and dates, labels escaped
