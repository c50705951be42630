"""An improvement plan as plain values: what the plan page, its CSV and XLSX, and the plan PDF all show.

`services.plans.plan_report(session, user, assessment_id)` builds a PlanReport; nothing here touches the
database or the ORM. Text from the standards file stays a locale map ({en, cy}) so that each reader gets it in
their language; what the authority typed is a plain string (their own words, shown as written).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain import planning
from ..domain.text import localise

STATUS_LABELS = {planning.NOT_STARTED: _l("Not started"), planning.IN_PROGRESS: _l("In progress"),
                 planning.DONE: _l("Done")}
STATUS_TAG_CLASSES = {planning.NOT_STARTED: "govuk-tag--grey", planning.IN_PROGRESS: "govuk-tag--blue",
                      planning.DONE: "govuk-tag--green"}
ORIGIN_LABELS = {planning.GENERATED: _l("From the assessment"), planning.OWN: _l("Added by the authority"),
                 planning.CARRIED: _l("Carried from last cycle")}
CLOSED_LABELS = {
    planning.CLOSED_DONE: _l("Done last cycle"),
    planning.CLOSED_RETIRED: _l("Criterion retired in this version of the standards"),
    planning.CLOSED_REACHED: _l("Target reached in this cycle's answers"),
    planning.CLOSED_NOT_APPLICABLE: _l("Not applicable in this cycle"),
    planning.CLOSED_REMOVED: _l("Removed from this cycle's plan"),
}
BASIS_LABELS = {"self": _l("self-assessed answers"), "moderated": _l("moderated answers (self-assessed where a "
                                                                      "rating was not moderated)")}


@dataclass(frozen=True)
class ScoreLine:
    """The overall score or one domain's: the figure as people read it, and its band."""

    key: str  # "overall" or the domain id
    title: Mapping[str, str] | None  # the domain's title; None for the overall score
    score: Decimal | None
    band: Mapping[str, str] | None
    gated: bool = False


@dataclass(frozen=True)
class ActionRow:
    """One action of the plan, by priority, with everything the authority recorded on it."""

    id: int
    priority: int
    origin: str
    criterion_id: str | None
    criterion_text: Mapping[str, str] | None
    standard_id: str | None
    standard_title: Mapping[str, str] | None
    level_reached: int | None
    target_level: int | None
    level_labels: Mapping[int, Mapping[str, str]]  # the scale's labels, to word the levels
    yesno: bool
    gate: bool
    priority_score: Decimal
    file_text: Mapping[str, str] | None  # the standards file's action (None: the authority's own words)
    own_text: str | None  # what the authority wrote (an edited or own action)
    owner: str | None
    due_on: date | None
    status: str
    done_on: date | None
    notes: str | None
    overdue: bool
    carried_from: tuple[str, ...] = ()  # last cycle's criteria it carries forward

    @property
    def has_gap(self) -> bool:
        return self.level_reached is not None and self.target_level is not None \
            and self.target_level > self.level_reached

    def text(self, language: str) -> str:
        """The action in a language: the authority's own words as written, else the file's text (English when
        the file has no translation)."""
        if self.own_text is not None:
            return self.own_text
        if self.file_text:
            return localise(self.file_text, language)[0]
        return _("Raise %(id)s from %(reached)s to %(target)s", id=self.criterion_id or "",
                 reached=self.level_text(self.level_reached, language),
                 target=self.level_text(self.target_level, language))

    def level_text(self, level: int | None, language: str) -> str:
        if level is None:
            return ""
        if self.yesno:
            return _("Yes") if level > 0 else _("No")
        label = self.level_labels.get(level)
        return f"{level} – {localise(label, language)[0]}" if label else str(level)


@dataclass(frozen=True)
class ClosedRow:
    """An action of last cycle's plan that this cycle's does not carry, and why."""

    criterion_id: str | None
    file_text: Mapping[str, str] | None  # the standards file's action as it read last cycle
    own_text: str | None  # or the authority's own words
    owner: str | None
    status: str
    reason: str
    becomes: tuple[str, ...] = ()  # the criteria of this version it maps to

    def text(self, language: str) -> str:
        if self.own_text is not None:
            return self.own_text
        return localise(self.file_text, language)[0] if self.file_text else ""

    @property
    def reason_label(self) -> str:
        return str(CLOSED_LABELS[self.reason])


@dataclass(frozen=True)
class AnswerRow:
    """One visible criterion's answer, for the appendix."""

    criterion_id: str
    criterion_text: Mapping[str, str]
    standard_id: str
    standard_title: Mapping[str, str]
    level: int | None
    not_applicable: bool
    yesno: bool
    level_label: Mapping[str, str] | None
    evidence_note: str | None
    evidence_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanReport:
    """Everything an improvement plan shows, in plain values (see services.plans.plan_report)."""

    assessment_id: int
    organisation_name: str
    organisation_code: str
    cycle_name: str
    cycle_slug: str
    framework_label: str
    assessment_state: str
    basis: str  # "self" or "moderated": the answers the plan was built from
    exists: bool  # False: no plan has been generated yet (the rest is what one would start from)
    revision: int  # 0 when there is no plan yet
    generated_at: datetime | None
    scores: tuple[ScoreLine, ...]
    progress: planning.Progress
    actions: tuple[ActionRow, ...]
    closed: tuple[ClosedRow, ...] = ()
    carried_from_cycle: str | None = None  # the name of the cycle whose plan was carried into this one
    answers: tuple[AnswerRow, ...] = ()
    targets: Mapping[str, int] = field(default_factory=dict)
    today: date | None = None

    @property
    def overall(self) -> ScoreLine:
        return self.scores[0]

    @property
    def domains(self) -> tuple[ScoreLine, ...]:
        return self.scores[1:]


# ----------------------------------------------------------------------------------------------------------
# Spreadsheets: the plan's actions, one row each, numbers as numbers


def action_header() -> list[str]:
    return [_("Priority"), _("Criterion"), _("Standard"), _("Action"), _("Level reached"), _("Target level"),
            _("Mandatory gate"), _("Overall points if reached"), _("Where from"), _("Owner"), _("Due date"),
            _("Status"), _("Done on"), _("Overdue"), _("Progress notes")]


def action_rows(report: PlanReport, language: str) -> list[list]:
    """The actions as spreadsheet rows: priorities, levels and points as numbers, dates as dates."""
    rows = []
    for action in report.actions:
        rows.append([
            action.priority, action.criterion_id or "", action.standard_id or "", action.text(language),
            action.level_reached, action.target_level, _("Yes") if action.gate else _("No"),
            action.priority_score if action.criterion_id else None, str(ORIGIN_LABELS[action.origin]),
            action.owner or "", action.due_on, str(STATUS_LABELS[action.status]), action.done_on,
            _("Yes") if action.overdue else _("No"), action.notes or ""])
    return rows


def export_name(report: PlanReport) -> str:
    """The downloads' file name (without extension): plan-<authority code>-<cycle>."""
    return f"plan-{report.organisation_code}-{report.cycle_slug}"


@lru_cache(maxsize=4096)  # a plan shows a hundred of them, and Babel takes its time over each
def points(value: Decimal, language: str) -> str:
    """Overall points a target is worth, as people read them (two decimals: most are small)."""
    return format_decimal(value, format="#,##0.00", locale=language)
