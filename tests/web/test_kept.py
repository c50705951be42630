"""What pages keep between requests is never stale: a change of the stored scores shows at once, and the macro
cache tells apart every input its HTML depends on."""

from __future__ import annotations

import re

from markupsafe import Markup
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, AssessmentScore, Cycle, Organisation, ReviewFinding
from csptoolkit.services.scores import scores_changed
from csptoolkit.web.templating import MacroCache

from .conftest import ADMIN, Browser


def _camden_2011() -> Assessment:
    camden = db.session.execute(select(Organisation).filter_by(code="202")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(select(Assessment).filter_by(organisation_id=camden.id, cycle_id=cycle.id)).scalar_one()


def _camden_overall(page: str) -> str:
    row = re.search(r">Camden</a></th>\s*<td[^>]*>([^<]+)</td>", page)
    assert row, "Camden's row is on the national page"
    return row.group(1)


def test_a_stored_score_that_changes_shows_at_once_on_the_kept_national_table(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    url = "/benchmarks/national?cycle=2011&basis=self&sort=name&order=asc"
    browser.get(url)
    before = _camden_overall(browser.last)
    browser.get(url)
    assert _camden_overall(browser.last) == before  # kept: the same figure again

    assessment = _camden_2011()
    row = db.session.execute(select(AssessmentScore).filter_by(
        assessment_id=assessment.id, basis="self", confidence="", scope="overall")).scalar_one()
    row.score = 12.34 if before != "12.3" else 43.21
    scores_changed(db.session, assessment.cycle_id)  # what every writer of a stored score does
    db.session.commit()

    browser.get(url)
    assert _camden_overall(browser.last) == ("12.3" if before != "12.3" else "43.2")


def test_the_macro_cache_tells_apart_markup_text_and_numbers_of_each_type() -> None:
    cache = MacroCache()
    calls: list[object] = []

    def render(params):
        calls.append(params)
        return Markup(repr(params))

    shown = [cache.call("m", lambda p=p: render(p), p) for p in (
        {"text": "<b>"}, {"text": Markup("<b>")}, {"n": 1}, {"n": 1.0}, {"n": True}, {"items": [1]}, {"items": ["1"]})]
    assert len(calls) == 7 and len(set(shown)) == 7  # no two of them share an entry
    again = cache.call("m", lambda: render({"text": "<b>"}), {"text": "<b>"})
    assert again == shown[0] and len(calls) == 7  # an equal call is answered from the cache


def test_the_macro_cache_stays_within_its_size() -> None:
    cache = MacroCache(limit=1_000)
    for i in range(100):
        cache.call("m", lambda i=i: Markup("x" * 50 + str(i)), {"i": i})
    assert cache.size <= 1_000


def _in_review_with_a_challenge() -> tuple[Assessment, ReviewFinding]:
    return db.session.execute(
        select(Assessment, ReviewFinding).join(ReviewFinding, ReviewFinding.assessment_id == Assessment.id)
        .where(Assessment.state == "in_review", ReviewFinding.outcome == "challenge")
        .order_by(Assessment.id, ReviewFinding.id)).first()


def test_a_finding_changed_anyhow_shows_at_once_on_the_kept_review(browser: Browser) -> None:
    """An assessment's review and answers are kept under its stamp (services/kept.py): a finding changed through
    the ORM, not through the services, still moves the stamp, so the next page shows it."""
    browser.sign_in(ADMIN)
    assessment, finding = _in_review_with_a_challenge()
    url = f"/assessments/{assessment.id}/review"
    browser.get(url)
    browser.get(url)  # kept now
    assert "A reason nobody has written before" not in browser.last
    stamp = assessment.updated_at
    finding.reason = "A reason nobody has written before"
    db.session.commit()
    assert db.session.get(Assessment, assessment.id).updated_at != stamp

    browser.get(url)
    assert "A reason nobody has written before" in browser.last


def test_an_evidence_note_changed_anyhow_moves_the_assessment_stamp(browser: Browser) -> None:
    assessment, _finding = _in_review_with_a_challenge()
    answer = db.session.execute(select(Answer).filter_by(assessment_id=assessment.id)).scalars().first()
    stamp = assessment.updated_at
    answer.evidence_note = "Minutes of the joint commissioning board, March"
    db.session.commit()
    assert db.session.get(Assessment, assessment.id).updated_at > stamp
