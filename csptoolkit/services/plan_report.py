"""An assessment's improvement plan read into plain values (reports.plans.PlanReport), in a fixed number of
queries whatever the number of actions: the entry point is services.plans.plan_report."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..domain import planning, scoring
from ..domain import standards as rules
from ..models import Assessment, Criterion, Cycle
from ..models.plan import ImprovementPlan, PlanAction
from ..reports.plans import ActionRow, AnswerRow, ClosedRow, PlanReport, ScoreLine
from .assessments import answer_views
from .plan_generation import basis_of, criterion_ids, crosswalk_between, load_plan
from .scores import score_answers


def build(session: Session, assessment: Assessment, today: date) -> PlanReport:
    version = assessment.cycle.framework_version
    framework = version.rules()
    rows = answer_views(session, assessment)
    plan = load_plan(session, assessment.id)
    keys = criterion_ids(session, version.id)
    by_row = {row_id: key for key, row_id in keys.items()}
    targets = {by_row[t.criterion_id]: t.target_level for t in plan.targets} if plan else {}
    found = basis_of(session, assessment, targets, rows)
    result = score_answers(version, found.answers)
    actions = tuple(_actions(framework, plan, by_row, today)) if plan else ()
    closed, carried_cycle, origins = _closed(session, assessment, plan, found.states) if plan else ((), None, {})
    if origins:
        by_id = {a.id: a for a in plan.actions}
        actions = tuple(_with_origins(a, origins, by_id[a.id]) for a in actions)
    return PlanReport(
        assessment_id=assessment.id, organisation_name=assessment.organisation.name,
        organisation_code=assessment.organisation.code, cycle_name=assessment.cycle.name,
        cycle_slug=assessment.cycle.slug, framework_label=f"{framework.framework} {framework.version}",
        assessment_state=assessment.state, basis=plan.basis if plan else found.basis, exists=plan is not None,
        revision=plan.revision if plan else 0, generated_at=plan.generated_at if plan else None,
        scores=_scores(framework, result), actions=actions,
        progress=planning.progress(((a.status, a.due_on) for a in actions), today),
        closed=tuple(closed), carried_from_cycle=carried_cycle, answers=tuple(_answers(framework, found, rows)),
        targets=targets, today=today)


def _scores(framework: rules.Framework, result: scoring.Result) -> tuple[ScoreLine, ...]:
    def band(score: scoring.Score):
        return score.band.label if score.band else None

    lines = [ScoreLine("overall", None, result.overall.value, band(result.overall),
                       result.overall.gated)]
    lines += [ScoreLine(d.id, d.title, result.domains[d.id].value, band(result.domains[d.id]),
                        result.domains[d.id].gated) for d in framework.domains]
    return tuple(lines)


def _texts(framework: rules.Framework, criterion: rules.Criterion | None, action) -> tuple[dict | None, str | None]:
    """(file text, own text) of an action: the authority's words when it wrote them; the file's action for the
    level reached; last cycle's words for a carried action not assessed yet; neither (a generic sentence)."""
    if criterion is None or action.text_edited:
        return None, action.text
    if action.level_reached is not None:
        return planning.action_text(criterion, action.level_reached), None
    return ({"en": action.text} if action.text else None), None


def _actions(framework: rules.Framework, plan: ImprovementPlan, by_row: dict[int, str], today: date):
    standard_of = {c.id: s for s in framework.standards for c in s.criteria}
    labels = {level.value: level.label for level in framework.scale}
    for action in sorted(plan.actions, key=lambda a: (a.priority, a.id)):
        key = by_row.get(action.criterion_id) if action.criterion_id else None
        criterion = framework.criterion(key) if key else None
        standard = standard_of[key] if key else (
            framework.standard(action.standard_key) if action.standard_key in {s.id for s in framework.standards}
            else None)
        file_text, own_text = _texts(framework, criterion, action)
        yield ActionRow(
            id=action.id, priority=action.priority, origin=action.origin, criterion_id=key,
            criterion_text=criterion.text if criterion else None, standard_id=standard.id if standard else None,
            standard_title=standard.title if standard else None, level_reached=action.level_reached,
            target_level=action.target_level, level_labels=labels,
            yesno=bool(criterion and criterion.type == rules.YESNO),
            gate=bool(criterion and action.level_reached is not None
                      and planning.is_gate(criterion, action.level_reached)),
            priority_score=Decimal(str(action.priority_score or 0)), file_text=file_text, own_text=own_text,
            owner=action.owner, due_on=action.due_on, status=action.status, done_on=action.done_on,
            notes=action.notes, overdue=planning.is_overdue(action.status, action.due_on, today))


def _with_origins(row: ActionRow, origins: dict[int, str | None], action: PlanAction) -> ActionRow:
    names = tuple(dict.fromkeys(origins[o.from_action_id] for o in action.carried_from
                                if origins.get(o.from_action_id)))
    return replace(row, carried_from=names) if names else row


def _closed(session: Session, assessment: Assessment, plan: ImprovementPlan, states: dict[str, str]):
    """Last cycle's actions this plan does not carry, and why; the name of that cycle; and the old criteria of
    last cycle's actions by id (what each carried action carries)."""
    if plan.carried_from_plan_id is None:
        return [], None, {}
    earlier = session.execute(
        select(Assessment).join(ImprovementPlan, ImprovementPlan.assessment_id == Assessment.id)
        .where(ImprovementPlan.id == plan.carried_from_plan_id)
        .options(joinedload(Assessment.cycle).joinedload(Cycle.framework_version))).scalar_one_or_none()
    if earlier is None:
        return [], None, {}
    old_framework = earlier.cycle.framework_version.rules()
    found = session.execute(
        select(PlanAction, Criterion.key).outerjoin(Criterion, Criterion.id == PlanAction.criterion_id)
        .where(PlanAction.plan_id == plan.carried_from_plan_id).order_by(PlanAction.priority, PlanAction.id)).all()
    olds = [planning.OldAction(a.id, key, a.status, a.text, a.text_edited or key is None, a.owner, a.due_on,
                               a.notes, a.standard_key) for a, key in found]
    crosswalk = crosswalk_between(earlier, assessment)
    linked = {o.from_action_id for a in plan.actions for o in a.carried_from}
    old_rows = {a.id: a for a, _key in found}
    rows = []
    old_by_id = {o.id: o for o in olds}
    old_ids = {c.id for c in old_framework.criteria}
    for closed in planning.closed_between(olds, crosswalk, states, linked):
        old = old_by_id[closed.action_id]
        row = old_rows[closed.action_id]
        criterion = old_framework.criterion(old.criterion_id) if old.criterion_id in old_ids else None
        file_text, own_text = _texts(old_framework, criterion, row)
        rows.append(ClosedRow(old.criterion_id, file_text, own_text, old.owner, old.status, closed.reason,
                              planning.successors_of(crosswalk, old.criterion_id) if old.criterion_id else ()))
    return rows, earlier.cycle.name, {o.id: o.criterion_id for o in olds}


def _answers(framework: rules.Framework, found, rows):
    by_key = {r.key: r for r in rows}
    visible = scoring.visible_criteria(framework, found.answers)
    labels = {level.value: level.label for level in framework.scale}
    for standard in framework.standards:
        for criterion in standard.criteria:
            if criterion.id not in visible:
                continue
            value = found.answers.get(criterion.id)
            row = by_key.get(criterion.id)
            level = None if value is None or value == scoring.NA else int(value)
            yield AnswerRow(criterion.id, criterion.text, standard.id, standard.title, level,
                            value == scoring.NA, criterion.type == rules.YESNO,
                            labels.get(level) if level is not None else None,
                            row.evidence_note if row else None,
                            tuple(f.filename for f in row.evidence_files) if row else ())
