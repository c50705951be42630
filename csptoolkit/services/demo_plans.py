"""Demo improvement plans: a 2010 plan for a good number of authorities (the demo users' among them), worked on
as authorities do (owners, due dates, statuses and notes, some actions done, a few of their own), and carried into
their 2011 plans through the crosswalk, so that what closed between cycles can be seen.

Made by the same generation rules as the pages (services/plan_generation.py), from a seeded random generator:
running it twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import planning
from ..models import Assessment, Cycle, Organisation
from ..models.plan import ImprovementPlan, PlanAction
from .plan_generation import carry_into, criterion_ids, regenerate

SEED = "2011-plans"
DEMO_AUTHORITIES = ("383", "202", "681", "203")  # Leeds, Camden, Cardiff, Greenwich: the demo users' and more
SHARE = 0.3  # of the other authorities, about this many have plans

OWNERS = (
    "Head of Commissioning", "Joint Commissioning Manager (CAMHS)", "Head of Early Help",
    "Contracts and Procurement Manager", "Performance and Intelligence Lead", "Workforce Development Manager",
    "Assistant Director, Children's Services", "Participation and Engagement Officer",
    "Strategic Commissioning Lead, Disabled Children", "Head of Finance (Children's Services)",
)
NOTES = (
    "Draft taken to the children's trust board; comments back by the end of the month.",
    "Agreed with the PCT at the joint commissioning executive. Awaiting sign-off by the lead member.",
    "Data sharing agreement delayed by the PCT's information governance review.",
    "First workshop held with providers; second planned for the spring.",
    "Scope agreed; project lead named. Progress reported to the senior management team monthly.",
    "Paused while the 2011/12 budget is set; restart expected after the cabinet decision.",
    "Young commissioners reviewed the draft and their changes were taken in.",
    "Evidence collected for the next self-assessment.",
)
OWN_ACTIONS = (
    ("Review the commissioning team's structure after the spending review and agree the posts needed for 2011/12.",
     None),
    ("Set up a quarterly commissioning forum with the voluntary and community sector.", "M1"),
    ("Agree with schools forum how the early intervention grant will be spent before the new financial year.",
     "R4"),
)


def seed(session: Session, today: date) -> int:
    """Plans for the demo authorities and about a third of the rest in 2010, carried into 2011; returns how many
    plans were made (none when the demo already has them). The caller commits."""
    cycles = {c.slug: c for c in session.execute(select(Cycle).where(Cycle.slug.in_(("2010", "2011")))).scalars()}
    if len(cycles) < 2:
        return 0
    planned = set(session.execute(select(ImprovementPlan.assessment_id)).scalars())
    made = 0
    codes = _authorities(session)
    for slug in ("2010", "2011"):
        cycle = cycles[slug]
        keys = criterion_ids(session, cycle.framework_version_id)
        found = session.execute(
            select(Assessment).join(Organisation).where(Assessment.cycle_id == cycle.id, Organisation.code.in_(codes))
            .order_by(Organisation.code)).scalars().all()
        for assessment in found:
            if assessment.id in planned:
                continue
            rng = random.Random(f"{SEED}-{slug}-{assessment.organisation.code}")
            plan = ImprovementPlan(assessment_id=assessment.id, revision=1)
            session.add(plan)
            session.flush()
            if slug == "2011":
                carry_into(session, None, assessment, plan, keys, cycle.framework_version.rules(), audit=False)
            regenerate(session, None, assessment, plan, keys, today)
            _work_on(rng, plan, cycle, today, first=slug == "2010")
            plan.generated_at = datetime.combine(min(today, cycle.opens_on + timedelta(days=rng.randint(40, 100))),
                                                 time(9, 30), UTC)
            made += 1
    session.flush()
    return made


def _authorities(session: Session) -> list[str]:
    rng = random.Random(SEED)
    codes = list(session.execute(select(Organisation.code).order_by(Organisation.code)).scalars())
    return sorted(set(DEMO_AUTHORITIES) | {code for code in codes if rng.random() < SHARE})


def _work_on(rng: random.Random, plan: ImprovementPlan, cycle: Cycle, today: date, first: bool) -> None:
    """What an authority records on its plan: owners and due dates on most actions, progress on many."""
    start = cycle.opens_on + timedelta(days=30)
    for action in sorted(plan.actions, key=lambda a: a.priority):
        if action.origin == planning.CARRIED:
            if rng.random() < 0.6:  # most carried actions get a new date for this cycle
                action.due_on = start + timedelta(days=rng.randint(60, 240))
            if rng.random() < 0.25:
                action.notes = _joined(action.notes, "Carried from last year's plan; " + rng.choice(NOTES).lower())
            continue
        if rng.random() < 0.75:
            action.owner = rng.choice(OWNERS)
            action.due_on = start + timedelta(days=rng.randint(60, 420 if first else 200))
        roll = rng.random()
        if first and roll < 0.3:
            action.status, action.done_on = planning.DONE, min(today, start + timedelta(days=rng.randint(30, 300)))
            action.notes = rng.choice(NOTES)
        elif roll < (0.6 if first else 0.35):
            action.status = planning.IN_PROGRESS
            action.notes = rng.choice(NOTES)
    if first:
        for text, standard in rng.sample(OWN_ACTIONS, rng.randint(0, 2)):
            plan.actions.append(PlanAction(
                origin=planning.OWN, text=text, text_edited=True, standard_key=standard, priority_score=0,
                priority=max((a.priority for a in plan.actions), default=0) + 1, owner=rng.choice(OWNERS),
                due_on=start + timedelta(days=rng.randint(90, 300)),
                status=rng.choice((planning.NOT_STARTED, planning.IN_PROGRESS))))


def _joined(first: str | None, second: str) -> str:
    return f"{first}\n\n{second}" if first else second
