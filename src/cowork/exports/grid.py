"""The influence / interest grid of the stakeholder map as an SVG picture for documents.

Each stakeholder is a numbered dot; the numbers are explained in the table beside it, so the picture
carries no meaning by colour alone and nothing a screen reader would miss.
"""

from xml.sax.saxutils import escape

from cowork.i18n import gettext as _

SIZE = 420
PAD = 48
LOW, HIGH = 1.0, 5.0


def _x(interest: float) -> float:
    return PAD + (interest - LOW) / (HIGH - LOW) * (SIZE - 2 * PAD)


def _y(influence: float) -> float:
    return SIZE - PAD - (influence - LOW) / (HIGH - LOW) * (SIZE - 2 * PAD)


def grid_svg(points: list[tuple[int, float, float]]) -> str:
    """points: (number, influence, interest) on the 1–5 scales."""
    parts = _empty_grid()
    for number, influence, interest in points:
        x, y = _x(interest), _y(influence)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="#1f4e79" stroke="#fff" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" fill="#fff" text-anchor="middle"'
            f' font-weight="bold">{number}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _empty_grid() -> list[str]:
    """The opening of the picture: the frame, its four named quadrants and the two scales."""
    inner = SIZE - 2 * PAD
    mid = PAD + inner / 2
    quadrants = [
        (PAD + 8, PAD + 18, _("Keep satisfied")),
        (mid + 8, PAD + 18, _("Manage closely")),
        (PAD + 8, mid + 18, _("Monitor")),
        (mid + 8, mid + 18, _("Keep informed")),
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}"'
        ' role="img" aria-hidden="true" font-family="sans-serif">',
        f'<rect x="{PAD}" y="{PAD}" width="{inner}" height="{inner}" fill="#fff" stroke="#333"/>',
        f'<line x1="{mid}" y1="{PAD}" x2="{mid}" y2="{SIZE - PAD}" stroke="#999" stroke-dasharray="4 3"/>',
        f'<line x1="{PAD}" y1="{mid}" x2="{SIZE - PAD}" y2="{mid}" stroke="#999" stroke-dasharray="4 3"/>',
    ]
    for x, y, text in quadrants:
        parts.append(f'<text x="{x}" y="{y}" font-size="12" fill="#555">{escape(text)}</text>')
    for tick in range(1, 6):
        parts.append(
            f'<text x="{_x(tick)}" y="{SIZE - PAD + 16}" font-size="11" text-anchor="middle">{tick}</text>'
        )
        parts.append(
            f'<text x="{PAD - 10}" y="{_y(tick) + 4}" font-size="11" text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<text x="{mid}" y="{SIZE - 10}" font-size="13" text-anchor="middle">{escape(_("Interest"))}</text>'
    )
    parts.append(
        f'<text x="14" y="{mid}" font-size="13" text-anchor="middle" transform="rotate(-90 14 {mid})">'
        f"{escape(_('Influence'))}</text>"
    )
    return parts
