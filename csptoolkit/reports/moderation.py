"""What pages, exports and the API show of a review: self-assessed and moderated scores with the gap, the
confidence mix, and the findings by criterion, as plain rows (and govukTable parameters for pages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from ..domain import confidence as confidence_rules
from ..domain import moderation, scoring
from ..domain import standards as rules
from . import formatting


@dataclass(frozen=True)
class GapRow:
    """One score beside its moderated one: scope is overall, domain or standard; key its score key."""

    scope: str
    key: str
    id: str  # the domain or standard id ("" for overall)
    title: dict[str, str] | None  # the domain's or standard's title by language (None for overall)
    self_score: Decimal | None
    moderated_score: Decimal | None
    gap: Decimal | None


def gap_rows(framework: rules.Framework, own: scoring.Result, moderated: scoring.Result,
             standards: bool = True) -> list[GapRow]:
    """Overall, each domain and (unless not asked) each of its standards, in framework order."""
    titles: dict[str, Any] = {scoring.score_key(scoring.DOMAIN, d.id): d.title for d in framework.domains}
    titles |= {scoring.score_key(scoring.STANDARD, s.id): s.title for s in framework.standards}
    rows = []
    for found in moderation.gaps(scoring.score_keys(framework, standards), own, moderated):
        scope, _sep, ident = found.key.partition(":")
        rows.append(GapRow(scope if ident else scoring.OVERALL, found.key, ident, titles.get(found.key),
                           found.self_score, found.moderated_score, found.gap))
    return rows


def gaps_table(rows: list[GapRow], caption: str, language: str, text: Callable[[Any], Markup]) -> dict:
    """The rows as govukTable parameters: area, self-assessed, moderated, gap (four columns; standards indented
    under their domain, so the table still reads at 375 px)."""
    body = []
    for row in rows:
        if row.scope == scoring.OVERALL:
            name: dict = {"text": _("Overall")}
        elif row.scope == scoring.DOMAIN:
            name = {"html": text(row.title)}
        else:
            name = {"html": Markup('<span class="csp-indent">{} {}</span>').format(row.id, text(row.title)),
                    "classes": "govuk-!-font-weight-regular"}
        body.append([name,
                     {"text": formatting.score(row.self_score, language), "format": "numeric"},
                     {"text": formatting.score(row.moderated_score, language), "format": "numeric"},
                     {"text": formatting.gap(row.gap, language), "format": "numeric"}])
    return {"caption": caption, "captionClasses": "govuk-table__caption--s", "firstCellIsHeader": True,
            "head": [{"text": _("Area")}, {"text": _("Self-assessed"), "format": "numeric"},
                     {"text": _("Moderated"), "format": "numeric"}, {"text": _("Gap"), "format": "numeric"}],
            "rows": body}


def confidence_label(level: confidence_rules.Confidence) -> str:
    """A confidence as people read it, in their language."""
    return {confidence_rules.SELF_ASSESSED: _("Self-assessed"), confidence_rules.EVIDENCED: _("Evidenced"),
            confidence_rules.PEER_VALIDATED: _("Peer-validated")}[level]


CONFIDENCE_TAG_CLASSES = {confidence_rules.SELF_ASSESSED: "govuk-tag--grey",
                          confidence_rules.EVIDENCED: "govuk-tag--yellow",
                          confidence_rules.PEER_VALIDATED: "govuk-tag--green"}


def confidence_tag(level: confidence_rules.Confidence) -> dict:
    """govukTag parameters for a rating's confidence."""
    return {"text": confidence_label(level), "classes": CONFIDENCE_TAG_CLASSES[level]}


def confidence_mix_rows(mix: dict[confidence_rules.Confidence, int]) -> list[tuple[str, str, int]]:
    """(slug, label, count) for each confidence, lowest first: the mix shown beside a score."""
    return [(level.value, confidence_label(level), mix.get(level, 0)) for level in confidence_rules.LEVELS]


def confidence_summary(mix: dict[confidence_rules.Confidence, int]) -> dict:
    """The mix as govukSummaryList parameters."""
    return {"classes": "govuk-summary-list--no-border csp-confidence-mix",
            "rows": [{"key": {"text": label}, "value": {"text": str(count)}}
                     for _slug, label, count in confidence_mix_rows(mix)]}


def outcome_label(outcome: str) -> str:
    return {moderation.AGREE: _("Agree"), moderation.CHALLENGE: _("Challenge"),
            moderation.EVIDENCE_REQUESTED: _("Evidence requested")}[outcome]


def response_label(response: str) -> str:
    return {moderation.ACCEPT: _("Accepted the proposed level"), moderation.KEEP: _("Kept the rating"),
            moderation.EVIDENCE_ADDED: _("Added evidence")}[response]
