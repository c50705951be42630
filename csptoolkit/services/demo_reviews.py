"""Demo reviews: the seeded assessments' peer reviews, made through the moderation rules as a champion would.

Every review the demo holds is one a champion and an authority could have made on the pages: the sample is drawn
as an assignment draws it, each finding passes domain/moderation.check_finding, each response `respond` and each
moderated level `moderate`, and a moderated assessment's stored levels are `moderated_answers` of its findings.
The rows are written directly (the seed is one transaction, and the services' units of work send mail), with
texts about children's services commissioning chosen by the caller's seeded generator, so every run seeds the
same reviews.

A reviewed assessment is at one of these stages: assigned but not started; started (some findings, challenges
and evidence requests awaiting the authority); answered (every sampled criterion has a finding, the authority has
answered each challenge and request, and some await the champion's moderated level); completed (moderated or
published: everything settled). Some submitted assessments are returned to their authority instead, with the
reason in the audit log as services/reviews.return_to_authority writes it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import moderation as rules
from ..domain import sampling, scoring
from ..domain.standards import YESNO, Criterion, Framework
from ..domain.states import IN_REVIEW, MODERATED, PUBLISHED, RETURNED, SUBMITTED
from ..models import Assessment, ReviewAssignment, ReviewComment, ReviewFinding, StatisticalNeighbour, User
from .audit import record
from .demo_texts import (
    ACCEPTED,
    ACCEPTED_HIGHER,
    AGREED,
    COMMENTS,
    EVIDENCE_ADDED,
    HIGHER,
    KEPT_ANY,
    KEPT_LOWER,
    LOWER,
    NO_MORE_EVIDENCE,
    REBUTTALS,
    REQUESTS,
    RETURN_REASONS,
)
from .reviews import draw_sample
from .scores import SELF, answers_of

NOT_STARTED, STARTED, ANSWERED, COMPLETED, RETURNED_STAGE = "not_started", "started", "answered", "completed", \
    "returned"
IN_REVIEW_STAGES = {NOT_STARTED: 30, STARTED: 35, ANSWERED: 35}  # how the 2011 cycle's reviews in progress stand
RETURNED_SHARE = 0.1  # of the open cycle's submitted assessments, returned to the authority
PUBLISHED_SHARE = 0.35  # of the open cycle's moderated assessments, published already
SECOND_SHARE = (0.05, 0.12)  # of each cycle's reviews, the second champion's


@dataclass(frozen=True)
class Reviewers:
    """Who reviews the demo's assessments: the demo champion, a second champion (none when not seeded) and the
    authorities she may not review (her own, and those whose statistical neighbour hers is), and the admin who
    returns assessments."""

    champion: User | None
    second: User | None
    kept_from_second: frozenset[int]
    admin: User | None


def reviewers(session: Session, champion: User | None, second: User | None, admin: User | None) -> Reviewers:
    kept: frozenset[int] = frozenset()
    if second is not None and second.organisation_id is not None:
        kept = frozenset(session.execute(select(StatisticalNeighbour.organisation_id).where(
            StatisticalNeighbour.neighbour_id == second.organisation_id)).scalars()) | {second.organisation_id}
    return Reviewers(champion, second, kept, admin)


def stage(rng: random.Random, year_index: int, state: str, kept: bool) -> tuple[str, str | None]:
    """The assessment's state and its review's stage (None: not reviewed), from the state the demo drew for it.
    Moderated and published assessments are completed reviews; in the open cycle some submitted ones are returned
    and some moderated ones published, and the ones in review are at every stage. A `kept` authority (one the
    tests and the demo journey rely on) keeps the state drawn for it."""
    draw = rng.random()
    if state in (MODERATED, PUBLISHED):
        if year_index > 0 and state == MODERATED and draw < PUBLISHED_SHARE and not kept:
            return PUBLISHED, COMPLETED
        return state, COMPLETED
    if state == IN_REVIEW:
        return state, rng.choices(list(IN_REVIEW_STAGES), weights=list(IN_REVIEW_STAGES.values()))[0]
    if state == SUBMITTED and year_index > 0 and draw < RETURNED_SHARE and not kept:
        return RETURNED, RETURNED_STAGE
    return state, None


def seed_review(session: Session, rng: random.Random, people: Reviewers, assessment: Assessment,
                framework: Framework, criterion_ids: Mapping[str, int], review_stage: str, year_index: int,
                now: datetime) -> frozenset[str]:
    """Write the assessment's review at its stage (the assessment is flushed, with its answers); returns the
    criteria whose ratings are peer-validated, for its stored scores."""
    if review_stage == RETURNED_STAGE:
        record(session, people.admin, "assessment.returned", assessment, old={"state": SUBMITTED},
               new={"state": RETURNED, "reason": rng.choice(RETURN_REASONS)})
        return frozenset()
    champion = people.champion
    if (people.second is not None and assessment.organisation_id not in people.kept_from_second
            and rng.random() < SECOND_SHARE[min(year_index, 1)]):
        champion = people.second
    if champion is None:
        return frozenset()
    clock = _Clock(rng, (assessment.submitted_at or now) + timedelta(days=rng.randint(2, 10)), now)
    assignment = ReviewAssignment(assessment_id=assessment.id, champion_id=champion.id,
                                  assigned_by_id=people.admin.id if people.admin else None,
                                  state={NOT_STARTED: "assigned", COMPLETED: "completed"}.get(review_stage,
                                                                                              "in_progress"),
                                  created_at=clock.at, updated_at=clock.at)
    session.add(assignment)
    session.flush()  # the sample's seed is the assessment's and the assignment's ids, as on assignment
    sample = draw_sample(assignment, assessment)
    if review_stage == NOT_STARTED:
        return frozenset()
    answers = answers_of(assessment, SELF)
    if rng.random() < 0.2:  # the champion added a criterion that caught their eye
        extra = [cid for cid in sampling.rated_criteria(framework, answers) if cid not in sample]
        if extra:
            sample = assignment.sample = list(sampling.with_added(sample, [rng.choice(extra)], framework, answers))
    if review_stage == STARTED:  # standard by standard, part of the way through the sample
        sample = sample[:max(2, min(len(sample) - 1, round(len(sample) * rng.uniform(0.35, 0.8))))]
    places = _places(framework)
    findings, times = _findings(rng, framework, answers, sample, places, review_stage, clock)
    _write(session, assessment, champion, findings, criterion_ids, times)
    _comment(session, rng, assessment, champion, findings, places, review_stage, clock)
    if review_stage == COMPLETED:
        moderated = rules.moderated_answers(answers, findings)
        for answer in assessment.answers:  # as services/moderation.complete stores them
            value = moderated.get(answer.key)
            answer.moderated_not_applicable = value == scoring.NA
            answer.moderated_level = None if value in (None, scoring.NA) else int(value)
    assignment.updated_at = max((t for ts in times.values() for t in ts), default=clock.at)
    return rules.peer_validated(findings)


def _findings(rng: random.Random, framework: Framework, answers, sample, places, review_stage: str, clock: _Clock
              ) -> tuple[dict[str, rules.Finding], dict[str, list[datetime]]]:
    """The findings on the sampled criteria at the review's stage, and when each step of each was taken."""
    asked = {cid: _finding(rng, framework, framework.criterion(cid), int(answers[cid]), places[cid][0])
             for cid in sample}
    _question_one(rng, framework, asked, answers, places)
    findings = dict(asked)
    times: dict[str, list[datetime]] = {cid: [clock.next(1, 12)] for cid in asked}
    if review_stage not in (ANSWERED, COMPLETED):
        return findings, times
    for cid, finding in asked.items():
        if finding.questioned:
            findings[cid] = _response(rng, finding, places[cid][0], int(answers[cid]))
            times[cid].append(clock.after(times[cid][0], 4, 14))
    if review_stage == ANSWERED:
        _leave_some_awaiting(rng, framework, asked, findings, answers)
        return findings, times
    for cid, finding in findings.items():
        if finding.questioned:
            findings[cid] = rules.moderate(framework, finding,
                                           _moderated_level(rng, framework, finding, int(answers[cid])))
            times[cid].append(clock.after(times[cid][-1], 2, 8))
    return findings, times


class _Clock:
    """When each step of a review happened: after the assignment, never after now."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.at = min(start, now)

    def next(self, low: int, high: int) -> datetime:
        return self.after(self.at, low, high)

    def after(self, moment: datetime, low: int, high: int) -> datetime:
        return min(moment + timedelta(days=self.rng.randint(low, high), minutes=self.rng.randint(0, 480)), self.now)


def _places(framework: Framework) -> dict[str, tuple[str, str]]:
    """Each criterion's domain and standard."""
    return {c.id: (domain.id, standard.id) for domain in framework.domains for standard in domain.standards
            for c in standard.criteria}


def _label(framework: Framework, level: int) -> str:
    return next((s.label.get("en", str(level)) for s in framework.scale if s.value == level), str(level))


def _proposed(rng: random.Random, framework: Framework, criterion: Criterion, level: int) -> int:
    """The level a challenge proposes: mostly one lower; sometimes higher, or two lower for a high claim."""
    top = framework.max_level
    if criterion.type == YESNO:
        return 0 if level == top else top
    if level == 0 or (level < top and rng.random() < 0.12):
        return level + 1
    return level - 2 if level >= 3 and rng.random() < 0.1 else level - 1


def _challenge_reason(rng: random.Random, framework: Framework, criterion: Criterion, domain: str, level: int,
                      proposed: int) -> str:
    lower = proposed < level
    text = rng.choice(LOWER[domain])[0] if lower else rng.choice(HIGHER)
    if criterion.type == YESNO:
        return f"{text} On the evidence seen the answer is {'not yet' if proposed == 0 else 'yes'}."
    if lower:
        return (f"{text} The evidence supports {_label(framework, proposed)} ({proposed}) rather than "
                f"{_label(framework, level)} ({level}).")
    return (f"{text} We would rate it {_label(framework, proposed)} ({proposed}) rather than "
            f"{_label(framework, level)} ({level}).")


def _finding(rng: random.Random, framework: Framework, criterion: Criterion, level: int, domain: str,
             outcome: str | None = None) -> rules.Finding:
    """A finding on a rated criterion, through the rules: high claims are challenged more often, and evidence is
    asked for more often where the standards expect it."""
    if outcome is None:
        challenge = 0.08 + 0.12 * level / framework.max_level
        request = 0.1 if criterion.evidence_from is not None and level >= criterion.evidence_from else 0.05
        draw = rng.random()
        outcome = rules.CHALLENGE if draw < challenge else rules.EVIDENCE_REQUESTED if draw < challenge + request \
            else rules.AGREE
    if outcome == rules.CHALLENGE:
        proposed = _proposed(rng, framework, criterion, level)
        return rules.check_finding(framework, criterion.id, level, rules.CHALLENGE, proposed,
                                   _challenge_reason(rng, framework, criterion, domain, level, proposed))
    if outcome == rules.EVIDENCE_REQUESTED:
        return rules.check_finding(framework, criterion.id, level, outcome, reason=rng.choice(REQUESTS[domain]))
    return rules.check_finding(framework, criterion.id, level, rules.AGREE,
                               reason=rng.choice(AGREED) if rng.random() < 0.15 else None)


def _question_one(rng: random.Random, framework: Framework, asked: dict[str, rules.Finding], answers, places
                  ) -> None:
    """A review under way has at least one challenge: the highest claim among its findings, if none was."""
    if not asked or any(f.outcome == rules.CHALLENGE for f in asked.values()):
        return
    cid = max(asked, key=lambda c: (int(answers[c]), -list(asked).index(c)))
    asked[cid] = _finding(rng, framework, framework.criterion(cid), int(answers[cid]), places[cid][0],
                          rules.CHALLENGE)


def _response(rng: random.Random, finding: rules.Finding, domain: str, level: int) -> rules.Finding:
    """The authority's answer, through the rules: a challenge accepted (nearly always, when it would raise the
    rating), the rating kept with a reason, or evidence added; a request answered with the evidence it asked
    for, or with why there is no more."""
    higher = finding.outcome == rules.CHALLENGE and finding.proposed_level > level
    if finding.outcome == rules.CHALLENGE:
        response = rng.choices((rules.ACCEPT, rules.KEEP, rules.EVIDENCE_ADDED),
                               weights=(85, 15, 0) if higher else (45, 33, 22))[0]
    else:
        response = rng.choices((rules.EVIDENCE_ADDED, rules.KEEP), weights=(78, 22))[0]
    if response == rules.ACCEPT:
        note = rng.choice(ACCEPTED_HIGHER if higher else ACCEPTED) if rng.random() < 0.3 else None
    elif response == rules.KEEP:
        note = _kept(rng, finding, level)
    elif finding.reason in REQUESTS[domain]:
        note = EVIDENCE_ADDED[domain][REQUESTS[domain].index(finding.reason)]
    else:
        note = rng.choice(EVIDENCE_ADDED[domain])
    return rules.respond(finding, response, note)


def _kept(rng: random.Random, finding: rules.Finding, level: int) -> str:
    """Why the authority keeps its rating: mostly the answer to what the challenge said."""
    if finding.outcome == rules.EVIDENCE_REQUESTED:
        return rng.choice(NO_MORE_EVIDENCE)
    if finding.proposed_level > level:
        return rng.choice(KEPT_LOWER)
    rebuttal = next((answer for said, answer in REBUTTALS.items() if finding.reason.startswith(said)), None)
    return rebuttal if rebuttal is not None and rng.random() < 0.75 else rng.choice(KEPT_ANY)


def _lower(criterion: Criterion, level: int) -> int:
    return 0 if criterion.type == YESNO else max(0, level - 1)


def _moderated_level(rng: random.Random, framework: Framework, finding: rules.Finding, level: int) -> int:
    """The champion's moderated level once the authority has answered: an accepted challenge keeps its proposed
    level; a kept rating or added evidence may persuade the champion, or not."""
    if finding.response == rules.ACCEPT:
        return finding.moderated_level
    criterion = framework.criterion(finding.criterion_id)
    if finding.outcome == rules.CHALLENGE:
        proposed = finding.proposed_level
        between = [v for v in rules.levels_of(framework, criterion) if min(level, proposed) < v < max(level, proposed)]
        choices = [level, proposed] + between[:1]
        weights = (45, 40, 15) if finding.response == rules.KEEP else (65, 35, 15)
        return rng.choices(choices, weights=weights[:len(choices)])[0]
    persuaded = 0.85 if finding.response == rules.EVIDENCE_ADDED else 0.35
    return level if rng.random() < persuaded else _lower(criterion, level)


def _leave_some_awaiting(rng: random.Random, framework: Framework, asked: Mapping[str, rules.Finding],
                         findings: dict[str, rules.Finding], answers) -> None:
    """An answered review: the champion has set a level on some of what the authority answered, and at least one
    answer awaits it (a kept rating, if the authority accepted everything)."""
    waiting = [cid for cid, f in findings.items() if f.questioned and f.moderated_level is None]
    if not waiting:
        cid = [cid for cid, f in findings.items() if f.questioned][-1]
        findings[cid] = rules.respond(asked[cid], rules.KEEP, _kept(rng, asked[cid], int(answers[cid])))
        waiting = [cid]
    for cid in waiting[1:]:
        if rng.random() < 0.3:
            findings[cid] = rules.moderate(framework, findings[cid],
                                           _moderated_level(rng, framework, findings[cid], int(answers[cid])))


def _write(session: Session, assessment: Assessment, champion: User, findings: Mapping[str, rules.Finding],
           criterion_ids: Mapping[str, int], times: Mapping[str, list[datetime]]) -> None:
    session.add_all(ReviewFinding(
        assessment_id=assessment.id, criterion_id=criterion_ids[cid], champion_id=champion.id, outcome=f.outcome,
        proposed_level=f.proposed_level, reason=f.reason or None, response=f.response,
        response_note=f.response_note or None, responded_at=times[cid][1] if f.response is not None else None,
        moderated_level=f.moderated_level, updated_at=times[cid][-1]) for cid, f in findings.items())


def _comment(session: Session, rng: random.Random, assessment: Assessment, champion: User,
             findings: Mapping[str, rules.Finding], places, review_stage: str, clock: _Clock) -> None:
    """Comments on some of the standards the review has looked at (at least one once it is completed)."""
    standards = list(dict.fromkeys(places[cid] for cid in findings))
    chosen = [place for place in standards if rng.random() < (0.25 if review_stage == COMPLETED else 0.15)]
    if review_stage == COMPLETED and not chosen and standards:
        chosen = [rng.choice(standards)]
    session.add_all(ReviewComment(assessment_id=assessment.id, standard_key=standard, champion_id=champion.id,
                                  text=rng.choice(COMMENTS[domain]), updated_at=clock.next(5, 25))
                    for domain, standard in chosen)


# ----------------------------------------------------------------------------------------------------------
# The texts: what champions and authorities write, by domain of the standards
