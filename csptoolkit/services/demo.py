"""Demo data: standards, the register, two cycles, a user per role, and synthetic assessments for England and Wales.

The assessments come from a seeded random generator with structure: each authority has an underlying
capability, regions differ a little, domains differ (needs assessment tends to be stronger than market
management), and the 2011 cycle is on the whole a little better than 2010. The submitted ones are peer reviewed
by two champions at every stage, through the moderation rules (demo_reviews.py). Running it twice changes nothing;
running it on a database seeded before Wales was added adds the Welsh assessments and leaves England's alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import scoring
from ..domain.standards import Framework
from ..domain.states import DRAFT, IN_REVIEW, MODERATED, PUBLISHED, SUBMITTED
from ..models import Answer, Assessment, Cycle, Organisation
from ..models.organisation import ENGLAND, WALES
from . import demo_plans, demo_reviews, demo_sharing, organisations, standards
from .accounts import create_user, find_user
from .scores import score_rows, scores_changed, successors

DEMO_PASSWORD = "commissioning-demo"
DEMO_FRAMEWORK = "csp-commissioning"
SEED = 2011

# email, role, organisation code, name
DEMO_USERS = (
    ("admin@csptoolkit.example", "admin", None, "Programme Admin"),
    ("champion@csptoolkit.example", "champion", None, "Commissioning Champion"),
    ("champion2@csptoolkit.example", "champion", "330", "Priya Shah"),  # from Birmingham: a second champion
    ("editor@leeds.example", "editor", "383", "Director of Children's Services, Leeds"),
    ("viewer@camden.example", "viewer", "202", "Commissioning Officer, Camden"),
    ("editor@cardiff.example", "editor", "681", "Director of Social Services, Cardiff"),
)
EDITOR_AUTHORITY = "383"  # the demo editor's 2011 assessment is left half done, for the journey
WELSH_AUTHORITY = "681"  # Cardiff's 2011 assessment is submitted, so that a Welsh authority's benchmark can be tried
VIEWER_AUTHORITY = "202"  # Camden: the demo viewer's, whose benchmarks the tests work out by hand
# These, and Camden's statistical neighbours, keep the states drawn for them (the reviews return or publish none).
KEPT_STATES = (EDITOR_AUTHORITY, WELSH_AUTHORITY, VIEWER_AUTHORITY, "203")  # and Greenwich, Camden's comparator

DOMAIN_TENDENCY = {
    "leadership": 0.3, "needs-assessment": 0.4, "engagement": 0.0, "resources": -0.3,
    "market": -0.5, "procurement": 0.1, "performance": -0.1, "workforce": -0.2,
}
REGION_TENDENCY = {
    "Inner London": 0.3, "Outer London": 0.2, "South East": 0.1, "North West": 0.0, "East of England": 0.0,
    "South West": -0.1, "West Midlands": -0.1, "East Midlands": -0.05, "Yorkshire and The Humber": 0.0,
    "North East": 0.15, "Wales": 0.0,
}


@dataclass
class SeedReport:
    standards_loaded: list[str]
    organisations: int
    assessments_created: int
    users_created: int


def seed(session: Session, standards_path: Path, data_path: Path, today: date | None = None) -> SeedReport:
    """Load everything the demo needs; skips what is already there (caller commits)."""
    now = datetime.now(UTC)
    today = today or now.date()
    loaded = standards.load(session, sorted(standards_path.glob("*.yaml")))
    register = organisations.import_register(session, data_path)
    cycles = _cycles(session, today)
    users = _users(session)
    people = demo_reviews.reviewers(session, *(find_user(session, email) for email in (
        "champion@csptoolkit.example", "champion2@csptoolkit.example", "admin@csptoolkit.example")))
    england, wales = (session.execute(select(Organisation).where(Organisation.nation == nation)
                                      .order_by(Organisation.code)).scalars().all() for nation in (ENGLAND, WALES))
    created = 0
    rng = random.Random(SEED)
    capability = {o.code: rng.gauss(REGION_TENDENCY.get(o.dfe_region or "", 0.0), 0.55) for o in england}
    # Wales draws from a generator of its own, so that England's demo data is what it was before Wales joined
    # (this one puts Cardiff, whose benchmark the demo shows, in the upper half of Wales rather than at the foot).
    welsh_rng = random.Random(f"{SEED}-cymru")
    capability |= {o.code: welsh_rng.gauss(REGION_TENDENCY.get(o.dfe_region or "", 0.0), 0.55) for o in wales}
    authorities = [*england, *wales]
    kept = set(KEPT_STATES) | {n.neighbour.code for o in england if o.code == VIEWER_AUTHORITY for n in o.neighbours}
    later = {c.framework_version_id: successors(session, c.framework_version) for c in cycles}
    for year_index, cycle in enumerate(cycles):
        framework = cycle.framework_version.rules()
        criteria = {c.key: c for c in cycle.framework_version.criteria}
        criterion_ids = {key: c.id for key, c in criteria.items()}
        # Submitted 20 to 90 days after the cycle opened, and before today in the open cycle (so are its reviews).
        span = max(21, min(90, (today - cycle.opens_on).days - 5))
        done = set(session.execute(select(Assessment.organisation_id).filter_by(cycle_id=cycle.id)).scalars())
        for organisation in authorities:
            # One generator per authority and cycle: the same data whatever else is already seeded.
            local = random.Random(f"{SEED}-{cycle.slug}-{organisation.code}")
            if organisation.id in done:
                continue
            # The review draws from a generator of its own: the answers are what they were before reviews were.
            review_rng = random.Random(f"{SEED}-{cycle.slug}-{organisation.code}-review")
            state, stage = demo_reviews.stage(review_rng, year_index, _state(local, year_index, organisation.code),
                                              organisation.code in kept)
            assessment = Assessment(cycle=cycle, organisation=organisation, state=state)
            level = capability[organisation.code] + 0.35 * year_index
            answers = _answers(local, framework, level, complete=state != DRAFT)
            for key, value in answers.items():
                criterion = framework.criterion(key)
                answer = Answer(criterion=criteria[key], not_applicable=value == scoring.NA,
                                level=None if value == scoring.NA else value, evidence_files=[])
                if criterion.evidence_from is not None and value != scoring.NA and value >= criterion.evidence_from:
                    answer.evidence_note = local.choice(EVIDENCE_NOTES)
                assessment.answers.append(answer)
            if state != DRAFT:
                days = 20 + (local.randint(20, 90) - 20) * (span - 20) // 70
                assessment.submitted_at = datetime.combine(cycle.opens_on + timedelta(days=days),
                                                           datetime.min.time(), UTC)
            session.add(assessment)
            session.flush()
            validated = frozenset() if stage is None else demo_reviews.seed_review(
                session, review_rng, people, assessment, framework, criterion_ids, stage, year_index, now)
            session.add_all(score_rows(assessment, later[cycle.framework_version_id], validated=validated))
            created += 1
    demo_sharing.seed_opt_ins(session, authorities, cycles)  # who agrees to be named in learning matches
    demo_plans.seed(session, today)  # 2010 plans worked on, carried into 2011
    for cycle in cycles:
        scores_changed(session, cycle.id)
    session.flush()
    return SeedReport(loaded.loaded, register.england + register.wales, created, users)


def _cycles(session: Session, today: date) -> list[Cycle]:
    """The 2010 cycle closed last year; the 2011 cycle is open now, so the journey can be tried."""
    wanted = (
        ("2010", "2010 self-assessment", "2010.1", today - timedelta(days=500), today - timedelta(days=300)),
        ("2011", "2011 self-assessment", "2011.1", today - timedelta(days=60), today + timedelta(days=120)),
    )
    cycles = []
    for slug, name, version, opens, closes in wanted:
        cycle = session.execute(select(Cycle).filter_by(slug=slug)).scalar_one_or_none()
        if cycle is None:
            framework_version = standards.version_by_label(session, DEMO_FRAMEWORK, version)
            if framework_version is None:
                raise LookupError(f"{DEMO_FRAMEWORK} {version} is not loaded: check the standards folder")
            cycle = Cycle(slug=slug, name=name, framework_version=framework_version, opens_on=opens,
                          closes_on=closes)
            session.add(cycle)
            session.flush()
        cycles.append(cycle)
    return cycles


def _users(session: Session) -> int:
    created = 0
    for email, role, code, name in DEMO_USERS:
        if find_user(session, email) is None:
            create_user(session, email, role, DEMO_PASSWORD, name=name, organisation_code=code)
            created += 1
    return created


def _state(rng: random.Random, year_index: int, code: str) -> str:
    if year_index == 0:
        return rng.choices([PUBLISHED, MODERATED, SUBMITTED], weights=[55, 25, 20])[0]
    if code == EDITOR_AUTHORITY:
        return DRAFT
    if code == WELSH_AUTHORITY:
        return SUBMITTED
    return rng.choices([SUBMITTED, IN_REVIEW, MODERATED, DRAFT], weights=[58, 12, 15, 15])[0]


def _answers(rng: random.Random, framework: Framework, capability: float, complete: bool
             ) -> dict[str, scoring.Answer]:
    top = framework.max_level
    answers: dict[str, scoring.Answer] = {}
    for domain in framework.domains:
        tendency = DOMAIN_TENDENCY.get(domain.id, 0.0) + rng.gauss(0, 0.3)
        for standard in domain.standards:
            for criterion in standard.criteria:
                if not complete and rng.random() < 0.45:
                    continue
                if criterion.depends_on is not None:
                    target = answers.get(criterion.depends_on.criterion)
                    if target is None or target == scoring.NA or target < criterion.depends_on.min_level:
                        continue
                if criterion.allow_na and rng.random() < 0.08:
                    answers[criterion.id] = scoring.NA
                    continue
                position = 2.1 + capability + tendency + rng.gauss(0, 0.7)
                if criterion.type == "yesno":
                    answers[criterion.id] = top if position >= 1.6 else 0
                else:
                    answers[criterion.id] = min(top, max(0, round(position * top / 4)))
    return answers


EVIDENCE_NOTES = (
    "Children's trust board minutes approving the joint commissioning strategy.",
    "Signed section 75 partnership agreement and the pooled budget board's terms of reference.",
    "Joint strategic needs assessment chapter on children and young people, with the data appendix.",
    "Contract monitoring reports for the last four quarters and the provider forum notes.",
    "Participation strategy and the young commissioners' report to the lead member.",
    "Market position statement and the placement sufficiency strategy.",
    "Commissioning workforce development plan and training records.",
    "Outcomes framework with the latest performance scorecard.",
)
