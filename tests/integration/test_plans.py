"""Improvement plans through the services (services/plans.py) on SQLite and PostgreSQL: generating, regenerating
without losing the authority's work, targets, carrying forward from mini-1 into mini-2 through the crosswalk,
conflicts, and who may do what.

mini-1 (scale 0..4): domain a (weight 2) has A1 (weight 1: A1.1 weight 1; A1.2 weight 2, mandatory at level 2;
A1.3 yes/no) and A2 (weight 3: A2.1, A2.2 asked once A2.1 is 2 or more); domain b (weight 1) has B1 (B1.1).
The 2010-like cycle's answers A1.1 = 1, A1.2 = 1, A1.3 = no, A2.1 = 3, A2.2 = 4, B1.1 = 2 give, by hand (each
criterion's share of the overall score x gap x 100 / 4):
  A1.2 gate, 1 -> 2: 1/12 x 1 x 25 = 2.0833   B1.1 2 -> 3: 1/3 x 25 = 8.3333   A2.1 3 -> 4: 1/4 x 25 = 6.25
  A1.3 no -> yes: 1/24 x 4 x 25 = 4.1667      A1.1 1 -> 2: 1/24 x 25 = 1.0417  A2.2 is at the top: no action.
mini-2 (scale 0..2) rewords A1.1, splits A1.2 into A1.2a and A1.2b (yes/no), retires A1.3 and adds B1.2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, AuditEvent, Criterion, Cycle, FrameworkVersion
from csptoolkit.models.plan import ImprovementPlan, PlanAction, PlanActionOrigin
from csptoolkit.services import organisations, plans, standards
from csptoolkit.services.accounts import create_user
from csptoolkit.services.transaction import unit_of_work

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"
FIRST = {"A1.1": 1, "A1.2": 1, "A1.3": 0, "A2.1": 3, "A2.2": 4, "B1.1": 2}
SECOND = {"A1.1": 1, "A1.2a": 0, "A1.2b": 0, "A2.1": 1, "A2.2": 1, "B1.1": 2, "B1.2": 1}


def _assessment(cycle: Cycle, organisation_id: int, answers: dict) -> Assessment:
    assessment = Assessment(cycle=cycle, organisation_id=organisation_id, state=states.SUBMITTED)
    criteria = {c.key: c for c in cycle.framework_version.criteria}
    for key, value in answers.items():
        assessment.answers.append(Answer(criterion=criteria[key], level=value))
    db.session.add(assessment)
    return assessment


@pytest.fixture
def world(app: Flask):
    """Leeds's assessments on mini-1 (last cycle) and mini-2 (this one), its editor and viewer, Camden's editor,
    a programme admin and a champion."""
    with unit_of_work(db.session):
        standards.load(db.session, [ROOT / "tests" / "fixtures" / "mini-1.yaml",
                                    ROOT / "tests" / "fixtures" / "mini-2.yaml"])
        organisations.import_register(db.session, ROOT / "csptoolkit" / "data")
        one, two = db.session.execute(select(FrameworkVersion).order_by(FrameworkVersion.id)).scalars().all()
        today = datetime.now(UTC).date()
        last = Cycle(slug="mini-1", name="2010 self-assessment", framework_version=one,
                     opens_on=today - timedelta(days=400), closes_on=today - timedelta(days=200))
        this = Cycle(slug="mini-2", name="2011 self-assessment", framework_version=two,
                     opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=30))
        db.session.add_all([last, this])
        people = {
            "admin": create_user(db.session, "admin@programme.example", "admin", PASSWORD),
            "editor": create_user(db.session, "editor@leeds.example", "editor", PASSWORD, organisation_code="383"),
            "viewer": create_user(db.session, "viewer@leeds.example", "viewer", PASSWORD, organisation_code="383"),
            "camden": create_user(db.session, "editor@camden.example", "editor", PASSWORD, organisation_code="202"),
            "champion": create_user(db.session, "champion@champions.example", "champion", PASSWORD),
        }
        db.session.flush()
        old = _assessment(last, people["editor"].organisation_id, FIRST)
        new = _assessment(this, people["editor"].organisation_id, SECOND)
    return {"old": old.id, "new": new.id, **people}


def actions_of(assessment_id: int) -> list[PlanAction]:
    db.session.expire_all()
    return list(db.session.execute(select(PlanAction).join(ImprovementPlan).where(
        ImprovementPlan.assessment_id == assessment_id).order_by(PlanAction.priority)).scalars())


def keys() -> dict[int, str]:
    return dict(db.session.execute(select(Criterion.id, Criterion.key)).all())


def by_criterion(assessment_id: int) -> dict[str | None, PlanAction]:
    names = keys()
    return {names.get(a.criterion_id): a for a in actions_of(assessment_id)}


def test_generate_gives_actions_by_priority_with_the_files_text(world) -> None:
    revision = plans.generate(db.session, world["editor"], world["old"], 0)
    assert revision == 1
    names = keys()
    found = actions_of(world["old"])
    assert [names[a.criterion_id] for a in found] == ["A1.2", "B1.1", "A2.1", "A1.3", "A1.1"]
    assert [a.priority for a in found] == [1, 2, 3, 4, 5]
    assert [a.priority_score for a in found] == [Decimal("2.0833"), Decimal("8.3333"), Decimal("6.2500"),
                                                 Decimal("4.1667"), Decimal("1.0417")]
    assert [(a.level_reached, a.target_level) for a in found] == [(1, 2), (2, 3), (3, 4), (0, 4), (1, 2)]
    assert all(a.origin == "generated" and not a.text_edited for a in found)
    report = plans.plan_report(db.session, world["editor"], world["old"])
    assert report.exists and report.basis == "self" and report.revision == 1
    assert report.actions[0].gate and not report.actions[1].gate
    assert (report.progress.not_started, report.progress.done) == (5, 0)
    # A1 = 100 x (1 + 2 + 0) / 16 = 18.75, A2 = 87.5, a = (18.75 + 3 x 87.5) / 4 = 70.3125, b = 50:
    # overall = (2 x 70.3125 + 50) / 3 = 63.54 -> 63.5.
    assert report.overall.score == Decimal("63.5")
    event = db.session.execute(select(AuditEvent).filter_by(action="plan.generated")).scalar_one()
    assert event.assessment_id == world["old"]


def test_regenerating_keeps_what_the_authority_wrote(world) -> None:
    plans.generate(db.session, world["editor"], world["old"], 0)
    actions = by_criterion(world["old"])
    plans.edit_action(db.session, world["editor"], world["old"], actions["B1.1"].id, plans.ActionInput(
        owner="Head of Commissioning", due_on=date(2011, 3, 31), status="in_progress", notes="Draft to the board",
        text="Our own words for B1.1"), seen_revision=1)
    own = plans.add_action(db.session, world["editor"], world["old"], plans.ActionInput(
        text="Restructure the commissioning team", owner="AD"), seen_revision=2)
    # New answers: B1.1 reaches its target 3; A2.1 reaches the top; A1.1 rises to 2.
    with unit_of_work(db.session):
        assessment = db.session.get(Assessment, world["old"])
        for answer in assessment.answers:
            answer.level = {"B1.1": 3, "A2.1": 4, "A1.1": 2}.get(answer.criterion.key, answer.level)
    assert plans.generate(db.session, world["editor"], world["old"], 3) == 4
    after = by_criterion(world["old"])
    assert "A2.1" not in after  # untouched, and its gap closed: removed
    b1 = after["B1.1"]
    assert (b1.status, b1.done_on) == ("done", datetime.now(UTC).date())
    assert (b1.owner, b1.due_on, b1.notes, b1.text, b1.text_edited) == (
        "Head of Commissioning", date(2011, 3, 31), "Draft to the board", "Our own words for B1.1", True)
    assert (after["A1.1"].level_reached, after["A1.1"].target_level) == (2, 3)  # untouched: the next step
    assert after[None].id == own and after[None].text == "Restructure the commissioning team"
    names = keys()
    assert [names.get(a.criterion_id) for a in actions_of(world["old"])] == ["A1.2", "A1.3", "A1.1", "B1.1", None]
    assert db.session.execute(select(AuditEvent).filter_by(action="plan.regenerated")).scalar_one()


def test_targets_set_removed_and_refused(world) -> None:
    plans.generate(db.session, world["editor"], world["old"], 0)
    plans.set_targets(db.session, world["editor"], world["old"], {"B1.1": 4, "A2.1": 3}, seen_revision=1)
    assert plans.targets_of(db.session, world["old"]) == {"B1.1": 4, "A2.1": 3}
    assert plans.plan_revision(db.session, world["old"]) == 2
    after = by_criterion(world["old"])
    assert after["B1.1"].target_level == 4 and after["B1.1"].priority_score == Decimal("16.6667")
    assert "A2.1" not in after  # a target at the level reached: no action
    assert actions_of(world["old"])[1].id == after["B1.1"].id  # 2 levels of B1.1 now outrank A1.3
    with pytest.raises(plans.planning.TargetError, match="A1.3"):
        plans.set_targets(db.session, world["editor"], world["old"], {"A1.3": 2}, seen_revision=2)
    with pytest.raises(plans.planning.TargetError, match="B1.1"):
        plans.set_targets(db.session, world["editor"], world["old"], {"B1.1": 5}, seen_revision=2)
    with pytest.raises(ValueError, match="no such criterion"):
        plans.set_targets(db.session, world["editor"], world["old"], {"Z9.9": 1}, seen_revision=2)
    assert plans.plan_revision(db.session, world["old"]) == 2  # refused: nothing saved
    plans.set_targets(db.session, world["editor"], world["old"], {"A2.1": None}, seen_revision=2)
    assert plans.targets_of(db.session, world["old"]) == {"B1.1": 4}
    assert "A2.1" in by_criterion(world["old"])  # back to the next level up


def test_set_targets_makes_the_plan_when_there_is_none(world) -> None:
    assert plans.plan_revision(db.session, world["old"]) is None
    plans.set_targets(db.session, world["editor"], world["old"], {"B1.1": 4}, seen_revision=0)
    assert plans.plan_revision(db.session, world["old"]) == 1
    assert by_criterion(world["old"])["B1.1"].target_level == 4


def test_a_save_from_an_older_revision_is_refused(world) -> None:
    plans.generate(db.session, world["editor"], world["old"], 0)
    action = by_criterion(world["old"])["A1.1"]
    plans.edit_action(db.session, world["editor"], world["old"], action.id,
                      plans.ActionInput(owner="First", status="in_progress"), seen_revision=1)
    with pytest.raises(plans.PlanConflict) as refused:
        plans.edit_action(db.session, world["editor"], world["old"], action.id,
                          plans.ActionInput(owner="Second"), seen_revision=1)
    assert refused.value.revision == 2
    with pytest.raises(plans.PlanConflict):
        plans.generate(db.session, world["editor"], world["old"], 0)  # a page shown before there was a plan
    with pytest.raises(plans.PlanConflict):
        plans.set_targets(db.session, world["editor"], world["old"], {"A1.1": 3}, seen_revision=1)
    kept = by_criterion(world["old"])["A1.1"]
    assert (kept.owner, kept.status, kept.target_level) == ("First", "in_progress", 2)


def test_open_actions_carry_forward_through_reworded_split_and_retired(world) -> None:
    plans.generate(db.session, world["editor"], world["old"], 0)
    old = by_criterion(world["old"])
    edits = {"A1.1": plans.ActionInput(owner="Head of Commissioning", status="in_progress", notes="Started",
                                       due_on=date(2011, 6, 30)),
             "A1.2": plans.ActionInput(owner="Contracts lead", text="Our words on A1.2"),
             "A1.3": plans.ActionInput(owner="Retiring"),
             "A2.1": plans.ActionInput(status="done")}
    revision = 1
    for key, data in edits.items():
        plans.edit_action(db.session, world["editor"], world["old"], old[key].id, data, seen_revision=revision)
        revision += 1
    own = plans.add_action(db.session, world["editor"], world["old"],
                           plans.ActionInput(text="Our own action", standard_key="A2"), seen_revision=revision)
    plans.generate(db.session, world["editor"], world["new"], 0)
    new = by_criterion(world["new"])
    # A1.1 reworded (1 -> 1): carried with its owner, notes, status and date; at 1 of 2 in mini-2: 1 -> 2.
    assert (new["A1.1"].origin, new["A1.1"].owner, new["A1.1"].status, new["A1.1"].notes) == (
        "carried", "Head of Commissioning", "in_progress", "Started")
    assert (new["A1.1"].level_reached, new["A1.1"].target_level, new["A1.1"].due_on) == (1, 2, date(2011, 6, 30))
    # A1.2 split: one old action gives one on each half, both with the authority's words.
    for half in ("A1.2a", "A1.2b"):
        assert (new[half].origin, new[half].text, new[half].text_edited, new[half].owner) == (
            "carried", "Our words on A1.2", True, "Contracts lead")
    origins = {row.action_id: row.from_action_id for row in db.session.execute(select(PlanActionOrigin)).scalars()}
    assert origins[new["A1.2a"].id] == origins[new["A1.2b"].id] == old["A1.2"].id
    assert new[None].origin == "carried" and new[None].text == "Our own action" and new[None].standard_key == "A2"
    assert origins[new[None].id] == own
    # A2.1 is below its target again in mini-2 but was done: not carried; a fresh action is generated.
    assert new["A2.1"].origin == "generated"
    assert "A1.3" not in new  # retired
    report = plans.plan_report(db.session, world["viewer"], world["new"])
    assert report.carried_from_cycle == "2010 self-assessment"
    closed = {row.criterion_id: row.reason for row in report.closed}
    # B1.1 (untouched, 2 -> 3 of 4) now sits at the top of mini-2's scale (2): its target is reached.
    assert closed == {"A1.3": "retired", "A2.1": "done", "B1.1": "reached"}
    carried = {a.criterion_id: a.carried_from for a in report.actions if a.origin == "carried"}
    assert carried["A1.2a"] == carried["A1.2b"] == ("A1.2",) and carried["A1.1"] == ("A1.1",)


def test_who_may_read_and_change_a_plan(world) -> None:
    plans.generate(db.session, world["editor"], world["old"], 0)
    for reader in ("admin", "editor", "viewer"):
        assert plans.plan_report(db.session, world[reader], world["old"]).exists
    for outsider in ("camden", "champion"):
        with pytest.raises(plans.NotAllowed):
            plans.plan_report(db.session, world[outsider], world["old"])
    for not_editor in ("admin", "viewer", "camden", "champion"):
        with pytest.raises(plans.NotAllowed):
            plans.generate(db.session, world[not_editor], world["old"], 1)
        with pytest.raises(plans.NotAllowed):
            plans.set_targets(db.session, world[not_editor], world["old"], {"A1.1": 3}, seen_revision=1)
    assert plans.plan_revision(db.session, world["old"]) == 1


def test_own_actions_only_are_deleted_and_every_change_is_audited(world) -> None:
    plans.generate(db.session, world["editor"], world["old"], 0)
    generated = by_criterion(world["old"])["A1.1"]
    with pytest.raises(plans.PlanRefused):
        plans.delete_action(db.session, world["editor"], world["old"], generated.id, seen_revision=1)
    own = plans.add_action(db.session, world["editor"], world["old"], plans.ActionInput(text="Ours"), 1)
    with pytest.raises(plans.PlanRefused):
        plans.add_action(db.session, world["editor"], world["old"], plans.ActionInput(text="  "), 2)
    with pytest.raises(plans.PlanRefused):
        plans.add_action(db.session, world["editor"], world["old"],
                         plans.ActionInput(text="x", standard_key="Z9"), 2)
    plans.delete_action(db.session, world["editor"], world["old"], own, seen_revision=2)
    assert None not in by_criterion(world["old"])
    actions = set(db.session.execute(select(AuditEvent.action).where(
        AuditEvent.action.like("plan.%"))).scalars())
    assert actions == {"plan.generated", "plan.action_added", "plan.action_deleted"}


def test_merged_criteria_carry_one_action_from_several(app: Flask) -> None:
    """csp-commissioning 2010.1 -> 2011.1 merges P2.2 and P2.3 into P2.2, splits N1.2 into N1.2 and N1.4, and
    retires L2.9: the authority's open actions on them follow."""
    with unit_of_work(db.session):
        standards.load(db.session, [ROOT / "standards" / "csp-commissioning-2010.1.yaml",
                                    ROOT / "standards" / "csp-commissioning-2011.1.yaml"])
        organisations.import_register(db.session, ROOT / "csptoolkit" / "data")
        old_version, new_version = (db.session.execute(select(FrameworkVersion).where(
            FrameworkVersion.version == v)).scalar_one() for v in ("2010.1", "2011.1"))
        today = datetime.now(UTC).date()
        last = Cycle(slug="2010", name="2010 self-assessment", framework_version=old_version,
                     opens_on=today - timedelta(days=400), closes_on=today - timedelta(days=200))
        this = Cycle(slug="2011", name="2011 self-assessment", framework_version=new_version,
                     opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=30))
        db.session.add_all([last, this])
        editor = create_user(db.session, "editor@leeds.example", "editor", PASSWORD, organisation_code="383")
        db.session.flush()
        old = _assessment(last, editor.organisation_id, {"P2.2": 1, "P2.3": 1, "N1.2": 1, "L2.9": 0})
        new = _assessment(this, editor.organisation_id, {"P2.2": 1, "N1.2": 1, "N1.4": 0})
    plans.generate(db.session, editor, old.id, 0)
    actions = by_criterion(old.id)
    assert set(actions) == {"P2.2", "P2.3", "N1.2", "L2.9"}
    edits = [("P2.2", plans.ActionInput(owner="Contracts manager", due_on=date(2011, 6, 1), notes="Quality")),
             ("P2.3", plans.ActionInput(owner="Finance lead", due_on=date(2011, 4, 1), status="in_progress",
                                        notes="Volume")),
             ("N1.2", plans.ActionInput(owner="JSNA lead")), ("L2.9", plans.ActionInput(owner="LAA lead"))]
    for revision, (key, data) in enumerate(edits, start=1):
        plans.edit_action(db.session, editor, old.id, actions[key].id, data, seen_revision=revision)
    plans.generate(db.session, editor, new.id, 0)
    carried = by_criterion(new.id)
    assert set(carried) == {"P2.2", "N1.2", "N1.4"}
    merged = carried["P2.2"]
    assert (merged.owner, merged.due_on, merged.status, merged.notes) == (
        "Contracts manager; Finance lead", date(2011, 4, 1), "in_progress", "Quality\n\nVolume")
    origins = db.session.execute(select(PlanActionOrigin.from_action_id).where(
        PlanActionOrigin.action_id == merged.id)).scalars().all()
    assert sorted(origins) == sorted([actions["P2.2"].id, actions["P2.3"].id])
    assert carried["N1.2"].owner == carried["N1.4"].owner == "JSNA lead"
    report = plans.plan_report(db.session, editor, new.id)
    assert [(row.criterion_id, row.reason) for row in report.closed] == [("L2.9", "retired")]
    assert next(a for a in report.actions if a.criterion_id == "P2.2").carried_from == ("P2.2", "P2.3")
