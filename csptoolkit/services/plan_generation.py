"""Generating and regenerating an improvement plan from an assessment's answers, and carrying last cycle's open
actions into it (the rules are domain/planning.py; this maps rows to them and back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import planning
from ..domain import standards as rules
from ..models import Assessment, Criterion, User
from ..models.plan import ImprovementPlan, PlanAction, PlanActionOrigin
from .assessments import answer_views, previous_assessment
from .audit import record
from .scores import MODERATED, SELF, answers_of, is_moderated, score_answers


@dataclass(frozen=True)
class Basis:
    """The answers a plan is built from, and what the rules make of them."""

    basis: str
    answers: dict
    states: dict[str, str]
    gaps: list[planning.Gap]


def criterion_ids(session: Session, version_id: int) -> dict[str, int]:
    """A version's criteria: their ids in the standards file -> their row ids (one query)."""
    return dict(session.execute(select(Criterion.key, Criterion.id)
                                .where(Criterion.framework_version_id == version_id)).all())


def basis_of(session: Session, assessment: Assessment, targets: dict[str, int], rows=None) -> Basis:
    """Moderated answers where the assessment has been moderated (self-assessed where a rating was not), else
    self-assessed ones; the criteria's states and gaps against `targets`."""
    rows = answer_views(session, assessment) if rows is None else rows
    basis = MODERATED if is_moderated(rows) else SELF
    answers = answers_of(rows, basis)
    version = assessment.cycle.framework_version
    framework = version.rules()
    return Basis(basis, answers, planning.criterion_states(framework, answers, targets),
                 planning.gaps(framework, answers, targets, score_answers(version, answers)))


def fallback_text(gap: planning.Gap) -> str:
    """What an action says (in English, stored) when the standards file gives no action for the level reached."""
    return f"Raise {gap.criterion_id} from level {gap.level_reached} to level {gap.target_level}."


def stored_text(gap: planning.Gap) -> str:
    return (gap.action_text or {}).get("en") or fallback_text(gap)


def touched(action: PlanAction) -> bool:
    """Whether the authority wrote into a generated action (carried ones always carry someone's work)."""
    return action.origin != planning.GENERATED or bool(
        action.owner or action.due_on or action.notes or action.text_edited or action.status != planning.NOT_STARTED)


def load_plan(session: Session, assessment_id: int) -> ImprovementPlan | None:
    """The assessment's plan with its actions, their origins and its targets, read afresh."""
    return session.execute(
        select(ImprovementPlan).where(ImprovementPlan.assessment_id == assessment_id)
        .options(selectinload(ImprovementPlan.actions).selectinload(PlanAction.carried_from),
                 selectinload(ImprovementPlan.targets))
        .execution_options(populate_existing=True)).scalar_one_or_none()


def regenerate(session: Session, user: User, assessment: Assessment, plan: ImprovementPlan,
               keys: dict[str, int], today: date) -> planning.Reconciled:
    """Bring the plan's actions up to date with the answers and targets (inside the caller's unit of work)."""
    by_row = {row_id: key for key, row_id in keys.items()}
    targets = {by_row[t.criterion_id]: t.target_level for t in plan.targets if t.criterion_id in by_row}
    found = basis_of(session, assessment, targets)
    plan.basis = found.basis
    existing = [planning.Existing(a.id, by_row.get(a.criterion_id) if a.criterion_id else None, a.origin, a.status,
                                  a.target_level, a.priority, touched(a)) for a in plan.actions]
    changes = planning.reconcile(existing, found.gaps, found.states, targets)
    actions = {a.id: a for a in plan.actions}
    for action_id in changes.reopen:
        actions[action_id].status, actions[action_id].done_on = planning.IN_PROGRESS, None
    for action_id, gap in changes.update.items():
        _fill(actions[action_id], gap)
    for action_id in changes.complete:
        actions[action_id].status, actions[action_id].done_on = planning.DONE, today
    for action_id in changes.remove:
        plan.actions.remove(actions[action_id])
    made = {}
    for gap in changes.create:
        made[gap.criterion_id] = PlanAction(criterion_id=keys[gap.criterion_id], origin=planning.GENERATED,
                                            status=planning.NOT_STARTED)
        _fill(made[gap.criterion_id], gap)
        plan.actions.append(made[gap.criterion_id])
    for priority, (kind, ref) in enumerate(changes.order, start=1):
        (actions[ref] if kind == "action" else made[ref]).priority = priority
    plan.generated_at = datetime.now(UTC)
    session.flush()
    return changes


def _fill(action: PlanAction, gap: planning.Gap) -> None:
    action.level_reached, action.target_level = gap.level_reached, gap.target_level
    action.priority_score = round(float(gap.score), 4)
    if not action.text_edited:
        action.text = stored_text(gap)


def previous_plan(session: Session, assessment: Assessment) -> tuple[Assessment, ImprovementPlan] | None:
    """The authority's plan of its previous cycle, when that cycle's version is this one's or the one it
    supersedes (so its actions map through the crosswalk)."""
    earlier = previous_assessment(session, assessment.organisation_id, assessment.cycle)
    if earlier is None:
        return None
    plan = load_plan(session, earlier.id)
    return None if plan is None else (earlier, plan)


def crosswalk_between(old: Assessment, new: Assessment) -> dict[str, tuple[str, ...]] | None:
    """The crosswalk from the old assessment's version to the new one's; None when both are on the same version."""
    if old.cycle.framework_version_id == new.cycle.framework_version_id:
        return None
    return dict(new.cycle.framework_version.rules().crosswalk)


def old_actions(session: Session, plan: ImprovementPlan, version_id: int) -> list[planning.OldAction]:
    keys = {row_id: key for key, row_id in criterion_ids(session, version_id).items()}
    return [planning.OldAction(a.id, keys.get(a.criterion_id) if a.criterion_id else None, a.status, a.text,
                               a.text_edited or a.origin == planning.OWN or a.criterion_id is None, a.owner,
                               a.due_on, a.notes, a.standard_key) for a in plan.actions]


def carry_into(session: Session, user: User, assessment: Assessment, plan: ImprovementPlan,
               keys: dict[str, int], framework: rules.Framework, audit: bool = True) -> int:
    """Carry the previous cycle's open actions into a new plan; returns how many actions were made. Recorded in
    the audit log unless `audit` is False (the demo data, which no one did)."""
    found = previous_plan(session, assessment)
    if found is None:
        return 0
    earlier, old_plan = found
    states = basis_of(session, assessment, {}).states
    olds = old_actions(session, old_plan, earlier.cycle.framework_version_id)
    carried = planning.carry_forward(olds, crosswalk_between(earlier, assessment), states,
                                     [s.id for s in framework.standards])
    plan.carried_from_plan_id = old_plan.id
    texts = {a.id: a.text for a in olds}
    for priority, item in enumerate(carried, start=1):
        action = PlanAction(
            criterion_id=keys[item.criterion_id] if item.criterion_id else None, origin=planning.CARRIED,
            standard_key=item.standard_key, priority=priority, priority_score=0, status=item.status,
            owner=item.owner, due_on=item.due_on, notes=item.notes,
            text=item.text or "\n\n".join(dict.fromkeys(texts[i] for i in item.from_ids)),
            text_edited=item.text is not None,
            carried_from=[PlanActionOrigin(from_action_id=old_id) for old_id in item.from_ids])
        plan.actions.append(action)
    session.flush()
    if audit:
        record(session, user, "plan.carried_forward", assessment, subject=str(old_plan.id),
               new={"carried": len(carried), "from_plan": old_plan.id})
    return len(carried)
