"""A champion's list of peer reviews (services/review_lists.py): progress counted by hand on a small set-up, the
filters, the sorts, the pages, and the same number of queries whatever the number of reviews."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import pytest
from flask import Flask
from sqlalchemy import event, select

from csptoolkit.domain import moderation as rules
from csptoolkit.domain import scoring, states
from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, Criterion, Cycle, Organisation, ReviewAssignment, User
from csptoolkit.models.organisation import ENGLAND
from csptoolkit.services import moderation, review_lists, reviews
from csptoolkit.services.accounts import create_user, find_user
from csptoolkit.services.moderation import Entry
from csptoolkit.services.scores import answers_of
from csptoolkit.services.transaction import unit_of_work

ADMIN = "admin@csptoolkit.example"
DEMO_CHAMPION = "champion@csptoolkit.example"


def _unreviewed(slug: str, count: int) -> list[Assessment]:
    """English authorities' submitted assessments of a cycle that nobody reviews yet, by code."""
    return list(db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Cycle.slug == slug, Assessment.state == states.SUBMITTED, Organisation.nation == ENGLAND,
               ~Assessment.id.in_(select(ReviewAssignment.assessment_id)))
        .order_by(Organisation.code).limit(count)).scalars())


def _user(email: str, role: str, code: str | None = None) -> User:
    with unit_of_work(db.session):
        return create_user(db.session, email, role, "a long enough password", name=email.split("@")[0],
                           organisation_code=code)


def _assign(assessment: Assessment, champion: User, sample: list[str]) -> None:
    """Assign the champion, and make the assignment's evidence sample the one given (not the one drawn)."""
    assignment = reviews.assign(db.session, find_user(db.session, ADMIN), assessment, champion)
    assignment = db.session.get(ReviewAssignment, assignment.id)
    assignment.sample = sample
    db.session.commit()


def _rated_levels(assessment: Assessment) -> list[str]:
    """The criteria rated on the level scale at 1 or more (so that a lower level can be proposed), in order."""
    framework = assessment.cycle.framework_version.rules()
    answers = answers_of(assessment)
    visible = scoring.visible_criteria(framework, answers)
    return [c.id for c in framework.criteria if c.type == "level" and c.id in visible
            and answers.get(c.id) not in (None, scoring.NA) and int(answers[c.id]) >= 1]


def _record(assessment: Assessment, champion: User, entries: dict[str, Entry]) -> None:
    """Record the findings, a standard at a time (as the pages do)."""
    framework = assessment.cycle.framework_version.rules()
    for standard in framework.standards:
        mine = {cid: entry for cid, entry in entries.items() if cid in {c.id for c in standard.criteria}}
        if mine:
            moderation.record_findings(db.session, champion, assessment, standard.id, mine)


@dataclass
class SetUp:
    champion: User
    a: Assessment  # 5 sampled (two champions), one no longer rated; findings on 3 of them and on 1 unsampled
    b: Assessment  # 2 sampled, no findings
    c: Assessment  # 1 sampled, agreed; then returned to the authority
    d: Assessment  # 2010, its drawn sample, no findings


@pytest.fixture
def setup(seeded_app: Flask) -> SetUp:
    champion = _user("lists@champions.example", "champion")
    second = _user("second@champions.example", "champion")
    a, b, c = _unreviewed("2011", 3)
    (d,) = _unreviewed("2010", 1)
    k1, k2, k3, k4, k5, k6 = _rated_levels(a)[:6]
    _assign(a, champion, [k1, k2, k3, k4])
    _assign(a, second, [k4, k5])  # the sample is every champion's together: k1 to k5
    levels = answers_of(a)
    _record(a, champion, {
        k1: Entry(rules.AGREE),
        k2: Entry(rules.CHALLENGE, int(levels[k2]) - 1, "The minutes do not show it."),
        k3: Entry(rules.EVIDENCE_REQUESTED, reason="The signed strategy."),
        k6: Entry(rules.CHALLENGE, int(levels[k6]) - 1, "Not across all services."),  # not in the sample
    })
    editor = _user("editor@lists.example", "editor", a.organisation.code)
    moderation.respond(db.session, editor, a, {k2: (rules.KEEP, "Minutes of 3 March show it."),
                                               k6: (rules.ACCEPT, None)})
    # k2 kept: awaits the champion's moderated level; k3 unanswered: awaits the authority; k6 accepted: settled.
    # k5 is no longer rated (as if changed to N/A while the assessment was returned): it needs no finding.
    answer = db.session.execute(select(Answer).join(Criterion, Criterion.id == Answer.criterion_id).where(
        Answer.assessment_id == a.id, Criterion.key == k5)).scalar_one()
    answer.level, answer.not_applicable = None, True
    db.session.commit()

    _assign(b, champion, _rated_levels(b)[:2])
    first = _rated_levels(c)[0]
    _assign(c, champion, [first])
    _record(c, champion, {first: Entry(rules.AGREE)})
    reviews.return_to_authority(db.session, find_user(db.session, ADMIN), c, "Please add the evidence for P2.")
    reviews.assign(db.session, find_user(db.session, ADMIN), d, champion)
    db.session.expire_all()
    return SetUp(champion, a, b, c, d)


def _by_id(page: review_lists.ReviewListPage) -> dict[int, review_lists.ReviewRow]:
    return {row.id: row for row in page.rows}


def test_progress_is_counted_from_the_samples_findings_and_answers(setup: SetUp) -> None:
    page = review_lists.champion_reviews(db.session, setup.champion)
    assert page.total == 4 and page.pages == 1
    rows = _by_id(page)
    a, b, c, d = (rows[x.id] for x in (setup.a, setup.b, setup.c, setup.d))
    # A: k1..k5 sampled, k5 not rated: 4; findings on k1, k2, k3 of them (k6's is not sampled); k3 unanswered;
    # k2 answered without a moderated level; k6 accepted, so settled.
    assert (a.sampled, a.found, a.awaiting_response, a.awaiting_level) == (4, 3, 1, 1)
    assert a.state == states.IN_REVIEW and a.authority == setup.a.organisation.name
    assert a.progress == Fraction(3, 6)
    assert (b.sampled, b.found, b.awaiting_response, b.awaiting_level) == (2, 0, 0, 0) and b.progress == 0
    assert (c.sampled, c.found, c.awaiting_response, c.awaiting_level) == (1, 1, 0, 0) and c.progress == 1
    assert c.state == states.RETURNED
    drawn = db.session.execute(select(ReviewAssignment.sample).filter_by(assessment_id=setup.d.id)).scalar_one()
    assert (d.sampled, d.found) == (len(drawn), 0) and d.cycle_slug == "2010"


def test_the_list_is_filtered_by_cycle_and_status(setup: SetUp) -> None:
    cycle_2010 = db.session.execute(select(Cycle).filter_by(slug="2010")).scalar_one()
    cycle_2011 = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    assert {r.id for r in review_lists.champion_reviews(db.session, setup.champion, cycle_id=cycle_2010.id).rows} \
        == {setup.d.id}
    assert {r.id for r in review_lists.champion_reviews(db.session, setup.champion, cycle_id=cycle_2011.id).rows} \
        == {setup.a.id, setup.b.id, setup.c.id}
    returned = review_lists.champion_reviews(db.session, setup.champion, state=states.RETURNED)
    assert [r.id for r in returned.rows] == [setup.c.id] and returned.total == 1
    in_review = review_lists.champion_reviews(db.session, setup.champion, cycle_id=cycle_2011.id,
                                              state=states.IN_REVIEW)
    assert {r.id for r in in_review.rows} == {setup.a.id, setup.b.id}
    # Another champion's reviews are not in the list, nor this champion's in theirs.
    demo = review_lists.champion_reviews(db.session, find_user(db.session, DEMO_CHAMPION), per_page=1000)
    assert not {setup.a.id, setup.b.id, setup.c.id, setup.d.id} & {r.id for r in demo.rows}
    assert demo.total == len(db.session.execute(select(ReviewAssignment.id).filter_by(
        champion_id=find_user(db.session, DEMO_CHAMPION).id)).all())


def test_the_list_is_sorted_by_name_status_or_progress(setup: SetUp) -> None:
    def order(sort: str) -> list[int]:
        return [r.id for r in review_lists.champion_reviews(db.session, setup.champion, sort=sort).rows]

    everyone = (setup.a, setup.b, setup.c, setup.d)
    by_name = [x.id for x in sorted(everyone, key=lambda x: x.organisation.name.casefold())]
    assert order("name") == by_name
    assert order("nonsense") == by_name  # an unknown sort is by name
    # In review first (A, B and D, by name), then returned (C).
    in_review = [x.id for x in sorted((setup.a, setup.b, setup.d), key=lambda x: x.organisation.name.casefold())]
    assert order("status") == [*in_review, setup.c.id]
    # Least far first: B and D have nothing (by name), then A (3 of 6 steps), then C (all done).
    nothing = [x.id for x in sorted((setup.b, setup.d), key=lambda x: x.organisation.name.casefold())]
    assert order("progress") == [*nothing, setup.a.id, setup.c.id]


def test_the_list_comes_a_page_at_a_time(setup: SetUp) -> None:
    names = [r.id for r in review_lists.champion_reviews(db.session, setup.champion).rows]
    first = review_lists.champion_reviews(db.session, setup.champion, per_page=3)
    assert (first.total, first.pages, first.page) == (4, 2, 1) and [r.id for r in first.rows] == names[:3]
    second = review_lists.champion_reviews(db.session, setup.champion, per_page=3, page=2)
    assert [r.id for r in second.rows] == names[3:] and second.page == 2
    beyond = review_lists.champion_reviews(db.session, setup.champion, per_page=3, page=99)
    assert beyond.page == 2 and [r.id for r in beyond.rows] == names[3:]
    before = review_lists.champion_reviews(db.session, setup.champion, per_page=3, page=0)
    assert before.page == 1
    nobody = _user("nobody@champions.example", "champion")
    empty = review_lists.champion_reviews(db.session, nobody)
    assert (empty.rows, empty.total, empty.pages, empty.page) == ((), 0, 1, 1)


@contextmanager
def counting() -> Iterator[list[str]]:
    """Every SQL statement the engine sends inside the block (as tests/web/test_query_counts.py counts them)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_list_is_read_in_the_same_few_queries_whatever_its_size(setup: SetUp) -> None:
    demo = find_user(db.session, DEMO_CHAMPION)
    sizes = {}
    for champion, sort in ((setup.champion, "name"), (demo, "name"), (demo, "progress")):
        assert champion.id  # loaded before counting
        with counting() as statements:
            page = review_lists.champion_reviews(db.session, champion, sort=sort)
        sizes[(champion.id, sort)] = (page.total, len(statements))
    (small, few), (big, many), (_, sorted_many) = sizes.values()
    assert small == 4 and big > 150  # the demo champion has the demo data's reviews
    assert few == many == sorted_many == 4, sizes
