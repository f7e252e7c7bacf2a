"""Charts drawn as SVG on the server: no JavaScript library, no internet at run time.

Every label is escaped; the output is safe to put in a page as Markup.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

PALETTE = ("#1f5fa8", "#2e7d32", "#a15c00", "#c62828", "#6a4c93", "#00838f", "#5f6b7a")
SATISFACTION = ("#2e7d32", "#66a84f", "#9aa5b1", "#e07b00", "#c62828")  # 非常满意 … 非常不满意


def _nice_max(value: float, ticks: int = 4) -> float:
    """A round axis maximum at or above ``value`` with ``ticks`` equal whole-number steps."""
    raw = value / ticks
    if raw <= 1:
        return ticks
    exp = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 3, 5, 10):
        if raw <= m * exp:
            return int(m * exp) * ticks
    return math.ceil(raw) * ticks


def hbar(items, *, title: str, width: int = 560, bar: int = 22, label_width: int = 170,
         colors=None, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value) — volume by service or centre."""
    items = list(items)
    top = 30
    height = top + max(len(items), 1) * (bar + 8) + 12
    biggest = max([v for _, v in items] or [0])
    scale = (width - label_width - 60) / (biggest or 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="18" font-size="14" font-weight="600" fill="#1d2733">{escape(title)}</text>']
    if not items:
        parts.append(f'<text x="0" y="{top + 16}" font-size="13" fill="#5f6b7a">—</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar + 8)
        color = (colors or PALETTE)[i % len(colors or PALETTE)] if colors else PALETTE[0]
        text = str(label)
        short = text if len(text) <= 12 else text[:11] + "…"
        w = max(value * scale, 1 if value else 0)
        parts.append(f'<text x="{label_width - 6}" y="{y + bar * 0.7:.1f}" font-size="12" '
                     f'text-anchor="end" fill="#1d2733"><title>{escape(text)}</title>{escape(short)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar}" rx="3" fill="{color}"/>')
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + bar * 0.7:.1f}" font-size="12" '
                     f'fill="#1d2733">{value}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(items, *, title: str, width: int = 560, height: int = 220, every: int | None = None,
            color: str = PALETTE[0]) -> Markup:
    """Vertical columns over an ordered axis (volume by day, time distribution)."""
    items = list(items)
    left, bottom, top = 40, 34, 30
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = _nice_max(max([v for _, v in items] or [0]))
    n = max(len(items), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 40), 1)
    every = every or max(1, n // 10)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="18" font-size="14" font-weight="600" fill="#1d2733">{escape(title)}</text>']
    for k in range(5):
        value = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e3e7ec"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#5f6b7a">{int(value) if value == int(value) else round(value, 1)}</text>')
    for i, (label, value) in enumerate(items):
        h = plot_h * (value / peak) if peak else 0
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}">'
                     f'<title>{escape(str(label))}: {value}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" font-size="10" '
                         f'text-anchor="middle" fill="#5f6b7a">{escape(str(label))}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#9aa5b1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
