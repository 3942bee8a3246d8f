"""Vote results as a bar chart (SVG) by stakeholder group, with the text that says what it shows.

Dots, approvals and ranking points: one bar per option, made of one segment per group. Yes / no / abstain:
yes to the right of a middle line and no to the left, each again made of the groups' segments (abstentions
are written beside the bar). A scale vote: the mean of each option. The colours (Okabe and Ito's, told apart
with colour-blindness) are named in a legend, and the numbers are written beside each bar.
"""

import textwrap
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from cowork import numbers
from cowork.exports.document import Figure
from cowork.i18n import gettext as _

WIDTH = 680
LABEL = 220  # the options' names on the left
ROW = 34
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
VALUE = {"dots": "dots", "approval": "approvals", "ranking": "points"}


Say = Callable[..., str]  # the votes section's words for one option's result: say(method, row, short=)


def vote_chart(result: dict[str, Any], *, names: list[str], title: str, method: str, outcome: Say) -> Figure:
    """names: the groups of result["by_group"] as readers call them, in its order."""
    rows = result.get("results", [])
    groups = list(result.get("by_group", {}))
    by_group = [{r["option_id"]: r for r in result["by_group"][g]} for g in groups]
    parts: list[str] = []
    top = ROW // 2
    if method == "yes_no_abstain":
        height = _yes_no(parts, rows, by_group, top)
    elif method in VALUE:
        height = _stacked(parts, rows, by_group, top, VALUE[method])
    else:
        height = _means(parts, rows, top)
    legend = names if method != "scale" else []
    height = _legend(parts, legend, height + 8)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}"'
        f' height="{height}" aria-hidden="true" font-family="DejaVu Sans, sans-serif" font-size="11">'
        + "".join(parts)
        + "</svg>"
    )
    lines = []
    for row in rows:
        detail = ", ".join(
            f"{name} {outcome(method, options.get(row['option_id']), short=True)}"
            for name, options in zip(names, by_group, strict=True)
            if options.get(row["option_id"])
        )
        lines.append(f"{row['label']}: {outcome(method, row)}" + (f" ({detail})" if detail else ""))
    caption = (
        _("%(title)s: results by stakeholder group") % {"title": title}
        if method != "scale"
        else _("%(title)s: mean of each option") % {"title": title}
    )
    return Figure(svg=svg, alt=caption + ". " + "; ".join(lines) + ".", caption=caption, wide=True)


def _label(parts: list[str], text: str, y: float) -> None:
    """The option's name in at most two lines at the left, cut with an ellipsis (the table has it whole)."""
    lines = textwrap.wrap(text, 34, max_lines=2, placeholder=" …") or [""]
    first = y - (len(lines) - 1) * 6
    for i, line in enumerate(lines):
        y_line = first + i * 12 + 4
        parts.append(
            f'<text x="{LABEL - 8}" y="{y_line:.1f}" text-anchor="end">{escape(visual(line))}</text>'
        )


def visual(line: str) -> str:
    """A right-to-left line as the PDF renderer's SVG text needs it.

    WeasyPrint places the words of a Hebrew or Arabic line right to left but draws each word's letters in
    the order stored, so each such word is given with its letters turned round (and then reads as written).
    """
    return " ".join(word[::-1] if any(_rtl(c) for c in word) else word for word in line.split(" "))


def _rtl(char: str) -> bool:
    return "\u0590" <= char <= "\u08ff" or "\ufb1d" <= char <= "\ufdff" or "\ufe70" <= char <= "\ufeff"


def _segments(parts: list[str], values: list[int], x: float, y: float, scale: float, sign: int) -> float:
    """Segments side by side from x (to the left when sign is -1), one colour per group; the far end."""
    for index, value in enumerate(values):
        if not value:
            continue
        width = value * scale
        left = x if sign > 0 else x - width
        parts.append(
            f'<rect x="{left:.1f}" y="{y - 9:.1f}" width="{width:.1f}" height="18"'
            f' fill="{COLOURS[index % len(COLOURS)]}" stroke="#fff" stroke-width="0.8"/>'
        )
        x += sign * width
    return x


def _stacked(
    parts: list[str], rows: list[dict[str, Any]], by_group: list[dict[Any, Any]], top: int, key: str
) -> int:
    biggest = max([r.get(key, 0) for r in rows] + [1])
    scale = (WIDTH - LABEL - 50) / biggest
    for i, row in enumerate(rows):
        y = top + i * ROW
        _label(parts, row["label"], y)
        values = [int((options.get(row["option_id"]) or {}).get(key, 0)) for options in by_group]
        end = _segments(parts, values, LABEL, y, scale, 1)
        parts.append(f'<text x="{end + 5:.1f}" y="{y + 4:.1f}">{numbers.count(row.get(key, 0))}</text>')
    return top + len(rows) * ROW


def _yes_no(parts: list[str], rows: list[dict[str, Any]], by_group: list[dict[Any, Any]], top: int) -> int:
    half = (WIDTH - LABEL - 20) / 2
    middle = LABEL + 10 + half
    biggest = max([max(r.get("yes", 0), r.get("no", 0)) for r in rows] + [1])
    scale = (half - 90) / biggest  # room at the right for the abstentions
    parts.append(
        f'<text x="{middle - 6:.1f}" y="10" text-anchor="end" fill="#333">← {escape(_("no"))}</text>'
    )
    parts.append(f'<text x="{middle + 6:.1f}" y="10" fill="#333">{escape(_("yes"))} →</text>')
    for i, row in enumerate(rows):
        y = top + 8 + i * ROW
        _label(parts, row["label"], y)
        yes = [int((options.get(row["option_id"]) or {}).get("yes", 0)) for options in by_group]
        no = [int((options.get(row["option_id"]) or {}).get("no", 0)) for options in by_group]
        right = _segments(parts, yes, middle, y, scale, 1)
        left = _segments(parts, no, middle, y, scale, -1)
        parts.append(f'<text x="{right + 5:.1f}" y="{y + 4:.1f}">{numbers.count(row.get("yes", 0))}</text>')
        parts.append(
            f'<text x="{left - 5:.1f}" y="{y + 4:.1f}" text-anchor="end">'
            f"{numbers.count(row.get('no', 0))}</text>"
        )
        abstain = _("abstain %(n)s") % {"n": numbers.count(row.get("abstain", 0))}
        parts.append(
            f'<text x="{WIDTH - 76}" y="{y + 4:.1f}" fill="#555" font-size="9">{escape(abstain)}</text>'
        )
    end = top + 8 + len(rows) * ROW
    parts.append(
        f'<line x1="{middle:.1f}" y1="14" x2="{middle:.1f}" y2="{end - ROW // 2:.1f}" stroke="#333"/>'
    )
    return end


def _means(parts: list[str], rows: list[dict[str, Any]], top: int) -> int:
    scale = (WIDTH - LABEL - 60) / 5
    for i, row in enumerate(rows):
        y = top + i * ROW
        _label(parts, row["label"], y)
        mean = float(row.get("mean") or 0)
        parts.append(
            f'<rect x="{LABEL}" y="{y - 9}" width="{mean * scale:.1f}" height="18" fill="{COLOURS[0]}"/>'
        )
        parts.append(
            f'<text x="{LABEL + mean * scale + 5:.1f}" y="{y + 4}">{numbers.decimal(mean, 1, 2)}</text>'
        )
    return top + len(rows) * ROW


def _legend(parts: list[str], names: list[str], top: int) -> int:
    """One line per group: its colour and its name."""
    for index, name in enumerate(names):
        y = top + index * 16
        parts.append(f'<rect x="10" y="{y}" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>')
        parts.append(f'<text x="28" y="{y + 10}">{escape(name)}</text>')
    return top + len(names) * 16 + 4
