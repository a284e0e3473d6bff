"""Server-side SVG charts (no JavaScript, no CDN). Labels are HTML-escaped."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
WIDTH = 640
COLORS = ("#0b5cad", "#1e7b34", "#8a5a00", "#b3261e", "#5a3fa0", "#00707a")


def bar_chart(
    items: Sequence[tuple[str, float | int | None]], *, title: str, unit: str = "",
    color: str = COLORS[0],
) -> SafeString:
    """Horizontal bar chart as inline SVG with a <title> and a text value on every bar."""
    rows = [(str(label), float(value or 0)) for label, value in items]
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    top = max((value for _, value in rows), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - 70
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    if not rows:
        parts.append(f'<text x="8" y="20" font-size="13" fill="#4a5263">{escape("Tidak ada data")}</text>')
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = plot * value / top
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" font-size="13" text-anchor="end" '
            f'fill="#1a1f2b">{escape(label[:28])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'rx="3" fill="{color}"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}" font-size="13" '
            f'fill="#1a1f2b">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every dynamic part is escaped above
