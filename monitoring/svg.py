"""Server-side SVG charts (no JavaScript, no dependency): sparklines and bar charts.

Every chart carries `role="img"` and an `aria-label`/`<title>` describing the data, so a
screen reader gets the figures and not a drawing.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def sparkline(
    values: Sequence[float | None], *, width: int = 120, height: int = 28,
    low: float = 0.0, high: float = 100.0, label: str = "",
) -> SafeString:
    """A polyline over `values` (None leaves a gap), scaled between `low` and `high`."""
    count = len(values)
    known = [v for v in values if v is not None]
    description = label or ", ".join("–" if v is None else _fmt(v) for v in values)
    if not known or count == 0:
        return mark_safe(  # noqa: S308 -- built from numbers and an escaped label only
            f'<svg class="spark spark-empty" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(description)}" viewBox="0 0 {width} {height}">'
            f"<title>{escape(description)}</title>"
            f'<line x1="0" y1="{height - 2}" x2="{width}" y2="{height - 2}" /></svg>'
        )
    step = width / max(count - 1, 1)
    span = (high - low) or 1.0
    segments: list[list[str]] = [[]]
    points: list[tuple[float, float]] = []
    for i, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        x = i * step if count > 1 else width / 2
        clamped = min(max(value, low), high)
        y = 2 + (height - 4) * (1 - (clamped - low) / span)
        segments[-1].append(f"{_fmt(x)},{_fmt(y)}")
        points.append((x, y))
    lines = "".join(
        f'<polyline points="{" ".join(seg)}" />' for seg in segments if len(seg) > 1
    )
    last_x, last_y = points[-1]
    return mark_safe(  # noqa: S308 -- numbers and an escaped label only
        f'<svg class="spark" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(description)}" viewBox="0 0 {width} {height}">'
        f"<title>{escape(description)}</title>{lines}"
        f'<circle cx="{_fmt(last_x)}" cy="{_fmt(last_y)}" r="2" /></svg>'
    )


def bars(
    items: Sequence[tuple[str, float]], *, width: int = 480, bar_height: int = 16,
    gap: int = 4, label_width: int = 170, unit: str = "", maximum: float | None = None,
    title: str = "",
) -> SafeString:
    """A horizontal bar chart of (label, value) pairs."""
    top = maximum if maximum is not None else max((v for _, v in items), default=0.0)
    top = top or 1.0
    height = max(len(items), 1) * (bar_height + gap)
    plot = width - label_width - 50
    parts = []
    for i, (name, value) in enumerate(items):
        y = i * (bar_height + gap)
        length = max(plot * value / top, 0)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 4}" text-anchor="end">'
            f"{escape(name[:28])}</text>"
            f'<rect x="{label_width}" y="{y}" width="{_fmt(length)}" height="{bar_height}" />'
            f'<text x="{_fmt(label_width + length + 4)}" y="{y + bar_height - 4}">'
            f"{_fmt(value)}{escape(unit)}</text>"
        )
    description = title or "; ".join(f"{n}: {_fmt(v)}{unit}" for n, v in items)
    return mark_safe(  # noqa: S308 -- escaped labels and numbers only
        f'<svg class="bars" width="100%" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(description)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(description)}</title>{''.join(parts)}</svg>"
    )


def columns(
    values: Sequence[float], *, width: int = 480, height: int = 80, title: str = ""
) -> SafeString:
    """Vertical columns (e.g. applications received per day)."""
    top = max(values, default=0) or 1
    count = max(len(values), 1)
    slot = width / count
    parts = [
        f'<rect x="{_fmt(i * slot + 1)}" y="{_fmt(height - height * v / top)}" '
        f'width="{_fmt(max(slot - 2, 1))}" height="{_fmt(height * v / top)}" />'
        for i, v in enumerate(values)
    ]
    return mark_safe(  # noqa: S308 -- numbers and an escaped title only
        f'<svg class="columns" width="100%" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="none">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
