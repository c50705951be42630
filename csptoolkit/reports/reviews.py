"""What a champion's review pages show: their list of reviews, each standard's review status, what is left before
moderation can be completed, and each criterion of a standard with its rating, evidence and finding; plain rows and
GOV.UK component parameters, worded in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from ..domain import confidence as confidence_rules
from ..domain import moderation, scoring
from ..domain import standards as rules
from ..domain.text import localise
from . import moderation as shown
from .assessments import linked

SEPARATOR = " · "


# ----------------------------------------------------------------------------------------------------------
# The champion's list of reviews


def progress_text(row) -> str:
    """How far a review has got, in words: "5 of 8 sampled criteria have a finding · 2 awaiting the authority ·
    1 awaiting your moderated level" (services/review_lists.ReviewRow)."""
    if row.completed:
        return _("Moderation completed")
    parts = [ngettext("%(found)d of %(num)d sampled criterion has a finding",
                      "%(found)d of %(num)d sampled criteria have a finding", row.sampled, found=row.found)]
    if row.awaiting_response:
        parts.append(_("%(num)d awaiting the authority", num=row.awaiting_response))
    if row.awaiting_level:
        parts.append(_("%(num)d awaiting your moderated level", num=row.awaiting_level))
    return SEPARATOR.join(parts)


def reviews_table(rows, caption: str, link: Callable[[int], str], tag: Callable[[str], Markup],
                  cycle_name: Callable[[Any], str]) -> dict:
    """govukTable parameters for the champion's reviews: the authority (linked, its cycle below), the status tag,
    and the progress: three columns, so that it reads at 375 px."""
    tags: dict[str, Markup] = {}
    names: dict[int, str] = {}
    body = []
    for row in rows:
        if row.cycle_id not in names:
            names[row.cycle_id] = cycle_name(row)
        body.append([{"html": linked(link(row.id), row.authority, names[row.cycle_id])},
                     {"html": tags.get(row.state) or tags.setdefault(row.state, tag(row.state))},
                     {"text": progress_text(row), "classes": "govuk-body-s"}])
    return {"caption": caption, "captionClasses": "govuk-visually-hidden",
            "head": [{"text": _("Authority")}, {"text": _("Status")}, {"text": _("Progress")}], "rows": body}


# ----------------------------------------------------------------------------------------------------------
# A review's standards and what is left


def _rated(answers: Mapping[str, Any], cid: str) -> bool:
    return answers.get(cid) is not None and answers.get(cid) != scoring.NA


@dataclass(frozen=True)
class StandardReview:
    """One standard's review: its sampled criteria still rated, findings, open challenges and requests (awaiting
    the authority or a moderated level), sampled criteria without a finding, and its status."""

    standard: rules.Standard
    sampled: int
    findings: int
    open: int
    missing: int
    commented: bool

    @property
    def status(self) -> str:
        """not_started, in_progress, recorded, or none_needed (nothing sampled, nothing found)."""
        if not self.findings and not self.commented:
            return "not_started" if self.sampled else "none_needed"
        return "in_progress" if self.missing or self.open else "recorded"


def standard_reviews(framework: rules.Framework, review) -> list[tuple[rules.Domain, list[StandardReview]]]:
    """Each domain with its standards' reviews, in framework order (services/moderation.Review)."""
    left = review.outstanding
    open_ = set(left.awaiting_response) | set(left.awaiting_level)
    missing, sample = set(left.no_finding), set(review.sample)
    result = []
    for domain in framework.domains:
        items = []
        for standard in domain.standards:
            ids = [c.id for c in standard.criteria]
            items.append(StandardReview(
                standard, sum(1 for cid in ids if cid in sample and _rated(review.answers, cid)),
                sum(1 for cid in ids if cid in review.findings), sum(1 for cid in ids if cid in open_),
                sum(1 for cid in ids if cid in missing), bool(review.comments.get(standard.id))))
        result.append((domain, items))
    return result


def standard_hint(item: StandardReview) -> str:
    parts = [ngettext("%(num)d sampled criterion", "%(num)d sampled criteria", item.sampled),
             ngettext("%(num)d finding", "%(num)d findings", item.findings)]
    if item.open:
        parts.append(ngettext("%(num)d challenge or request open", "%(num)d challenges or requests open", item.open))
    return SEPARATOR.join(parts)


def task_lists(reviews: list[tuple[rules.Domain, list[StandardReview]]], standard_url: Callable[[str], str],
               text: Callable[[Any], Markup]) -> list[tuple[rules.Domain, dict]]:
    """Each domain with the parameters of its govukTaskList: a standard (linked to its review page), its counts
    and its review status."""
    statuses = {
        "recorded": {"text": _("Findings recorded")},
        "none_needed": {"text": _("No finding needed"), "classes": "govuk-task-list__status--cannot-start-yet"},
        "in_progress": {"tag": {"text": _("In progress"), "classes": "govuk-tag--light-blue"}},
        "not_started": {"tag": {"text": _("Not started"), "classes": "govuk-tag--blue"}},
    }
    lists = []
    for number, (domain, items) in enumerate(reviews, start=1):
        lists.append((domain, {"idPrefix": f"review-domain-{number}", "items": [
            {"title": {"html": Markup("{} {}").format(item.standard.id, text(item.standard.title))},
             "href": standard_url(item.standard.id), "hint": {"text": standard_hint(item)},
             "status": statuses[item.status]} for item in items]}))
    return lists


def outstanding_items(framework: rules.Framework, left: moderation.Outstanding,
                      criterion_url: Callable[[str, str], str]) -> list[dict]:
    """What stops moderation being completed, one item per criterion linked to it on its standard's page (the
    errorList of govukErrorSummary, or a list on the page): `criterion_url(standard id, criterion id)`."""
    where = {c.id: s.id for s in framework.standards for c in s.criteria}
    wording = ((left.no_finding, _("%(id)s: in the evidence sample, no finding yet")),
               (left.awaiting_response, _("%(id)s: awaiting the authority's answer")),
               (left.awaiting_level, _("%(id)s: answered by the authority, needs your moderated level")))
    return [{"text": text % {"id": cid}, "href": criterion_url(where[cid], cid)}
            for ids, text in wording for cid in ids if cid in where]


def overview_gaps(framework: rules.Framework, own: scoring.Result, moderated: scoring.Result,
                  final: bool, language: str, text: Callable[[Any], Markup]) -> dict:
    """The self-assessed scores beside the moderated ones (so far, unless `final`), overall and by domain, with
    the gap."""
    caption = _("Self-assessed and moderated scores, out of 100, and the gap between them") if final else _(
        "Self-assessed and moderated scores so far, out of 100, and the gap between them")
    return shown.gaps_table(shown.gap_rows(framework, own, moderated, standards=False), caption, language, text)


# ----------------------------------------------------------------------------------------------------------
# A standard's criteria under review


@dataclass(frozen=True)
class CriterionReview:
    """A criterion of the standard as the review page shows it: `index` names its form fields."""

    index: int
    criterion: rules.Criterion
    answer: Any  # the answer row (services/assessments.AnswerView) or None
    rated: bool
    sampled: bool
    finding: Any  # services/moderation.FindingView or None
    confidence: confidence_rules.Confidence | None

    @property
    def answered(self) -> bool:
        """Whether the authority has answered the finding's challenge or request."""
        return self.finding is not None and self.finding.questioned and self.finding.response is not None


def criterion_reviews(standard: rules.Standard, review, rows: Mapping[str, Any],
                      visible: set[str] | frozenset[str]) -> list[CriterionReview]:
    """Every visible criterion of the standard, in order, with its answer, finding and confidence."""
    sample = set(review.sample)
    return [CriterionReview(index, c, rows.get(c.id), _rated(review.answers, c.id), c.id in sample,
                            review.findings.get(c.id), review.confidence.get(c.id))
            for index, c in enumerate(standard.criteria) if c.id in visible]


def level_options(framework: rules.Framework, criterion: rules.Criterion, language: str) -> list[tuple[str, str]]:
    """The levels a criterion can be moderated to, as (value, label) in plain text for a select: yes or no for a
    yes/no criterion, else each level with its label."""
    if criterion.type == rules.YESNO:
        return [(str(v), _("Yes") if v == framework.max_level else _("No"))
                for v in moderation.levels_of(framework, criterion)]
    labels = {level.value: localise(level.label or {}, language)[0] for level in framework.scale}
    return [(str(v), f"{v} – {labels[v]}" if labels.get(v) else str(v))
            for v in moderation.levels_of(framework, criterion)]


def level_text(framework: rules.Framework, criterion: rules.Criterion, level: int | None, language: str) -> str:
    """A level as the review pages read it (the option's label)."""
    return dict(level_options(framework, criterion, language)).get(str(level), "" if level is None else str(level))


def finding_rows(framework: rules.Framework, item: CriterionReview, language: str) -> list[dict]:
    """A recorded finding as govukSummaryList rows (the read-only page, and what the authority answered)."""
    finding = item.finding
    if finding is None:
        return []
    rows = [{"key": {"text": _("Finding")}, "value": {"text": shown.outcome_label(finding.outcome)}}]
    if finding.proposed_level is not None:
        rows.append({"key": {"text": _("Proposed level")},
                     "value": {"text": level_text(framework, item.criterion, finding.proposed_level, language)}})
    if finding.reason:
        rows.append({"key": {"text": _("Reason") if finding.outcome != moderation.EVIDENCE_REQUESTED
                             else _("Evidence wanted")}, "value": {"text": finding.reason}})
    if finding.moderated_level is not None:
        rows.append({"key": {"text": _("Moderated level")},
                     "value": {"text": level_text(framework, item.criterion, finding.moderated_level, language)}})
    return rows
