"""An assessment's answers and scores as spreadsheets: plain rows built once, written as CSV (one table a file) and
XLSX (an Answers sheet and a Scores sheet) by reports/exports.

Levels are whole numbers and scores Decimals already rounded half-up to one decimal place (domain.scoring.shown,
the rule every page uses), so a spreadsheet reads them as numbers that agree with the pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from ..domain import confidence as confidence_rules
from ..domain import scoring
from ..domain import standards as rules
from ..domain.text import localise
from . import exports
from .moderation import confidence_label, gap_rows

Table = tuple[list[str], list[list[object]]]


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def answer_table(framework: rules.Framework, result: scoring.Result, rows: Sequence[object],
                 confidence: Mapping[str, confidence_rules.Confidence], language: str) -> Table:
    """Every criterion asked (follow-ups only where they are asked), in framework order, with its answer.

    `rows` are the assessment's answer rows (services.assessments.AnswerView or alike): level, not_applicable,
    moderated_level, moderated_not_applicable, evidence_note, evidence_files (each with a filename).
    """
    def plain(text) -> str:
        return localise(text or {}, language)[0]

    header = [_("Domain"), _("Standard"), _("Criterion"), _("Question"), _("Level"), _("Level name"),
              _("Not applicable"), _("Moderated level"), _("Confidence"), _("Evidence note"), _("Evidence files")]
    by_key = {row.key: row for row in rows}
    labels = {level.value: plain(level.label) for level in framework.scale}
    table: list[list[object]] = []
    for domain in framework.domains:
        for standard in domain.standards:
            for criterion in standard.criteria:
                if criterion.id not in result.visible:
                    continue
                row = by_key.get(criterion.id)
                level = None if row is None or row.not_applicable else row.level
                moderated = None
                if row is not None and row.moderated_level is not None and not row.moderated_not_applicable:
                    moderated = row.moderated_level
                level_confidence = confidence.get(criterion.id)
                table.append([
                    plain(domain.title), f"{standard.id} {plain(standard.title)}", criterion.id,
                    plain(criterion.text), level, _level_name(framework, criterion, row, labels),
                    _yes_no(bool(row is not None and row.not_applicable)), moderated,
                    confidence_label(level_confidence) if level_confidence is not None else "",
                    (row.evidence_note or "") if row is not None else "",
                    "; ".join(f.filename for f in row.evidence_files) if row is not None else ""])
    return header, table


def _level_name(framework: rules.Framework, criterion: rules.Criterion, row, labels: Mapping[int, str]) -> str:
    if row is None or (row.level is None and not row.not_applicable):
        return _("Not answered")
    if row.not_applicable:
        return _("Not applicable")
    if criterion.type == rules.YESNO:
        return _yes_no(row.level == framework.max_level)
    return labels.get(row.level, "")


def score_table(framework: rules.Framework, result: scoring.Result, moderated: scoring.Result | None,
                language: str) -> Table:
    """The overall score, each domain's and each standard's, with band and gate; the moderated score and the gap
    (moderated minus self-assessed, as shown) where the assessment is moderated."""
    def plain(text) -> str:
        return localise(text or {}, language)[0]

    header = [_("Scope"), _("Key"), _("Title"), _("Self-assessed score"), _("Band"), _("Capped by a minimum level"),
              _("Moderated score"), _("Moderated band"), _("Gap")]
    gaps = {row.key: row for row in gap_rows(framework, result, moderated)} if moderated is not None else {}
    scopes = {scoring.OVERALL: _("Overall"), scoring.DOMAIN: _("Domain"), scoring.STANDARD: _("Standard")}
    table: list[list[object]] = []

    def add(scope: str, ident: str, title: str, own: scoring.Score, other: scoring.Score | None) -> None:
        gap = gaps.get(scoring.score_key(scope, ident))
        table.append([scopes[scope], ident or scoring.OVERALL, title, own.value, _band(own, language),
                      _yes_no(own.gated), other.value if other is not None else None,
                      _band(other, language) if other is not None else "",
                      gap.gap if gap is not None else None])

    add(scoring.OVERALL, "", _("Overall"), result.overall, moderated.overall if moderated else None)
    for domain in framework.domains:
        add(scoring.DOMAIN, domain.id, plain(domain.title), result.domains[domain.id],
            moderated.domains[domain.id] if moderated else None)
        for standard in domain.standards:
            add(scoring.STANDARD, standard.id, plain(standard.title), result.standards[standard.id],
                moderated.standards[standard.id] if moderated else None)
    return header, table


def _band(score: scoring.Score, language: str) -> str:
    return localise(score.band.label, language)[0] if score.band is not None else ""


def as_csv(table: Table) -> bytes:
    return exports.to_csv(*table)


def as_xlsx(answers: Table, scores: Table) -> bytes:
    """Both tables in one workbook: an Answers sheet and a Scores sheet."""
    return exports.to_xlsx_sheets([(_("Answers"), *answers), (_("Scores"), *scores)])

