"""Gaps to prioritised improvement actions, regenerating a plan without losing the authority's words, and carrying
open actions into the next cycle through the crosswalk (DESIGN §7).

The rules, precisely:

- **Which criteria**: a criterion gets an action only when it is visible, answered and not N/A (DESIGN §4), and
  its level reached is below its target.
- **Target**: the level the authority set (`targets`), else the next level up: reached + 1 on a level scale, the
  top of the scale ("yes") for a yes/no criterion; a criterion at the top has no default target. A mandatory
  criterion below its minimum_level (a *gate*) aims by default at least at its minimum_level, since the next level
  up would leave its standard capped. A target at or below the level reached gives no action.
- **Gap** = target - level reached, in levels of the file's scale (yes/no counts as 0 or the top).
- **Weight** = the criterion's share of the overall score: its weight over the summed weights of its standard's
  scored criteria, times its standard's weight over its domain's scored standards', times its domain's weight over
  the scored domains'. So **priority score** = 100 x weight x gap / top of scale is exactly how many points the
  overall score would rise if this criterion alone reached its target (the scoring's own arithmetic).
- **Priority**: gates first, then priority score descending; ties by the criterion's order in the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from . import scoring
from .standards import YESNO, Criterion, Framework

NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE)
GENERATED, OWN, CARRIED = "generated", "own", "carried"

# What a criterion is, for a plan, in an assessment: below its target, at or above it, N/A, or not assessed
# (unanswered, or hidden by its depends_on).
GAP, REACHED, NOT_APPLICABLE, NOT_ASSESSED = "gap", "reached", "not_applicable", "not_assessed"
# Why an action of last cycle's plan is not carried into this one (what closed between cycles).
CLOSED_DONE, CLOSED_RETIRED, CLOSED_REACHED, CLOSED_NOT_APPLICABLE, CLOSED_REMOVED = (
    "done", "retired", "reached", "not_applicable", "removed")


class TargetError(ValueError):
    """A target that does not fit its criterion; names the criterion."""

    def __init__(self, criterion_id: str, message: str):
        self.criterion_id = criterion_id
        super().__init__(f"{criterion_id}: {message}")


def check_target(framework: Framework, criterion_id: str, level: int) -> int:
    """A target level as the authority set it: a whole level on the scale (yes/no: 0 or the top)."""
    try:
        criterion = framework.criterion(criterion_id)
    except KeyError:
        raise TargetError(criterion_id, "no such criterion in this version of the standards") from None
    top = framework.max_level
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= top:
        raise TargetError(criterion_id, f"a target must be a level 0..{top}, not {level!r}")
    if criterion.type == YESNO and level not in (0, top):
        raise TargetError(criterion_id, f"a yes/no criterion's target is 0 (no) or {top} (yes), not {level}")
    return level


def is_gate(criterion: Criterion, reached: int) -> bool:
    """A mandatory criterion answered below its minimum level: it caps its standard's band (DESIGN §4)."""
    return criterion.mandatory and criterion.minimum_level is not None and reached < criterion.minimum_level


def default_target(framework: Framework, criterion: Criterion, reached: int) -> int | None:
    """The next level up (yes/no: yes; a gate: at least its minimum level); None at the top of the scale."""
    top = framework.max_level
    if reached >= top:
        return None
    target = top if criterion.type == YESNO else reached + 1
    if is_gate(criterion, reached):
        target = max(target, min(top, criterion.minimum_level or 0))
    return target


def target_for(framework: Framework, criterion: Criterion, reached: int, targets: Mapping[str, int]) -> int | None:
    """The authority's target for the criterion when it set one, else the default target."""
    if criterion.id in targets:
        return targets[criterion.id]
    return default_target(framework, criterion, reached)


@dataclass(frozen=True)
class Gap:
    """One criterion below its target: what the plan's action for it is made of."""

    criterion_id: str
    standard_id: str
    level_reached: int
    target_level: int
    gate: bool
    weight: Fraction  # the criterion's share of the overall score (see the module's docstring)
    score: Fraction  # 100 x weight x gap / top: overall points gained by reaching the target
    position: int  # the criterion's place in the file
    action_text: Mapping[str, str] | None  # the standards file's action for the level reached ({en, cy})

    @property
    def gap(self) -> int:
        return self.target_level - self.level_reached


def criterion_states(framework: Framework, answers: Mapping[str, scoring.Answer],
                     targets: Mapping[str, int] | None = None) -> dict[str, str]:
    """Each criterion's state for a plan: GAP, REACHED, NOT_APPLICABLE or NOT_ASSESSED."""
    targets = targets or {}
    visible = scoring.visible_criteria(framework, answers)
    states = {}
    for criterion in framework.criteria:
        answer = answers.get(criterion.id)
        if criterion.id not in visible or answer is None:
            states[criterion.id] = NOT_ASSESSED
        elif answer == scoring.NA:
            states[criterion.id] = NOT_APPLICABLE
        else:
            target = target_for(framework, criterion, int(answer), targets)
            states[criterion.id] = GAP if target is not None and target > int(answer) else REACHED
    return states


def _shares(framework: Framework, result: scoring.Result) -> dict[str, Fraction]:
    """Each scored criterion's share of the overall score, from the scores' own scored sets."""
    shares: dict[str, Fraction] = {}
    domains_total = sum((Fraction(d.weight) for d in framework.domains
                         if result.domains[d.id].exact is not None), Fraction(0))
    for domain in framework.domains:
        if result.domains[domain.id].exact is None:
            continue
        standards_total = sum((Fraction(s.weight) for s in domain.standards
                               if result.standards[s.id].exact is not None), Fraction(0))
        for standard in domain.standards:
            lines = [line for line in result.standards[standard.id].parts if line.status == "scored"]
            if not lines:
                continue
            criteria_total = sum((Fraction(line.weight) for line in lines), Fraction(0))
            for line in lines:
                shares[line.criterion_id] = (Fraction(line.weight) / criteria_total
                                             * Fraction(standard.weight) / standards_total
                                             * Fraction(domain.weight) / domains_total)
    return shares


def action_text(criterion: Criterion, level: int) -> Mapping[str, str] | None:
    """The standards file's action for a level reached on the criterion, if the file gives one."""
    return criterion.actions.get(level)


def gaps(framework: Framework, answers: Mapping[str, scoring.Answer],
         targets: Mapping[str, int] | None = None, result: scoring.Result | None = None) -> list[Gap]:
    """Every criterion below its target, in priority order (gates, then priority score, then file order).

    `result` is scoring.score(framework, answers) when the caller already has it (it is not worked out again)."""
    targets = targets or {}
    result = result or scoring.score(framework, answers)
    shares = _shares(framework, result)
    top = framework.max_level
    found = []
    position = 0
    for standard in framework.standards:
        for criterion in standard.criteria:
            position += 1
            if criterion.id not in shares:  # hidden, unanswered or N/A
                continue
            reached = int(answers[criterion.id])
            target = target_for(framework, criterion, reached, targets)
            if target is None or target <= reached:
                continue
            weight = shares[criterion.id]
            found.append(Gap(criterion.id, standard.id, reached, target, is_gate(criterion, reached), weight,
                             100 * weight * (target - reached) / top, position, action_text(criterion, reached)))
    return sorted(found, key=lambda g: (not g.gate, -g.score, g.position))


# ----------------------------------------------------------------------------------------------------------
# Regenerating: new answers or targets, and what the authority wrote is kept


@dataclass(frozen=True)
class Existing:
    """An action already in the plan, as regeneration needs to know it."""

    id: int
    criterion_id: str | None
    origin: str
    status: str
    target_level: int | None
    priority: int
    touched: bool  # the authority wrote into it: an owner, a due date, notes, a status or its own text


@dataclass
class Reconciled:
    """What regenerating does to a plan's actions; `order` is every action kept or made, in priority order:
    ("action", id) for one kept, ("new", criterion id) for one to make."""

    update: dict[int, Gap] = field(default_factory=dict)
    create: list[Gap] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)
    complete: list[int] = field(default_factory=list)  # kept and now done: the answer reached its target
    reopen: list[int] = field(default_factory=list)  # done, and the authority set a new target: in progress again
    order: list[tuple[str, int | str]] = field(default_factory=list)


def reconcile(existing: Sequence[Existing], found: Sequence[Gap], states: Mapping[str, str],
              targets: Mapping[str, int] | None = None) -> Reconciled:
    """Match the plan's actions to the gaps found now (`targets`: the ones the authority set).

    An action aims at its own target level. When the answer reaches it, an action the authority wrote into is
    marked done and kept (the next level up waits for the next cycle, or for a target the authority sets), and an
    untouched one simply moves on to the gap found now. A gap with an action otherwise updates it (its level,
    target and priority; its text too unless the authority edited it); a target the authority changed re-opens a
    done action. A gap without an action makes a generated one. An action whose criterion has no gap now (the
    target was lowered, or the criterion is N/A or no longer asked) is removed when untouched and kept as it is
    when touched. Own actions (no criterion) are never changed. Priority: the gaps' order, then every other
    action kept, in its old order.
    """
    targets = targets or {}
    result = Reconciled()
    by_criterion = {a.criterion_id: a for a in existing if a.criterion_id is not None}
    placed: set[int] = set()
    for gap in found:
        action = by_criterion.get(gap.criterion_id)
        if action is None:
            result.create.append(gap)
            result.order.append(("new", gap.criterion_id))
            continue
        retargeted = gap.criterion_id in targets and targets[gap.criterion_id] != action.target_level
        reached_own = action.target_level is not None and gap.level_reached >= action.target_level
        if action.touched and reached_own and not retargeted:
            if action.status != DONE:
                result.complete.append(action.id)
            continue
        result.update[action.id] = gap
        if retargeted and action.status == DONE:
            result.reopen.append(action.id)
        result.order.append(("action", action.id))
        placed.add(action.id)
    for action in sorted(existing, key=lambda a: (a.priority, a.id)):
        if action.id in placed:
            continue
        if action.criterion_id is not None and action.id not in result.complete:
            if not action.touched:
                result.remove.append(action.id)
                continue
            if states.get(action.criterion_id) == REACHED and action.status != DONE:
                result.complete.append(action.id)
        result.order.append(("action", action.id))
    return result


# ----------------------------------------------------------------------------------------------------------
# Carrying open actions into the next cycle's plan through the crosswalk


@dataclass(frozen=True)
class OldAction:
    """An action of last cycle's plan."""

    id: int
    criterion_id: str | None
    status: str
    text: str
    text_edited: bool
    owner: str | None = None
    due_on: date | None = None
    notes: str | None = None
    standard_key: str | None = None


@dataclass(frozen=True)
class Carried:
    """An action of this cycle's plan made from one or more of last cycle's open actions."""

    criterion_id: str | None
    from_ids: tuple[int, ...]
    status: str
    owner: str | None
    due_on: date | None
    notes: str | None
    text: str | None  # the authority's own words (edited or own actions), else None: the file's text is used
    standard_key: str | None


@dataclass(frozen=True)
class Closed:
    """An action of last cycle's plan not carried into this one, and why."""

    action_id: int
    reason: str


def successors_of(crosswalk: Mapping[str, Sequence[str]] | None, criterion_id: str) -> tuple[str, ...]:
    """The new criteria an old one maps to (none: retired). No crosswalk means the same version: itself."""
    if crosswalk is None:
        return (criterion_id,)
    return tuple(crosswalk.get(criterion_id, ()))


def _joined(values: Iterable[str | None], limit: int | None = None) -> str | None:
    distinct = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if not distinct:
        return None
    text = "; ".join(distinct) if limit else "\n\n".join(distinct)
    return text[:limit] if limit else text


OWNER_MAX = 120


def carry_forward(old: Sequence[OldAction], crosswalk: Mapping[str, Sequence[str]] | None,
                  states: Mapping[str, str], standards: Iterable[str] = ()) -> list[Carried]:
    """Last cycle's open actions as this cycle's: through the crosswalk (None: the same version).

    Unchanged or reworded: one to one. Split: one old action gives one on each new criterion. Merged: the old
    actions of every criterion merged give one (owners and notes joined, the earliest due date, in progress if any
    was). Retired: not carried. An old action is carried onto a new criterion that is below its target or not yet
    assessed; not onto one at or above its target, or N/A (those are closed: see closed_between). The authority's
    own words (an edited text) are carried; the file's text otherwise. Own actions that name no criterion are
    carried as they are, with their standard when this version still has it.
    """
    standards = set(standards)
    by_new: dict[str, list[OldAction]] = {}
    carried = []
    for action in old:
        if action.status == DONE:
            continue
        if action.criterion_id is None:
            carried.append(Carried(None, (action.id,), action.status, action.owner, action.due_on, action.notes,
                                   action.text, action.standard_key if action.standard_key in standards else None))
            continue
        for new_id in successors_of(crosswalk, action.criterion_id):
            if states.get(new_id) in (GAP, NOT_ASSESSED):
                by_new.setdefault(new_id, []).append(action)
    for new_id, actions in by_new.items():
        due = [a.due_on for a in actions if a.due_on is not None]
        carried.append(Carried(
            new_id, tuple(a.id for a in actions),
            IN_PROGRESS if any(a.status == IN_PROGRESS for a in actions) else NOT_STARTED,
            _joined((a.owner for a in actions), OWNER_MAX), min(due) if due else None,
            _joined(a.notes for a in actions), _joined(a.text for a in actions if a.text_edited), None))
    return carried


def closed_between(old: Sequence[OldAction], crosswalk: Mapping[str, Sequence[str]] | None,
                   states: Mapping[str, str], carried_ids: Iterable[int]) -> list[Closed]:
    """Last cycle's actions that this cycle's plan does not carry, and why: done last cycle; their criterion
    retired; every criterion it became at or above its target (or N/A) now; or removed from this plan."""
    carried_ids = set(carried_ids)
    closed = []
    for action in old:
        if action.id in carried_ids:
            continue
        if action.status == DONE:
            reason = CLOSED_DONE
        elif action.criterion_id is None:
            reason = CLOSED_REMOVED
        else:
            new_ids = successors_of(crosswalk, action.criterion_id)
            now = {states.get(n) for n in new_ids}
            if not new_ids:
                reason = CLOSED_RETIRED
            elif now == {NOT_APPLICABLE}:
                reason = CLOSED_NOT_APPLICABLE
            elif now <= {REACHED, NOT_APPLICABLE}:
                reason = CLOSED_REACHED
            else:
                reason = CLOSED_REMOVED
        closed.append(Closed(action.id, reason))
    return closed


# ----------------------------------------------------------------------------------------------------------
# Progress


@dataclass(frozen=True)
class Progress:
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0  # due before today and not done (also counted in in_progress or not_started)

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.not_started


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    return status != DONE and due_on is not None and due_on < today


def progress(actions: Iterable[tuple[str, date | None]], today: date) -> Progress:
    """Counts of (status, due date) pairs: done, in progress, not started, and overdue."""
    counts = {DONE: 0, IN_PROGRESS: 0, NOT_STARTED: 0}
    overdue = 0
    for status, due_on in actions:
        counts[status] = counts.get(status, 0) + 1
        overdue += is_overdue(status, due_on, today)
    return Progress(counts[DONE], counts[IN_PROGRESS], counts[NOT_STARTED], overdue)
