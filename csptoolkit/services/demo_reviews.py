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


LOWER = {  # why a challenge proposes a lower level, and how an authority keeping its rating answers it
    "leadership": (
        ("The joint commissioning strategy is still in draft: the children's trust board noted it in March, but "
         "neither the cabinet nor the PCT board has adopted it, so it is not yet in place across partners.",
         "The strategy was adopted by cabinet on 12 January and by the PCT board on 27 January, after the "
         "self-assessment was drafted; both decisions are now in the evidence folder."),
        ("The board minutes show commissioning discussed but no decisions taken on redesign or decommissioning; the "
         "lead member's role is described in the constitution rather than shown in practice.",
         "The September and December minutes record the decisions to recommission short breaks and to end the grant "
         "to the family centre network; the lead member chaired both items."),
        ("Governance is clear on paper, but the commissioning sub-group has not met since the autumn and there is no "
         "record of it holding commissioners to account for the section 75 arrangements.",
         "The sub-group was replaced in October by the joint commissioning board, which meets monthly; its minutes "
         "and the section 75 reports it received are attached."),
    ),
    "needs-assessment": (
        ("The JSNA children's chapter dates from 2008 and has not been refreshed; it has nothing on disabled "
         "children, young carers or children in custody, so the coverage claimed is not there yet.",
         "The 2010 refresh of the JSNA added the sections on disabled children, young carers and young people in "
         "custody (pages 41 to 58); only the earlier volume is dated 2008."),
        ("The needs assessment describes prevalence well but does not analyse unmet need or project demand, and "
         "nothing shows it shaped this year's commissioning intentions.",
         "The demand projections are in the placements and CAMHS annexes, and the commissioning intentions for "
         "2011-12 cite them for each priority."),
        ("The CAMHS needs analysis uses PCT data only and draws nothing from schools or social care; the joint "
         "analysis the criterion asks for is still being planned.",
         "The CAMHS analysis was refreshed jointly in the autumn with schools and social care data, and the joint "
         "version was signed off by the children's trust board in November."),
    ),
    "engagement": (
        ("The participation strategy is good, but every example given is a consultation after the decision was "
         "made; none shows children or parents specifying or evaluating a service.",
         "Parents on the short breaks steering group wrote the service specification with us, and young people "
         "scored the youth offer tenders; the notes are attached."),
        ("Young commissioners took part in one tender (the youth offer), which is a good start, but it is not yet "
         "routine across the commissioning cycle.",
         "Young commissioners have sat on every tender panel since April (five so far), and this is now written "
         "into the commissioning procedure."),
        ("Parents of disabled children are asked for their views through the short breaks survey, but nothing shows "
         "how their answers changed what was commissioned, or that they were told.",
         "The survey led to the new Saturday club and to the change in eligibility criteria, and both were reported "
         "back to parents through the parent carer forum."),
    ),
    "resources": (
        ("The section 75 agreement pools the budget for community equipment only; CAMHS tier 2 and speech and "
         "language therapy budgets are aligned, not pooled.",
         "The pooled budget for CAMHS tier 2 began on 1 April under schedule 3 of the section 75 agreement; speech "
         "and language therapy joins it next year."),
        ("The resource map covers council spend, but the PCT's spend on children is estimated from a 2009 return: "
         "partners cannot yet see what they spend together.",
         "The PCT's figures come from its 2010-11 programme budget return, agreed with its director of finance, and "
         "the map went to the children's trust board in July."),
        ("The pooled budget board's terms of reference are signed, but the risk-sharing schedule is blank and the "
         "board has not reported to either partner this year.",
         "The risk-sharing schedule was agreed at the board in June and is being signed; the board reports to both "
         "partners every quarter (the reports are attached)."),
        ("The early intervention grant is allocated by service area as in past years; we saw no analysis of value "
         "for money, or of what was stopped to fund new work.",
         "The early intervention grant was reallocated after a review of every funded service: three services were "
         "stopped and the money moved into the family intervention project."),
    ),
    "market": (
        ("The market position statement has not been shared with providers, and the placement sufficiency strategy "
         "lists current placements without forecasting need or saying how the gap will be closed.",
         "The market position statement was published on the council's website in February and presented at the "
         "provider forum; the sufficiency forecast is its appendix B."),
        ("Spending on independent fostering agencies rose again and the sufficiency plan sets no target for "
         "recruiting in-house carers: the duty is understood but not yet met in practice.",
         "Agency spending rose with the rise in care proceedings; the campaign for in-house carers began in January "
         "with a target of 30 new fostering households."),
        ("Provider engagement is the annual forum only; there is no sign of market shaping with the voluntary "
         "sector providers of short breaks and family support.",
         "Besides the forum we meet the short breaks providers every quarter, and the family support framework was "
         "designed with the voluntary sector network."),
    ),
    "procurement": (
        ("There is a procurement plan, but two recent contracts (family support and the young carers project) were "
         "extended by waiver without any review of the options.",
         "Both extensions were agreed by the procurement board after an options appraisal, to align their end dates "
         "with the recommissioning of early help; the appraisals are attached."),
        ("Contract monitoring returns are collected every quarter, but the reports we saw check activity and spend "
         "only; none records outcomes or what was followed up with the provider.",
         "Every contract on the register had a monitoring meeting this year, and the template's outcomes section "
         "has been in use since October."),
        ("Outcomes-based contracts are an aim: the new specifications still pay for hours delivered, and no payment "
         "depends on results for children.",
         "The new family intervention contract pays 20 per cent of its price on outcomes for children; the payment "
         "schedule is in section 7 of the contract."),
    ),
    "performance": (
        ("The scorecard reports the national indicators but few local outcome measures, and it is not clear how the "
         "children's trust board uses it to change what is commissioned.",
         "The scorecard has 14 local outcome measures besides the national indicators, and the board used it to "
         "move funding into early help in December."),
        ("Service reviews are planned, but the only one finished (the Connexions contract) led to no decision; "
         "nothing has been decommissioned yet to show the process works.",
         "The board decommissioned the detached youth work contract in November after its service review; the "
         "report and the decision are attached."),
        ("Each service gathers complaints and young people's feedback, but nobody brings them together to inform "
         "commissioning.",
         "The quarterly customer insight report brings complaints, compliments and young people's feedback together "
         "for the joint commissioning board."),
    ),
    "workforce": (
        ("The workforce plan names commissioning skills as a priority, but the training records show three staff on "
         "the commissioning course and there has been no skills audit.",
         "Five commissioners completed the Institute of Public Care programme this year, and the skills audit was "
         "done in September."),
        ("Commissioning capacity rests on two posts, one vacant since the spring; the joint commissioning unit with "
         "the PCT is agreed in principle only.",
         "The vacant post was filled in July, and the joint commissioning unit with the PCT has been in place since "
         "September with four staff."),
        ("Joint training with providers is in the children's workforce strategy, but none has taken place in the "
         "last year.",
         "Joint training with providers on outcomes-based contracts ran in May and November: 46 people from 19 "
         "providers came."),
    ),
}
REBUTTALS = {reason: rebuttal for pairs in LOWER.values() for reason, rebuttal in pairs}

HIGHER = (  # why a challenge proposes a higher level
    "The evidence shows more than the rating claims: the arrangement has been reviewed with partners and changed "
    "as a result, which is what the next level describes.",
    "The authority has rated itself cautiously: the minutes and the annual report show this working with every "
    "partner, not only in the pilot areas.",
    "This is stronger than rated: the provider forum notes and the contract monitoring returns show it is routine "
    "practice now.",
    "Rated too modestly. What we saw at the challenge session, and in the children's trust board papers, meets the "
    "next level.",
)

REQUESTS = {  # what evidence is wanted
    "leadership": (
        "Please send the cabinet and PCT board decisions adopting the joint commissioning strategy, and the date "
        "set for its review.",
        "Please share the children's trust board minutes where commissioning decisions were taken this year, with "
        "the papers for those items.",
    ),
    "needs-assessment": (
        "Please send the current JSNA chapter on children and young people with its data appendix, and show where "
        "it informed the commissioning intentions for 2011-12.",
        "Please provide the SEND and CAMHS needs analyses the rating refers to, with their dates and who signed "
        "them off.",
    ),
    "engagement": (
        "Please provide an example of young people or parents helping to specify, choose or review a service, "
        "with the panel notes or the evaluation report.",
        "Please send the 'you said, we did' report, or whatever shows what changed because of participation.",
    ),
    "resources": (
        "Please send the signed section 75 agreement with its schedules, and the pooled budget board's last two "
        "reports to partners.",
        "Please share the joint resource map of council, PCT and schools forum spending on children's services.",
    ),
    "market": (
        "Please send the placement sufficiency strategy and the latest analysis of placement demand and costs.",
        "Please provide the market position statement and the notes of the last two provider forums.",
    ),
    "procurement": (
        "Please send two recent contract monitoring reports, with the actions agreed with the provider and how "
        "they were followed up.",
        "Please provide the procurement plan and the contracts register showing renewal dates and review "
        "decisions.",
    ),
    "performance": (
        "Please send the outcomes framework and the latest scorecard as reported to the children's trust board.",
        "Please share a completed service review and the decision the board took on it.",
    ),
    "workforce": (
        "Please send the commissioning skills audit or training needs analysis, and the commissioning team's "
        "training records.",
        "Please provide the structure chart of the joint commissioning team, showing which posts are filled.",
    ),
}

AGREED = (
    "Evidence seen: it supports the rating.",
    "Confirmed at the moderation meeting with the head of commissioning.",
    "Well evidenced: the board papers and the action log agree with the rating.",
    "Agreed. A good example for other authorities.",
)

ACCEPTED = (
    "Accepted: we will take this to the children's trust board before the next cycle.",
    "We accept the proposed level; the work that would meet our rating is planned for the autumn.",
    "Agreed. The evidence for our rating was not as strong as we thought.",
)
ACCEPTED_HIGHER = (
    "Thank you: we accept the higher level.",
    "Accepted, with thanks; we had rated it cautiously.",
)
KEPT_ANY = (  # why the authority keeps its rating against a challenge, whatever it says
    "We have looked at this again and keep our rating: the evidence is in the papers already submitted (see the "
    "evidence note), and we would welcome the chance to talk it through.",
    "The partners agreed this rating together at the self-assessment workshop, and we think it reflects practice "
    "across the whole partnership rather than the single example looked at.",
)
KEPT_LOWER = (  # why it keeps a rating a challenge would raise
    "We would rather keep the lower rating until the new arrangement has run for a full year and been reviewed.",
    "We rated it cautiously on purpose: not every partner has signed up yet, and we would rather keep it so.",
)
NO_MORE_EVIDENCE = (
    "All the evidence we hold is already attached; the rating is what partners agreed at the self-assessment "
    "workshop.",
    "The paper is confidential to the PCT board, but the chair of the children's trust can confirm the decision "
    "and we can show it at the moderation meeting.",
)

EVIDENCE_ADDED = {  # what the authority added
    "leadership": (
        "Added the cabinet report and decision notice (January) and the PCT board minute adopting the strategy.",
        "Added the children's trust board minutes for June, September and December, with the commissioning "
        "sub-group's terms of reference.",
    ),
    "needs-assessment": (
        "Added the JSNA children's chapter (2010 refresh) and its data appendix, with the commissioning "
        "intentions that cite it.",
        "Added the SEND needs analysis (June) and the joint CAMHS needs analysis signed off by the PCT and the "
        "council in October.",
    ),
    "engagement": (
        "Added the young commissioners' report on the youth offer tender and the evaluation of the short breaks "
        "consultation.",
        "Added the 'you said, we did' newsletter sent to parents in the spring and the parent carer forum's "
        "minutes.",
    ),
    "resources": (
        "Added the signed section 75 agreement with schedules 1 to 4, and the pooled budget board's reports for "
        "quarters 2 and 3.",
        "Added the joint resource map of council, PCT and schools forum spending for 2010-11.",
    ),
    "market": (
        "Added the placement sufficiency strategy, the demand analysis and the cost comparison of in-house and "
        "agency foster care.",
        "Added the market position statement and the notes of the provider forums in March and October.",
    ),
    "procurement": (
        "Added the contract monitoring reports for the family support and young carers contracts, with their "
        "action logs.",
        "Added the procurement plan and the contracts register with review dates.",
    ),
    "performance": (
        "Added the outcomes framework and the quarter 3 scorecard as presented to the children's trust board.",
        "Added the service review of the detached youth work contract and the board's decision on it.",
    ),
    "workforce": (
        "Added the commissioning skills audit (September) and the commissioning team's training records.",
        "Added the joint commissioning team's structure chart and the recruitment plan for the vacant post.",
    ),
}

COMMENTS = {  # the champion's comment on a standard
    "leadership": (
        "Strong commitment from the lead member. The next step is the PCT board adopting the strategy formally, so "
        "that every partner owns it.",
        "Governance is clear. The minutes would be better evidence if they recorded each decision and its owner.",
    ),
    "needs-assessment": (
        "A thorough JSNA chapter. Linking each commissioning intention to the need it answers would make the "
        "golden thread visible.",
        "The analysis of placement need is one of the best seen this year: worth sharing with statistical "
        "neighbours.",
    ),
    "engagement": (
        "Participation is well led; the gap is showing what changed as a result. A short 'you said, we did' after "
        "each tender would close it.",
        "Good to see young people on tender panels. Consider paying them for their time, as the guidance suggests.",
    ),
    "resources": (
        "The pooled budget works well for equipment. Extending it to CAMHS tier 2 and speech and language therapy, "
        "as planned, would be the big step.",
        "The value for money analysis is thin: the early intervention grant allocations would gain from a review "
        "of what each service achieves.",
    ),
    "market": (
        "Sufficiency is the main risk, with agency placements rising. The market position statement should go to "
        "providers with the demand forecast.",
        "Good relationships with local voluntary providers of short breaks; the framework agreement is a model "
        "others could use.",
    ),
    "procurement": (
        "Procurement is compliant. Contract monitoring needs to move from activity counts to outcomes, starting "
        "with the largest contracts.",
        "The waiver extensions should be reviewed before renewal: the plan has the dates but not the decisions.",
    ),
    "performance": (
        "The scorecard is thorough but long; a shorter set of outcome measures for the board would focus the "
        "discussion.",
        "The decommissioning of the detached youth work contract was handled well and is good evidence of review "
        "working.",
    ),
    "workforce": (
        "Capacity is stretched: the vacant post matters to the pace of the CAMHS recommissioning.",
        "Joint training with providers was planned; doing it would strengthen the contract management "
        "relationship.",
    ),
}

RETURN_REASONS = (
    "The evidence notes for the procurement and contracting standards (P1 to P3) are missing: please attach the "
    "contract monitoring reports and resubmit.",
    "Mandatory criteria are rated at their minimum with no evidence attached (L1.1, R2.1). Please add the section "
    "75 agreement and the minutes adopting the joint commissioning strategy.",
    "The self-assessment was submitted before the PCT had agreed it. Please take it to the children's trust board "
    "and resubmit with the minute.",
    "The ratings for market management contradict the sufficiency strategy attached, which reports a shortfall of "
    "foster placements. Please review them with the placements team.",
    "The workforce standards were answered for the council only; the criteria ask about the joint commissioning "
    "workforce with health partners. Please revisit W1 to W3.",
    "Submitted before the director signed it off, as the authority told us by email: returned so that it can be "
    "completed.",
)
