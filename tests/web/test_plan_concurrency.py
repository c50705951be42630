"""Improvement plan saves under real concurrency, against the app served by several gunicorn worker processes.

Two of the authority's editors saving the same action of the plan at once, or each their own action, twenty saves
in all from pages that showed the same revision of the plan: exactly one is saved, whole, and every other is
refused with the conflict message and the person's input still on the page; never two told "saved", never an
error, never a lost or mixed write (DESIGN §7, services/plans: the revision check and the write are one
statement). Runs on SQLite and, with CSPTOOLKIT_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AuditEvent, Cycle, Organisation
from csptoolkit.models.plan import ImprovementPlan, PlanAction
from csptoolkit.services import accounts
from csptoolkit.services.demo import DEMO_PASSWORD
from csptoolkit.services.transaction import unit_of_work
from tests.served import hidden_fields, served, signed_in

from .conftest import EDITOR

LEEDS = "383"
SECOND_EDITOR = "deputy@leeds.example"
SAVES = 20  # ten from each of two editors
CONFLICT = "Someone changed the plan after you opened this page, so your changes were not saved."


def _leeds_plan() -> tuple[int, list[PlanAction]]:
    """Leeds's 2011 assessment and its plan's actions by priority; a second editor of Leeds made."""
    with unit_of_work(db.session):
        accounts.create_user(db.session, SECOND_EDITOR, "editor", DEMO_PASSWORD, name="Deputy Director Leeds",
                             organisation_code=LEEDS)
    assessment = db.session.execute(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Cycle.slug == "2011", Organisation.code == LEEDS)).scalar_one()
    plan = db.session.execute(select(ImprovementPlan).filter_by(assessment_id=assessment.id)).scalar_one()
    return assessment.id, sorted(plan.actions, key=lambda a: (a.priority, a.id))


def _stored(action_id: int) -> PlanAction:
    db.session.remove()
    return db.session.get(PlanAction, action_id)


def _edits(action_id: int) -> int:
    return db.session.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "plan.action_edited", AuditEvent.subject == str(action_id))).scalar_one()


def _save(number: int) -> tuple[dict, tuple]:
    """What save number `number` posts (its own owner, due date, status and notes) and what it would store."""
    owner, notes = f"Owner of save {number}", f"Notes of save {number}: the business case is drafted."
    due = date(2027, 1 + number % 12, 1 + number)
    status = ("not_started", "in_progress", "done")[number % 3]
    data = {"owner": owner, "due_on": [str(due.day), str(due.month), str(due.year)], "status": status,
            "notes": notes, "text": "", "save": "Save the action"}
    return data, (owner, due, status, notes)


def _value(page: str, field_id: str) -> str | None:
    """The value of the input with this id on the page."""
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


def _at_once(posts: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Fire every post at the same moment, each from its own thread."""
    start = threading.Barrier(len(posts))

    def fire(post):
        start.wait(timeout=60)
        return post()

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(fire, posts))


def _opened(browser: requests.Session, url: str) -> dict[str, str]:
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code, page.text[:2000])
    assert 'name="owner"' in page.text and 'name="notes"' in page.text, url
    fields = hidden_fields(page.text)
    assert fields.get("revision") and fields.get("csrf_token"), fields
    return fields


@pytest.mark.parametrize("same_action", [True, False], ids=["same-action", "two-actions"])
def test_twenty_simultaneous_saves_from_two_editors_save_exactly_one(
        seeded_app: Flask, tmp_path: Path, same_action: bool) -> None:
    """Both editors on one action, or each on their own: the plan has one revision, so of saves made from pages
    that showed the same one, one is saved and the others are told to check the plan first."""
    assessment_id, actions = _leeds_plan()
    generated = [a for a in actions if a.origin == "generated"]
    targets = [generated[0], generated[0] if same_action else generated[1]]  # each editor's action
    before = {a.id: (a.owner, a.due_on, a.status, a.notes) for a in targets}
    edits_before = {a.id: _edits(a.id) for a in targets}
    paths = [f"/assessments/{assessment_id}/plan/actions/{a.id}" for a in targets]

    with served(seeded_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as base:
        editors = [signed_in(base, email) for email in (EDITOR, SECOND_EDITOR)]
        shown = [_opened(editor, base + path) for editor, path in zip(editors, paths, strict=True)]
        assert shown[0]["revision"] == shown[1]["revision"]  # both opened the same version of the plan
        saves = [(i % 2, *_save(i)) for i in range(SAVES)]
        responses = _at_once([
            (lambda who=who, data=data: editors[who].post(base + paths[who], data={**shown[who], **data},
                                                          allow_redirects=False, timeout=120))
            for who, data, _ in saves])

    statuses = [r.status_code for r in responses]
    assert sorted(set(statuses)) == [303, 400], statuses
    winners = [i for i, status in enumerate(statuses) if status == 303]
    assert len(winners) == 1, statuses
    winner = winners[0]
    who = saves[winner][0]
    # What is stored is the one save told "saved", all of it, and the log has that one edit; the other editor's
    # action (when it is another) is as it was.
    stored = _stored(targets[who].id)
    assert (stored.owner, stored.due_on, stored.status, stored.notes) == saves[winner][2] != before[targets[who].id]
    assert _edits(targets[who].id) == edits_before[targets[who].id] + 1
    if not same_action:
        other = _stored(targets[1 - who].id)
        assert (other.owner, other.due_on, other.status, other.notes) == before[targets[1 - who].id]
        assert _edits(targets[1 - who].id) == edits_before[targets[1 - who].id]
    for i, response in enumerate(responses):
        if i == winner:
            continue
        page = html.unescape(response.text)
        assert CONFLICT in page, page[:3000]
        owner, due, status, notes = saves[i][2]
        assert f'value="{owner}"' in page and notes in page, i  # their own words are still on the page
        assert [_value(page, f"due_on-{part}") for part in ("day", "month", "year")] == [
            str(due.day), str(due.month), str(due.year)], i
        checked = [line for line in page.split("<input") if 'name="status"' in line and "checked" in line]
        assert len(checked) == 1 and f'value="{status}"' in checked[0], (i, checked)
