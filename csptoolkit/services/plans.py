"""Improvement plans (DESIGN §7): who may read and edit one, generating it, the authority's targets and actions,
each change one unit of work guarded by the plan's revision, and the plan as plain values (plan_report).

Optimistic locking: every change carries the revision of the plan the page showed. The check and the write are
one statement, `UPDATE improvement_plans SET revision = revision + 1 WHERE id = ? AND revision = ?`, the
transaction's first write: a second saver waits for the first's commit, then finds the revision moved and is
refused with PlanConflict (nothing saved). A page that has no plan yet shows revision 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import planning
from ..domain.roles import ADMIN, AUTHORITY_ROLES, EDITOR
from ..models import Assessment, User
from ..models.plan import ImprovementPlan, PlanAction, PlanTarget
from .assessments import NotAllowed, with_cycle
from .audit import record
from .plan_generation import carry_into, criterion_ids, load_plan, regenerate
from .transaction import unit_of_work

__all__ = ["ActionInput", "NotAllowed", "PlanConflict", "PlanRefused", "add_action", "delete_action", "edit_action",
           "generate", "may_edit_plan", "may_read_plan", "plan_report", "plan_revision", "readable", "report_for",
           "set_targets", "targets_of"]

OWNER_MAX, TEXT_MAX, NOTES_MAX = 120, 2000, 5000


class PlanConflict(Exception):
    """Someone changed the plan after this page was shown: nothing was saved. `revision` is the plan's now."""

    def __init__(self, revision: int | None) -> None:
        self.revision = revision
        super().__init__(f"the plan has changed since it was shown (now at revision {revision})")


class PlanRefused(ValueError):
    """A change the plan's rules refuse, naming the field and why (the page words it)."""

    def __init__(self, field: str, code: str, criterion_id: str | None = None) -> None:
        self.field, self.code, self.criterion_id = field, code, criterion_id
        super().__init__(f"{field}: {code}" + (f" ({criterion_id})" if criterion_id else ""))


# ----------------------------------------------------------------------------------------------------------
# Who may read and edit a plan (the what-if and learning pages ask the same)


def may_read_plan(user: User, assessment: Assessment) -> bool:
    """Programme admins read any plan; the authority's editors and viewers read their own; champions none."""
    return user.role == ADMIN or (user.role in AUTHORITY_ROLES and user.organisation_id == assessment.organisation_id)


def may_edit_plan(user: User, assessment: Assessment) -> bool:
    """Only the authority's editors edit its plan, in whatever state its assessment is (plans outlive review)."""
    return user.role == EDITOR and user.organisation_id == assessment.organisation_id


def readable(session: Session, user: User, assessment_id: int) -> Assessment:
    """The assessment, when the user may read its plan; otherwise NotAllowed (never a hint that it exists)."""
    assessment = session.execute(select(Assessment).where(Assessment.id == assessment_id)
                                 .options(*with_cycle())).scalar_one_or_none()
    if assessment is None or not may_read_plan(user, assessment):
        raise NotAllowed
    return assessment


def _editable(session: Session, user: User, assessment_id: int) -> Assessment:
    assessment = readable(session, user, assessment_id)
    if not may_edit_plan(user, assessment):
        raise NotAllowed
    return assessment


# ----------------------------------------------------------------------------------------------------------
# Reading


def plan_revision(session: Session, assessment_id: int) -> int | None:
    """The plan's revision now; None when the assessment has no plan yet."""
    return session.execute(select(ImprovementPlan.revision)
                           .where(ImprovementPlan.assessment_id == assessment_id)).scalar_one_or_none()


def targets_of(session: Session, assessment_id: int) -> dict[str, int]:
    """The targets the authority set, by criterion id in the standards file (criteria without one are absent)."""
    from ..models import Criterion

    rows = session.execute(
        select(Criterion.key, PlanTarget.target_level).join(PlanTarget, PlanTarget.criterion_id == Criterion.id)
        .join(ImprovementPlan, ImprovementPlan.id == PlanTarget.plan_id)
        .where(ImprovementPlan.assessment_id == assessment_id)).all()
    return dict(rows)


def plan_report(session: Session, user: User, assessment_id: int, today: date | None = None):
    """The plan of an assessment as plain values (reports.plans.PlanReport) for the page, spreadsheets and PDF:
    the authority, cycle, basis, overall and domain scores with bands, progress counts, the actions by priority
    with all their fields, what closed between cycles, and the answers with evidence notes for the appendix.

    NotAllowed when the user may not read the plan. With no plan yet, `exists` is False and the actions are
    empty (the page offers to generate one). `today` decides what is overdue (default: today, UTC).
    """
    return report_for(session, readable(session, user, assessment_id), today)


def report_for(session: Session, assessment: Assessment, today: date | None = None):
    """plan_report for an assessment the caller has already checked the user may read (readable)."""
    from .plan_report import build  # (plan_report imports this package's generation module)

    return build(session, assessment, today or datetime.now(UTC).date())


# ----------------------------------------------------------------------------------------------------------
# Changing: each one unit of work, refused when the plan moved since the page was shown


def _claim(session: Session, assessment: Assessment, seen_revision: int) -> ImprovementPlan | None:
    """Raise the plan's revision if it is still the one shown (the check and the write in one statement), and
    read the plan afresh; None when there is no plan and none was shown (revision 0)."""
    plan_id = session.execute(select(ImprovementPlan.id)
                              .where(ImprovementPlan.assessment_id == assessment.id)).scalar_one_or_none()
    if plan_id is None:
        if seen_revision:
            raise PlanConflict(None)
        return None
    done = session.execute(
        update(ImprovementPlan).where(ImprovementPlan.id == plan_id, ImprovementPlan.revision == seen_revision)
        .values(revision=ImprovementPlan.revision + 1).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise PlanConflict(session.execute(select(ImprovementPlan.revision)
                                           .where(ImprovementPlan.id == plan_id)).scalar_one())
    return load_plan(session, assessment.id)


def _new_plan(session: Session, user: User, assessment: Assessment, keys: dict[str, int]) -> ImprovementPlan:
    plan = ImprovementPlan(assessment_id=assessment.id, revision=1)
    session.add(plan)
    session.flush()
    carry_into(session, user, assessment, plan, keys, assessment.cycle.framework_version.rules())
    return plan


def _changing(session: Session, user: User, assessment_id: int, seen_revision: int, create: bool):
    """The assessment and its plan claimed for a change (made when `create` and there is none)."""
    assessment = _editable(session, user, assessment_id)
    keys = criterion_ids(session, assessment.cycle.framework_version_id)
    plan = _claim(session, assessment, seen_revision)
    made = False
    if plan is None:
        if not create:
            raise PlanConflict(None)
        plan, made = _new_plan(session, user, assessment, keys), True
    return assessment, plan, keys, made


def _unique(action):
    """Run a change; a plan made at the same moment by someone else (the unique assessment) is a conflict."""
    try:
        return action()
    except IntegrityError:
        raise PlanConflict(None) from None


def generate(session: Session, user: User, assessment_id: int, seen_revision: int) -> int:
    """Generate the assessment's plan, or regenerate it from the answers as they are now; returns its revision.

    The first generation carries the previous cycle's open actions forward (when that cycle's plan exists and its
    version is this one's or the one this supersedes). Regenerating keeps everything the authority wrote.
    """
    def change() -> int:
        with unit_of_work(session):
            assessment, plan, keys, made = _changing(session, user, assessment_id, seen_revision, create=True)
            changes = regenerate(session, user, assessment, plan, keys, datetime.now(UTC).date())
            record(session, user, "plan.generated" if made else "plan.regenerated", assessment,
                   subject=str(plan.id), new={"basis": plan.basis, "made": len(changes.create),
                                              "removed": len(changes.remove), "completed": len(changes.complete)})
            return plan.revision
    return _unique(change)


def set_targets(session: Session, user: User, assessment_id: int, targets: Mapping[str, int | None],
                seen_revision: int) -> None:
    """Set (or, with None, remove) the authority's target levels, keyed by criterion id in the standards file
    ("L1.1"), and regenerate the plan's actions from them, in one unit of work. Makes the plan if there is none
    (seen_revision 0). Raises PlanConflict when the plan's revision moved since `seen_revision`, NotAllowed for
    anyone but the authority's editors, and planning.TargetError (a ValueError naming the criterion) for a
    criterion the version does not have or a level outside its scale; nothing is saved then.
    """
    def change() -> None:
        with unit_of_work(session):
            assessment, plan, keys, made = _changing(session, user, assessment_id, seen_revision, create=True)
            framework = assessment.cycle.framework_version.rules()
            checked = {}
            for key, level in targets.items():
                if key not in keys:
                    raise planning.TargetError(key, "no such criterion in this version of the standards")
                checked[key] = None if level is None else planning.check_target(framework, key, level)
            current = {t.criterion_id: t for t in plan.targets}
            changed = {}
            for key, level in checked.items():
                row = current.get(keys[key])
                before = None if row is None else row.target_level
                if before == level:
                    continue
                changed[key] = (before, level)
                if level is None:
                    plan.targets.remove(row)
                elif row is None:
                    plan.targets.append(PlanTarget(criterion_id=keys[key], target_level=level))
                else:
                    row.target_level = level
            session.flush()
            regenerate(session, user, assessment, plan, keys, datetime.now(UTC).date())
            if made:
                record(session, user, "plan.generated", assessment, subject=str(plan.id), new={"basis": plan.basis})
            record(session, user, "plan.targets_set", assessment, subject=str(plan.id),
                   old={k: v[0] for k, v in changed.items()}, new={k: v[1] for k, v in changed.items()})
    _unique(change)


@dataclass(frozen=True)
class ActionInput:
    """What the authority records on an action. `text` None (or blank) on an action from the standards file
    puts back the file's words; an own action needs a text."""

    owner: str | None = None
    due_on: date | None = None
    status: str = planning.NOT_STARTED
    notes: str | None = None
    text: str | None = None
    standard_key: str | None = None  # where an own action belongs (optional)


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def _check(data: ActionInput, own: bool) -> None:
    if data.status not in planning.STATUSES:
        raise PlanRefused("status", "invalid")
    for name, limit in (("owner", OWNER_MAX), ("text", TEXT_MAX), ("notes", NOTES_MAX)):
        if len(getattr(data, name) or "") > limit:
            raise PlanRefused(name, "too_long")
    if own and not _clean(data.text):
        raise PlanRefused("text", "required")


def _apply(action: PlanAction, data: ActionInput, today: date) -> dict:
    before = _state(action)
    action.owner, action.due_on, action.notes = _clean(data.owner), data.due_on, _clean(data.notes)
    if action.status != data.status:
        action.done_on = today if data.status == planning.DONE else None
    action.status = data.status
    return before


def _state(action: PlanAction) -> dict:
    return {"owner": action.owner, "due_on": action.due_on.isoformat() if action.due_on else None,
            "status": action.status, "notes": action.notes, "text": action.text if action.text_edited else None}


def _find(plan: ImprovementPlan, action_id: int) -> PlanAction:
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        raise NotAllowed
    return action


def edit_action(session: Session, user: User, assessment_id: int, action_id: int, data: ActionInput,
                seen_revision: int, file_texts: Mapping[str, str] | None = None) -> None:
    """Record an action's owner, due date, status, notes and (own or edited) text.

    `file_texts` are the standards file's words for the action in every language ({en, cy}): a text posted
    unchanged from one of them is not an edit (a Welsh reader saving the Welsh text keeps the file's words).
    """
    with unit_of_work(session):
        assessment, plan, _keys, _made = _changing(session, user, assessment_id, seen_revision, create=False)
        action = _find(plan, action_id)
        own = action.criterion_id is None
        _check(data, own)
        before = _apply(action, data, datetime.now(UTC).date())
        text = _clean(data.text)
        if own:
            action.text, action.standard_key = text, data.standard_key or action.standard_key
        elif text is None or text in (file_texts or {}).values() or (text == action.text and not action.text_edited):
            action.text_edited = False
        else:
            action.text, action.text_edited = text, True
        record(session, user, "plan.action_edited", assessment, subject=str(action.id), old=before,
               new=_state(action))


def add_action(session: Session, user: User, assessment_id: int, data: ActionInput, seen_revision: int) -> int:
    """Add an action of the authority's own (naming no criterion; a standard if it says); returns its id."""
    with unit_of_work(session):
        assessment, plan, _keys, _made = _changing(session, user, assessment_id, seen_revision, create=False)
        _check(data, True)
        framework = assessment.cycle.framework_version.rules()
        if data.standard_key and data.standard_key not in {s.id for s in framework.standards}:
            raise PlanRefused("standard_key", "invalid")
        action = PlanAction(origin=planning.OWN, priority=max((a.priority for a in plan.actions), default=0) + 1,
                            priority_score=0, text=_clean(data.text), text_edited=True,
                            standard_key=data.standard_key or None, status=planning.NOT_STARTED)
        _apply(action, data, datetime.now(UTC).date())
        plan.actions.append(action)
        session.flush()
        record(session, user, "plan.action_added", assessment, subject=str(action.id), new=_state(action))
        return action.id


def delete_action(session: Session, user: User, assessment_id: int, action_id: int, seen_revision: int) -> None:
    """Delete an action that names no criterion (the authority's own, or one carried from last cycle's own).
    Actions from a gap are not deleted: they come back on regenerating; lower the target or mark them done."""
    with unit_of_work(session):
        assessment, plan, _keys, _made = _changing(session, user, assessment_id, seen_revision, create=False)
        action = _find(plan, action_id)
        if action.criterion_id is not None:
            raise PlanRefused("action", "not_own")
        before = _state(action)
        session.execute(delete(PlanAction).where(PlanAction.id == action.id))
        session.expire(plan, ["actions"])
        record(session, user, "plan.action_deleted", assessment, subject=str(action_id), old=before)
