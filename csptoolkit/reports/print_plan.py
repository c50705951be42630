"""What the improvement plan PDF shows (DESIGN §8): a cover, the summary (overall band and score, domain scores
with a chart, progress), the position against statistical neighbours, the actions by priority, what closed between
cycles, and an appendix of the answers with their evidence notes.

Built from the plan page's own PlanReport (reports/plans, from services.plans.plan_report) and, for the position,
the benchmark page's rows and chart (reports/benchmark); only plain values go to the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from ..domain.scoring import OVERALL, STANDARD
from ..domain.text import localise
from . import benchmark as shown
from . import charts, formatting
from . import plans as plan_rows
from .print_benchmark import disclosure_note
from .printing import filter_text


@dataclass
class Position:
    """Where the authority stands among its default peer group, as its benchmark page shows it."""

    comparison: str
    note: str | None
    counted: bool  # whether its assessment is counted in benchmarks (submitted or later)
    chart: Markup
    table: dict


@dataclass
class AnswerGroup:
    heading: str
    rows: list[tuple[str, str, str, str]]  # criterion id, criterion text, answer, evidence


def _text(value, language: str) -> str:
    return localise(value, language)[0] if value else ""


def position(result, language: str) -> Position:
    """The overall and domain rows of the benchmark table, and the domain chart, against the default group."""
    rows = [row for row in shown.score_rows(result) if row.level != STANDARD]
    comparison = shown.comparison(result.group, result.organisation)
    caption = shown.filtered(_("Scores: %(comparison)s", comparison=comparison), result.lowest)
    return Position(comparison=comparison, note=disclosure_note(result),
                    counted=result.positions[OVERALL].score is not None,
                    chart=shown.domain_chart(result), table=shown.score_table(rows, caption, language, result.lowest))


def scores_chart(report, language: str) -> Markup:
    """The plan's domain scores as marks on a 0-100 scale (its own scores only: no one else's)."""
    rows = [charts.DistributionRow(_text(line.title, language), own=float(line.score))
            for line in report.domains if line.score is not None]
    return charts.distribution_chart(
        rows, _("Domain scores of %(name)s", name=report.organisation_name),
        _("Each domain's score out of 100 as a diamond. The table gives the same figures."), "plan-domains",
        own_label="",
        legend=charts.Legend(own=_("Score of %(name)s", name=report.organisation_name)))


def score_lines(report, language: str) -> list[tuple[str, str, str, bool]]:
    """(area, score, band, gated) for the overall score and each domain, as the plan page words them."""
    return [(_text(line.title, language) if line.title else _("Overall"), formatting.score(line.score, language),
             _text(line.band, language) if line.band else _("Not scored"), line.gated) for line in report.scores]


def levels_text(action, language: str) -> str:
    """The level an action starts from and its target, as the plan page words them."""
    if action.level_reached is None or action.target_level is None:
        return _("Not answered in this cycle yet")
    reached, target = action.level_text(action.level_reached, language), action.level_text(action.target_level,
                                                                                           language)
    if action.has_gap:
        return _("From %(reached)s to %(target)s", reached=reached, target=target)
    return _("%(reached)s reached; target %(target)s", reached=reached, target=target)


def answer_text(row, language: str) -> str:
    if row.not_applicable:
        return _("Not applicable")
    if row.level is None:
        return _("Not answered")
    if row.yesno:
        return _("Yes") if row.level > 0 else _("No")
    label = _text(row.level_label, language)
    return f"{row.level} – {label}" if label else str(row.level)


def appendix(report, language: str) -> list[AnswerGroup]:
    """The answers by standard, each with its evidence note and the names of its evidence files."""
    groups: list[AnswerGroup] = []
    for row in report.answers:
        heading = f"{row.standard_id} {_text(row.standard_title, language)}"
        if not groups or groups[-1].heading != heading:
            groups.append(AnswerGroup(heading, []))
        evidence = row.evidence_note or ""
        if row.evidence_files:
            files = _("Files: %(names)s", names=", ".join(row.evidence_files))
            evidence = f"{evidence}\n{files}" if evidence else files
        groups[-1].rows.append((row.criterion_id, _text(row.criterion_text, language), answer_text(row, language),
                                evidence))
    return groups


def plan_context(report, cycle_label: str, position_: Position | None, language: str) -> dict:
    name = report.organisation_name
    return {
        "title": _("Improvement plan: %(name)s, %(cycle)s", name=name, cycle=cycle_label),
        "description": _("Improvement plan"), "report": report, "organisation_name": name,
        "cycle_label": cycle_label,
        "basis_label": str(plan_rows.BASIS_LABELS[report.basis]),
        "generated_at": filter_text("datetime", report.generated_at) if report.generated_at else None,
        "scores": score_lines(report, language), "overall": score_lines(report, language)[0],
        "chart": scores_chart(report, language), "position": position_,
        "status_labels": {k: str(v) for k, v in plan_rows.STATUS_LABELS.items()},
        "origin_labels": {k: str(v) for k, v in plan_rows.ORIGIN_LABELS.items()},
        "actions_text": {a.id: a.text(language) for a in report.actions},
        "levels": {a.id: levels_text(a, language) for a in report.actions if a.criterion_id},
        "due": {a.id: filter_text("date", a.due_on) if a.due_on else _("Not given") for a in report.actions},
        "done": {a.id: filter_text("date", a.done_on) for a in report.actions if a.done_on},
        "points": {a.id: plan_rows.points(a.priority_score, language) for a in report.actions if a.has_gap},
        "appendix": appendix(report, language),
    }
