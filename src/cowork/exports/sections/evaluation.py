"""The evaluation's section: the scale questions as counts, means and bars, then the open answers."""

from cowork import numbers
from cowork.domain.program import evaluation
from cowork.exports.document import Cell, Context, Figure, Section, Table
from cowork.i18n import gettext as _


def evaluation_section(ctx: Context) -> Section:
    """Per question: how many answered, the mean and the distribution over 1–5; then the open answers, under
    their question in documents, a row each with its question in the spreadsheet's one sheet."""
    scale = Table(
        "evaluation",
        _("Evaluation"),
        [_("Question"), _("Answers"), _("Mean"), "1", "2", "3", "4", "5"],
    )
    answers = Table("answers", _("Open answers"), [_("Question"), _("Answer")])  # one sheet for all
    by_question: list[Table] = []
    section = Section(
        "evaluation", _("Evaluation"), sheets=[scale, answers], empty=_("No evaluation answers yet.")
    )
    for stage in ctx.stages:
        if stage.kind != "evaluation":
            continue
        spec = evaluation.spec_of(stage)
        texts = {item.id: item.localized_text(ctx.language) for item in spec.items}
        result = evaluation.results(ctx.session, stage=stage, include_text=True)
        for item in result["items"]:
            if item["type"] == "likert" and item["count"]:
                dist = item.get("distribution", {})
                scale.rows.append(
                    [
                        texts.get(item["id"], item["id"]),
                        item["count"],
                        item["mean"],
                        *[dist.get(str(p), 0) for p in range(1, 6)],
                    ]
                )
            question, given = texts.get(item["id"], item["id"]), item.get("answers", []) or []
            answers.rows.extend([question, text] for text in given)
            if given:  # documents list a question's answers under it, not the question again on every row
                rows: list[list[Cell]] = [[text] for text in given]
                by_question.append(Table(f"answers-{item['id']}", question, [_("Answer")], rows))
    if scale.rows:
        section.figures.extend(_bars(row) for row in scale.rows)
        section.tables.append(scale)
    section.tables.extend(by_question)
    return section


def _bars(row: list[Cell]) -> Figure:
    """A horizontal bar per scale point, with its count written beside it."""
    question, counts = str(row[0]), [int(c or 0) for c in row[3:8]]
    top = max(counts) or 1
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 110" width="320" height="110"'
        ' aria-hidden="true" font-family="sans-serif">'
    ]
    for i, count in enumerate(counts):
        y = 4 + i * 21
        width = 240 * count / top
        parts.append(f'<text x="8" y="{y + 14}" font-size="12">{i + 1}</text>')
        parts.append(f'<rect x="24" y="{y}" width="{width:.1f}" height="16" fill="#1f4e79"/>')
        parts.append(f'<text x="{30 + width:.1f}" y="{y + 13}" font-size="12">{numbers.count(count)}</text>')
    parts.append("</svg>")
    points = (
        _("%(point)s: %(count)s") % {"point": i + 1, "count": numbers.count(c)} for i, c in enumerate(counts)
    )
    alt = question + ": " + ", ".join(points)
    return Figure(svg="".join(parts), alt=alt, caption=question)
