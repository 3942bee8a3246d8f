"""The influence / interest grid of the stakeholder map as an SVG picture for documents.

Each stakeholder is a numbered dot, and the key beside the grid gives each number its name (the table
below the picture too), so the picture carries no meaning by colour alone. The dots are kept inside a band
that the quadrants' names and the scales never enter, and dots at the same place are spread around it.
"""

import textwrap
from xml.sax.saxutils import escape

from cowork.exports.charts import visual
from cowork.i18n import gettext as _

SIZE = 420  # the grid's square
KEY = 300  # the key's column to its right
PAD = 48
INSET = 34  # between the frame and the dots at 1 and 5: room for the quadrants' names
LOW, HIGH = 1.0, 5.0
RADIUS = 11


def _x(interest: float) -> float:
    return PAD + INSET + (interest - LOW) / (HIGH - LOW) * (SIZE - 2 * (PAD + INSET))


def _y(influence: float) -> float:
    return SIZE - PAD - INSET - (influence - LOW) / (HIGH - LOW) * (SIZE - 2 * (PAD + INSET))


def grid_svg(points: list[tuple[int, float, float]], names: dict[int, str] | None = None) -> str:
    """points: (number, influence, interest) on the 1–5 scales; names: each number's stakeholder."""
    key = _key(names or {})
    height = max(SIZE, 16 + 14 * len(key))
    width = SIZE + (KEY if key else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img" aria-hidden="true" font-family="DejaVu Sans, sans-serif">',
        *_empty_grid(),
    ]
    for number, x, y in _spread(points):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="#1f4e79"'
            ' stroke="#fff" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" fill="#fff" text-anchor="middle"'
            f' font-weight="bold">{number}</text>'
        )
    for index, (line, bold) in enumerate(key):
        weight = ' font-weight="bold"' if bold else ""
        parts.append(
            f'<text x="{SIZE + 8}" y="{24 + index * 14}" font-size="11"{weight}>{escape(visual(line))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _spread(points: list[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
    """Each dot's place; dots that would cover each other are set around their common place."""
    places: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
    for number, influence, interest in points:
        x, y = _x(interest), _y(influence)
        places.setdefault((round(x / RADIUS), round(y / RADIUS)), []).append((number, x, y))
    spread = []
    for group in places.values():
        for i, (number, x, y) in enumerate(group):  # side by side: up or down they would cover the names
            spread.append((number, x + (i - (len(group) - 1) / 2) * (2 * RADIUS + 2), y))
    return spread


def _key(names: dict[int, str]) -> list[tuple[str, bool]]:
    """The key's lines: a title, then each number with its name (long names over two lines)."""
    if not names:
        return []
    lines = [(_("Stakeholders"), True)]
    for number, name in sorted(names.items()):
        wrapped = textwrap.wrap(name, 40, max_lines=2, placeholder=" …") or [""]
        lines.append((f"{number}  {wrapped[0]}", False))
        lines.extend((f"     {rest}", False) for rest in wrapped[1:])
    return lines


def _empty_grid() -> list[str]:
    """The frame, its four named quadrants (in the band no dot enters) and the two scales."""
    inner = SIZE - 2 * PAD
    mid = PAD + inner / 2
    top, bottom = PAD + 16, SIZE - PAD - 8
    quadrants = [
        (PAD + 6, top, _("Keep satisfied")),
        (mid + 6, top, _("Manage closely")),
        (PAD + 6, bottom, _("Monitor")),
        (mid + 6, bottom, _("Keep informed")),
    ]
    parts = [
        f'<rect x="{PAD}" y="{PAD}" width="{inner}" height="{inner}" fill="#fff" stroke="#333"/>',
        f'<line x1="{mid}" y1="{PAD}" x2="{mid}" y2="{SIZE - PAD}" stroke="#999" stroke-dasharray="4 3"/>',
        f'<line x1="{PAD}" y1="{mid}" x2="{SIZE - PAD}" y2="{mid}" stroke="#999" stroke-dasharray="4 3"/>',
    ]
    for x, y, text in quadrants:
        parts.append(f'<text x="{x}" y="{y}" font-size="12" fill="#555">{escape(text)}</text>')
    for tick in range(1, 6):
        parts.append(
            f'<text x="{_x(tick):.1f}" y="{SIZE - PAD + 16}" font-size="11"'
            f' text-anchor="middle">{tick}</text>'
        )
        parts.append(
            f'<text x="{PAD - 10}" y="{_y(tick) + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<text x="{mid}" y="{SIZE - 10}" font-size="13" text-anchor="middle">{escape(_("Interest"))}</text>'
    )
    parts.append(
        f'<text x="14" y="{mid}" font-size="13" text-anchor="middle" transform="rotate(-90 14 {mid})">'
        f"{escape(_('Influence'))}</text>"
    )
    return parts
