"""Peer review under real concurrency, against the app served by several gunicorn worker processes.

Two champions saving one standard's findings at once, two of the authority's editors answering the review at once,
and a champion saving while an editor answers: a save that carries the revision of the page as it was shown is
either saved, whole, or refused with the conflict page and the person's input still on it; never both told
"saved", never an error, never a lost write (DESIGN §5). Runs on SQLite and, with CSPTOOLKIT_TEST_DATABASE_URL, on
PostgreSQL.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from csptoolkit.domain import moderation as rules
from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation, User
from csptoolkit.services import accounts, moderation, reviews
from csptoolkit.services.demo import DEMO_PASSWORD
from csptoolkit.services.transaction import unit_of_work
from tests.served import hidden_fields, served, signed_in

from .conftest import ADMIN, CHAMPION, WELSH_EDITOR

CARDIFF = "681"
SECOND_CHAMPION = "second.champion@csptoolkit.example"
SECOND_EDITOR = "deputy@cardiff.example"
SAVES = 20  # ten from each of two people
ROUNDS = 4  # of a champion and an editor saving at once
CHAMPION_CONFLICT = "Someone else saved findings on this standard after you opened it"
EDITOR_CONFLICT = "changed the review after you opened this page, so your answers were not saved"


@dataclass(frozen=True)
class Rated:
    id: str
    index: int  # its place in the standard: the review form's fields are c<index>_...
    token: str  # its place in the version: the authority's form's fields are <token>_...
    level: int
    others: tuple[int, ...]  # the levels a challenge may propose (on the scale, not the rating)


@dataclass(frozen=True)
class Setup:
    assessment_id: int
    standards: dict[str, list[Rated]]  # two standards whose every criterion is a rated level, by key


def _user(email: str) -> User:
    return db.session.execute(select(User).filter_by(email=email)).scalar_one()


def _in_review() -> Setup:
    """Cardiff's submitted 2011 assessment with two champions assigned (so in review), and a second editor."""
    with unit_of_work(db.session):
        accounts.create_user(db.session, SECOND_CHAMPION, "champion", DEMO_PASSWORD, name="Second Champion")
        accounts.create_user(db.session, SECOND_EDITOR, "editor", DEMO_PASSWORD, name="Deputy Director Cardiff",
                             organisation_code=CARDIFF)
    assessment = db.session.execute(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Cycle.slug == "2011", Organisation.code == CARDIFF)).scalar_one()
    assert assessment.state == states.SUBMITTED
    for champion in (CHAMPION, SECOND_CHAMPION):
        reviews.assign(db.session, _user(ADMIN), assessment, _user(champion))
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW
    framework = assessment.cycle.framework_version.rules()
    place = {c.id: i for i, c in enumerate(framework.criteria)}
    levels = {a.criterion.key: a.level for a in assessment.answers if not a.not_applicable}
    chosen: dict[str, list[Rated]] = {}
    for standard in framework.standards:
        if all(c.depends_on is None and c.type == "level" and levels.get(c.id) is not None
               for c in standard.criteria):
            chosen[standard.id] = [
                Rated(c.id, i, f"c{place[c.id]}", levels[c.id],
                      tuple(v for v in rules.levels_of(framework, c) if v != levels[c.id]))
                for i, c in enumerate(standard.criteria)]
        if len(chosen) == 2:
            return Setup(assessment.id, chosen)
    raise AssertionError("the demo has no two standards whose every criterion is a rated level")


def _review(setup: Setup) -> moderation.Review:
    """The review as stored now, read afresh through the service."""
    db.session.remove()
    return moderation.review_of(db.session, db.session.get(Assessment, setup.assessment_id))


# ----------------------------------------------------------------------------------------------------------
# What each save posts, and what it would store


def _findings(criteria: list[Rated], tag: str, variant: int) -> tuple[dict[str, str], dict, str]:
    """A champion's entries on a standard (challenges and requests, alternating, each worded with `tag`), the
    findings they would store by criterion as (outcome, proposed level, reason), and the comment."""
    data: dict[str, str] = {}
    expected = {}
    for criterion in criteria:
        i, reason = criterion.index, f"{tag} on {criterion.id}."
        if (variant + criterion.index) % 2 == 0:
            proposed = criterion.others[variant % len(criterion.others)]
            data.update({f"c{i}_outcome": rules.CHALLENGE, f"c{i}_proposed": str(proposed), f"c{i}_reason": reason,
                         f"c{i}_wanted": ""})
            expected[criterion.id] = (rules.CHALLENGE, proposed, reason)
        else:
            data.update({f"c{i}_outcome": rules.EVIDENCE_REQUESTED, f"c{i}_proposed": "", f"c{i}_reason": "",
                         f"c{i}_wanted": reason})
            expected[criterion.id] = (rules.EVIDENCE_REQUESTED, None, reason)
    comment = f"{tag}: the comment on the standard."
    data.update({"comment": comment, "save": "Save findings"})
    return data, expected, comment


def _answers(criteria: list[Rated], tag: str, variant: int) -> tuple[dict[str, str], dict]:
    """An editor's answers to the questions on a standard (keeping the rating or adding evidence, alternating,
    each worded with `tag`) and what they would store by criterion as (response, note)."""
    data: dict[str, str] = {}
    expected = {}
    for criterion in criteria:
        note = f"{tag} for {criterion.id}."
        if (variant + criterion.index) % 2 == 0:
            data.update({f"{criterion.token}_response": rules.KEEP, f"{criterion.token}_keep": note,
                         f"{criterion.token}_evidence": ""})
            expected[criterion.id] = (rules.KEEP, note)
        else:
            data.update({f"{criterion.token}_response": rules.EVIDENCE_ADDED, f"{criterion.token}_keep": "",
                         f"{criterion.token}_evidence": note})
            expected[criterion.id] = (rules.EVIDENCE_ADDED, note)
    data["save"] = "Save your answers"
    return data, expected


def _stored_findings(review: moderation.Review, criteria: list[Rated]) -> dict:
    return {c.id: (review.findings[c.id].outcome, review.findings[c.id].proposed_level, review.findings[c.id].reason)
            for c in criteria if c.id in review.findings}


def _stored_answers(review: moderation.Review, criteria: list[Rated]) -> dict:
    return {c.id: (review.findings[c.id].response, review.findings[c.id].response_note)
            for c in criteria if c.id in review.findings}


def _everything_stored(review: moderation.Review) -> str:
    """Every text of the review, to show a refused save left none of its words behind."""
    return repr(sorted((cid, f.reason, f.response_note) for cid, f in review.findings.items())) + repr(review.comments)


def _checked(page: str, name: str) -> list[str]:
    """The values of the page's checked radios called `name` (whatever the order of the attributes)."""
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in re.findall(r"<input[^>]*>", page)
            if f'name="{name}"' in tag and re.search(r"\schecked", tag)]


def _selected(page: str, name: str) -> list[str]:
    select_tag = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_tag, f"no select {name} on the page"
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*selected', select_tag.group(1))


def _at_once(posts: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Fire every post at the same moment, each from its own thread."""
    start = threading.Barrier(len(posts))

    def fire(post):
        start.wait(timeout=60)
        return post()

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(fire, posts))


def _post(browser: requests.Session, url: str, data: dict) -> Callable[[], requests.Response]:
    return lambda: browser.post(url, data=data, allow_redirects=False, timeout=120)


def _opened(browser: requests.Session, url: str, names: list[str]) -> dict[str, str]:
    """The page as a person opens it: its hidden fields (CSRF token and revision), checking it has the fields
    the saves fill in."""
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code, page.text[:2000])
    for name in names:
        assert f'name="{name}"' in page.text, (url, name)
    fields = hidden_fields(page.text)
    assert fields.get("revision") and fields.get("csrf_token"), fields
    return fields


def _database(app: Flask) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


# ----------------------------------------------------------------------------------------------------------
# Two champions on one standard


def test_twenty_simultaneous_findings_from_two_champions_save_exactly_one(seeded_app: Flask, tmp_path: Path) -> None:
    setup = _in_review()
    key, criteria = next(iter(setup.standards.items()))
    url_path = f"/reviews/{setup.assessment_id}/standards/{key}"
    names = {CHAMPION: _user(CHAMPION).name, SECOND_CHAMPION: _user(SECOND_CHAMPION).name}
    people = [CHAMPION, SECOND_CHAMPION]

    with served(_database(seeded_app), tmp_path) as base:
        champions = [signed_in(base, email) for email in people]
        shown = [_opened(c, base + url_path, [f"c{r.index}_outcome" for r in criteria] + ["comment"])
                 for c in champions]
        assert shown[0]["revision"] == shown[1]["revision"]  # both opened the same version of the page
        # Save number i records different findings (outcomes, proposed levels, words) from every other save.
        saves = [(i % 2, *_findings(criteria, f"Save number {i} says", i)) for i in range(SAVES)]
        responses = _at_once([_post(champions[who], base + url_path, {**shown[who], **data})
                              for who, data, _, _ in saves])

    statuses = [r.status_code for r in responses]
    assert sorted(set(statuses)) == [303, 400], statuses
    winners = [i for i, status in enumerate(statuses) if status == 303]
    assert len(winners) == 1, statuses
    winner = winners[0]
    who, _, expected, comment = saves[winner]
    # What is stored is the one save that was told "saved", all of it, and it is that champion's.
    review = _review(setup)
    assert _stored_findings(review, criteria) == expected
    assert review.comments.get(key) == comment
    assert {review.findings[c.id].champion for c in criteria} == {names[people[who]]}
    for i, response in enumerate(responses):
        if i == winner:
            continue
        page = html.unescape(response.text)
        assert CHAMPION_CONFLICT in page, page[:3000]
        # The champion's own entries are still on the page: their words, their findings chosen, their levels.
        _, data, mine, my_comment = saves[i]
        assert my_comment in page
        for criterion in criteria:
            outcome, proposed, reason = mine[criterion.id]
            assert reason in page, (i, criterion.id)
            assert _checked(page, f"c{criterion.index}_outcome") == [outcome], (i, criterion.id)
            if proposed is not None:
                assert _selected(page, f"c{criterion.index}_proposed") == [str(proposed)], (i, criterion.id)


# ----------------------------------------------------------------------------------------------------------
# Two of the authority's editors answering the review


def _challenged(setup: Setup, key: str, tag: str = "The champion asks") -> dict:
    """Challenges and requests on every criterion of the standard, recorded by the demo champion."""
    criteria = setup.standards[key]
    data, expected, comment = _findings(criteria, tag, 0)
    entries = {c.id: moderation.Entry(*expected[c.id]) for c in criteria}
    assessment = db.session.get(Assessment, setup.assessment_id)
    moderation.record_findings(db.session, _user(CHAMPION), assessment, key, entries, comment)
    return expected


def test_twenty_simultaneous_answers_from_two_editors_save_exactly_one(seeded_app: Flask, tmp_path: Path) -> None:
    setup = _in_review()
    key, criteria = next(iter(setup.standards.items()))
    questions = _challenged(setup, key)
    url_path = f"/assessments/{setup.assessment_id}/review"
    people = [WELSH_EDITOR, SECOND_EDITOR]
    names = {email: _user(email).name for email in people}

    with served(_database(seeded_app), tmp_path) as base:
        editors = [signed_in(base, email) for email in people]
        shown = [_opened(e, base + url_path, [f"{c.token}_response" for c in criteria]) for e in editors]
        assert shown[0]["revision"] == shown[1]["revision"]
        saves = [(i % 2, *_answers(criteria, f"Answer number {i} says", i)) for i in range(SAVES)]
        responses = _at_once([_post(editors[who], base + url_path, {**shown[who], **data})
                              for who, data, _ in saves])

    statuses = [r.status_code for r in responses]
    assert sorted(set(statuses)) == [303, 400], statuses
    winners = [i for i, status in enumerate(statuses) if status == 303]
    assert len(winners) == 1, statuses
    winner = winners[0]
    who, _, expected = saves[winner]
    review = _review(setup)
    assert _stored_answers(review, criteria) == expected
    assert {review.findings[c.id].responded_by for c in criteria} == {names[people[who]]}
    assert _stored_findings(review, criteria) == questions  # the champion's questions are as they were
    for i, response in enumerate(responses):
        if i == winner:
            continue
        page = html.unescape(response.text)
        assert EDITOR_CONFLICT in page, page[:3000]
        _, _, mine = saves[i]
        for criterion in criteria:
            answer, note = mine[criterion.id]
            assert note in page, (i, criterion.id)
            assert _checked(page, f"{criterion.token}_response") == [answer], (i, criterion.id)


# ----------------------------------------------------------------------------------------------------------
# A champion saving findings while an editor answers


@pytest.mark.parametrize("same_standard", [True, False], ids=["answered-standard", "another-standard"])
def test_a_champion_and_an_editor_saving_at_once_lose_nothing(
        seeded_app: Flask, tmp_path: Path, same_standard: bool) -> None:
    """Each round both open their page afresh and save at the same moment. Both may be saved (the champion's
    standard is not the one answered), or one is refused with the conflict page; whatever was told "saved" is
    stored, and a refused save leaves nothing behind."""
    setup = _in_review()
    (answered_key, answered), (other_key, other) = setup.standards.items()
    _challenged(setup, answered_key)
    key, criteria = (answered_key, answered) if same_standard else (other_key, other)
    champion_path = f"/reviews/{setup.assessment_id}/standards/{key}"
    editor_path = f"/assessments/{setup.assessment_id}/review"
    seen = []

    with served(_database(seeded_app), tmp_path) as base:
        champion, editor = signed_in(base, CHAMPION), signed_in(base, WELSH_EDITOR)
        for round_ in range(1, ROUNDS + 1):
            champion_shown = _opened(champion, base + champion_path, [f"c{r.index}_outcome" for r in criteria])
            editor_shown = _opened(editor, base + editor_path, [f"{c.token}_response" for c in answered])
            findings, expected_findings, comment = _findings(criteria, f"Round {round_} champion says", round_)
            answers, expected_answers = _answers(answered, f"Round {round_} editor says", round_)
            saved_findings, saved_answers = _at_once([
                _post(champion, base + champion_path, {**champion_shown, **findings}),
                _post(editor, base + editor_path, {**editor_shown, **answers})])
            outcome = (saved_findings.status_code, saved_answers.status_code)
            seen.append(outcome)
            assert set(outcome) <= {303, 400} and 303 in outcome, (round_, outcome)
            if same_standard:  # each save changes what the other's page showed: only one can be saved
                assert outcome in ((303, 400), (400, 303)), (round_, outcome)
            review = _review(setup)
            stored = _everything_stored(review)
            if saved_findings.status_code == 303:
                assert _stored_findings(review, criteria) == expected_findings, round_
                assert review.comments.get(key) == comment, round_
            else:
                assert CHAMPION_CONFLICT in html.unescape(saved_findings.text), saved_findings.text[:3000]
                assert f"Round {round_} champion says" not in stored, round_
            if saved_answers.status_code == 303:
                assert _stored_answers(review, answered) == expected_answers, round_
            else:
                assert EDITOR_CONFLICT in html.unescape(saved_answers.text), saved_answers.text[:3000]
                assert f"Round {round_} editor says" not in stored, round_
    print("champion, editor per round:", seen)
