"""The drawn seal (印章图样): a red ring with the issuing body's name around its upper arc,
a five-pointed star in the middle and a short label under it, as official Chinese seals look.

It is drawn only on papers that are also signed (:mod:`core.papers.seal`): the picture is what
a reader sees, the PAdES signature is what proves it. A paper that is not signed carries no
seal picture at all.

The name always stays inside the ring: the characters are set on an arc of at most
:data:`MAX_ARC` degrees, smaller (down to :data:`MIN_SIZE` points) and on a wider arc (up to
:data:`LAST_ARC`) for long names; :func:`ring_layout` returns the geometry so tests can check
every character's corners against the inner edge of the ring.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from core.papers.documents.fonts import CJKFont

SEAL_COLOUR = colors.HexColor("#d0281e")
#: The widest arc the name normally takes, the widest it ever takes, the font sizes (points).
MAX_ARC, LAST_ARC = 250.0, 320.0
MAX_SIZE, MIN_SIZE = 15.0, 4.5
#: Short names are spread over at least this arc, as on a real seal.
MIN_ARC = 170.0
#: Height of a CJK character above its baseline, as a fraction of the font size.
ASCENT = 0.88
DESCENT = 0.12


@dataclass(frozen=True)
class RingLayout:
    """Where the name goes: font size, baseline radius and each character's angle (degrees,
    counter-clockwise from the positive x axis), first character first."""

    text: str
    size: float
    baseline: float
    angles: tuple[float, ...]
    inner_radius: float

    def corners(self) -> list[tuple[float, float]]:
        """The outer and inner corners of every character box, relative to the centre."""
        out = []
        half = self.size / 2
        for angle in self.angles:
            a = math.radians(angle)
            radial, tangent = (math.cos(a), math.sin(a)), (math.sin(a), -math.cos(a))
            for r in (self.baseline - DESCENT * self.size, self.baseline + ASCENT * self.size):
                for t in (-half, half):
                    out.append((radial[0] * r + tangent[0] * t, radial[1] * r + tangent[1] * t))
        return out


def _fit(n: int, size: float, inner: float) -> tuple[float, float] | None:
    """(baseline radius, step in degrees) for ``n`` characters of ``size``, or None if the
    characters cannot sit inside a circle of radius ``inner`` at that size."""
    half = size / 2
    if inner ** 2 <= half ** 2:
        return None
    baseline = math.sqrt(inner ** 2 - half ** 2) - ASCENT * size
    if baseline - DESCENT * size <= size:  # no room left for the star
        return None
    # Neighbouring boxes must not touch at the baseline (the tight side), plus a little air.
    step = math.degrees(2 * math.asin(min(1.0, (half * 1.08) / (baseline - DESCENT * size))))
    return baseline, step


def ring_layout(name: str, radius: float, line_width: float) -> RingLayout:
    """Fit ``name`` on the ring: the largest size whose arc is at most :data:`MAX_ARC`
    degrees, else the smallest size on an arc up to :data:`LAST_ARC`; a name that fits in
    neither is cut with an ellipsis (never drawn over the ring)."""
    inner = radius - line_width - radius * 0.06
    text = name.strip() or "电子印章"
    size = MAX_SIZE
    while True:
        n = len(text)
        fit = _fit(n, size, inner)
        limit = MAX_ARC if size > MIN_SIZE else LAST_ARC
        if fit is not None and fit[1] * (n - 1) <= limit:
            break
        if size > MIN_SIZE:
            size = max(MIN_SIZE, size - 0.25)
            continue
        if fit is None or n <= 2:
            raise ValueError(f"seal radius {radius} is too small for any name")
        text = text[:-2] + "…"  # pathological length: shorten rather than overflow
    baseline, step = fit
    if len(text) >= 3:
        step = max(step, MIN_ARC / (len(text) - 1))
    span = step * (len(text) - 1)
    first = 90 + span / 2
    return RingLayout(text, size, baseline, tuple(first - i * step for i in range(len(text))), inner)


def _star(c: Canvas, cx: float, cy: float, r: float) -> None:
    path = c.beginPath()
    for i in range(10):
        a = math.radians(90 + i * 36)
        rr = r if i % 2 == 0 else r * 0.382
        x, y = cx + rr * math.cos(a), cy + rr * math.sin(a)
        path.moveTo(x, y) if i == 0 else path.lineTo(x, y)
    path.close()
    c.drawPath(path, stroke=0, fill=1)


def draw_seal(c: Canvas, cx: float, cy: float, radius: float, name: str, font: CJKFont, *,
              label: str = "电子印章") -> RingLayout:
    """Draw the seal of ``name`` centred on (cx, cy); returns the ring layout used."""
    line_width = max(1.2, radius * 0.05)
    layout = ring_layout(name, radius, line_width)
    c.saveState()
    c.setStrokeColor(SEAL_COLOUR)
    c.setFillColor(SEAL_COLOUR)
    c.setStrokeAlpha(0.85)
    c.setFillAlpha(0.85)
    c.setLineWidth(line_width)
    c.circle(cx, cy, radius - line_width / 2, stroke=1, fill=0)
    for char, angle in zip(layout.text, layout.angles):
        c.saveState()
        c.translate(cx, cy)
        c.rotate(angle - 90)
        face = font.face_for(char) or font.name
        c.setFont(face, layout.size)
        c.drawCentredString(0, layout.baseline, char)
        c.restoreState()
    _star(c, cx, cy + radius * 0.02, radius * 0.26)
    if label:
        size = min(radius * 0.2, 0.95 * radius / max(len(label), 1))
        c.setFont(font.name, size)
        c.drawCentredString(cx, cy - radius * 0.52, label)
    c.restoreState()
    return layout
