"""Moderation: a review's findings on criteria, the authority's responses, and the moderated answers (DESIGN §5).

For a rated criterion the review records `agree`, `challenge` (a proposed level and a reason) or `evidence
requested` (what is wanted). The authority answers each challenge and request: it accepts the proposed level,
keeps its rating with a reason, or adds evidence. The champion then records the moderated level of each
challenged or requested criterion (an accepted challenge takes the proposed level unless the champion says
otherwise). Agreed criteria, and unsampled criteria without a finding, keep their self-assessed level.

Moderation can be completed when every sampled criterion has a finding and every challenge and request is
settled (answered, and given a moderated level, or turned into agreement). Nothing here reads a database: the
service gives the findings and answers in, and gets decisions out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import confidence as confidence_rules
from .scoring import DOMAIN, NA, OVERALL, STANDARD, Answer, Result
from .standards import YESNO, Criterion, Framework

AGREE, CHALLENGE, EVIDENCE_REQUESTED = "agree", "challenge", "evidence_requested"
OUTCOMES = (AGREE, CHALLENGE, EVIDENCE_REQUESTED)
QUESTIONED = (CHALLENGE, EVIDENCE_REQUESTED)  # what the authority must answer

ACCEPT, KEEP, EVIDENCE_ADDED = "accept", "keep", "evidence_added"
RESPONSES = (ACCEPT, KEEP, EVIDENCE_ADDED)

REASON_MAX = 2000


class FindingError(ValueError):
    """A finding, response or moderated level that cannot be recorded. `field` names what is wrong (outcome,
    proposed_level, reason, response, response_note, moderated_level) and `code` the rule, for a page to word it:
    unknown, not_rated, required, same_level, out_of_scale, too_long, not_questioned, not_answered, not_challenge."""

    def __init__(self, criterion_id: str, field: str, code: str, message: str) -> None:
        super().__init__(f"{criterion_id}: {message}")
        self.criterion_id, self.field, self.code = criterion_id, field, code


@dataclass(frozen=True)
class Finding:
    """One criterion's finding as the rules see it."""

    criterion_id: str
    outcome: str
    proposed_level: int | None = None
    reason: str = ""
    response: str | None = None
    response_note: str = ""
    moderated_level: int | None = None

    @property
    def questioned(self) -> bool:
        return self.outcome in QUESTIONED

    @property
    def awaiting_response(self) -> bool:
        return self.questioned and self.response is None

    @property
    def settled(self) -> bool:
        """Agreed, or given a moderated level (which a questioned finding needs after the authority answers)."""
        return self.outcome == AGREE or (self.moderated_level is not None and self.response is not None)


def levels_of(framework: Framework, criterion: Criterion) -> tuple[int, ...]:
    """The levels a criterion can be rated at: 0 or the top for yes/no, else the whole scale."""
    top = framework.max_level
    return (0, top) if criterion.type == YESNO else tuple(range(top + 1))


def _rated_level(answer: Answer | None) -> int | None:
    return None if answer is None or answer == NA else int(answer)


def check_finding(framework: Framework, criterion_id: str, answer: Answer | None, outcome: str,
                  proposed_level: int | None = None, reason: str | None = None,
                  previous: Finding | None = None) -> Finding:
    """The finding to record on a criterion rated `answer`, or FindingError saying what is wrong.

    Only a rated criterion (answered, not N/A) gets a finding. A challenge needs a level on the criterion's scale
    other than the rating, and a reason; evidence requested needs what is wanted. A response already given to the
    same question stays with it; a changed question (another outcome or proposed level) needs answering afresh.
    """
    try:
        criterion = framework.criterion(criterion_id)
    except KeyError:
        raise FindingError(criterion_id, "outcome", "unknown", "no such criterion in this version") from None
    level = _rated_level(answer)
    if level is None:
        raise FindingError(criterion_id, "outcome", "not_rated", "only a rated criterion (not N/A) gets a finding")
    if outcome not in OUTCOMES:
        raise FindingError(criterion_id, "outcome", "required", f"the finding must be one of {', '.join(OUTCOMES)}")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise FindingError(criterion_id, "reason", "too_long", f"the reason is longer than {REASON_MAX} characters")
    if outcome == AGREE:
        return Finding(criterion_id, AGREE, reason=reason)
    if outcome == CHALLENGE:
        if proposed_level is None:
            raise FindingError(criterion_id, "proposed_level", "required", "a challenge proposes a level")
        if proposed_level not in levels_of(framework, criterion):
            raise FindingError(criterion_id, "proposed_level", "out_of_scale",
                               f"level {proposed_level} is not on this criterion's scale")
        if proposed_level == level:
            raise FindingError(criterion_id, "proposed_level", "same_level",
                               "a challenge proposes a level other than the authority's rating")
    if not reason:
        raise FindingError(criterion_id, "reason", "required",
                           "a challenge gives its reason" if outcome == CHALLENGE else "say what evidence is wanted")
    finding = Finding(criterion_id, outcome, proposed_level if outcome == CHALLENGE else None, reason)
    if previous is not None and (previous.outcome, previous.proposed_level) == (finding.outcome,
                                                                                finding.proposed_level):
        finding = Finding(criterion_id, outcome, finding.proposed_level, reason, previous.response,
                          previous.response_note, previous.moderated_level)
    return finding


def respond(finding: Finding, response: str, note: str | None = None) -> Finding:
    """The finding with the authority's response: accepting a challenge takes its proposed level as the moderated
    level; keeping the rating needs a reason; adding evidence needs a description of what was added."""
    cid = finding.criterion_id
    if not finding.questioned:
        raise FindingError(cid, "response", "not_questioned", "only a challenge or a request is answered")
    if response not in RESPONSES:
        raise FindingError(cid, "response", "required", f"the response must be one of {', '.join(RESPONSES)}")
    if response == ACCEPT and finding.outcome != CHALLENGE:
        raise FindingError(cid, "response", "not_challenge", "only a challenge's proposed level can be accepted")
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise FindingError(cid, "response_note", "too_long", f"the note is longer than {REASON_MAX} characters")
    if response in (KEEP, EVIDENCE_ADDED) and not note:
        raise FindingError(cid, "response_note", "required",
                           "say why the rating stands" if response == KEEP else "describe the evidence added")
    moderated_level = finding.proposed_level if response == ACCEPT else None
    return Finding(cid, finding.outcome, finding.proposed_level, finding.reason, response, note, moderated_level)


def moderate(framework: Framework, finding: Finding, level: int | None) -> Finding:
    """The finding with the moderated level the champion set (None clears it), once the authority has answered."""
    cid = finding.criterion_id
    if not finding.questioned:
        raise FindingError(cid, "moderated_level", "not_questioned",
                           "an agreed rating keeps the authority's level")
    if finding.response is None:
        raise FindingError(cid, "moderated_level", "not_answered", "the authority has not answered yet")
    if level is not None and level not in levels_of(framework, framework.criterion(cid)):
        raise FindingError(cid, "moderated_level", "out_of_scale", f"level {level} is not on this criterion's scale")
    return Finding(cid, finding.outcome, finding.proposed_level, finding.reason, finding.response,
                   finding.response_note, level)


@dataclass(frozen=True)
class Outstanding:
    """What stops moderation being completed, each in framework order."""

    no_finding: tuple[str, ...] = ()  # sampled criteria with no finding yet
    awaiting_response: tuple[str, ...] = ()  # challenges and requests the authority has not answered
    awaiting_level: tuple[str, ...] = ()  # answered ones with no moderated level yet

    def __bool__(self) -> bool:
        return bool(self.no_finding or self.awaiting_response or self.awaiting_level)


def outstanding(framework: Framework, answers: Mapping[str, Answer], sample: Iterable[str],
                findings: Mapping[str, Finding]) -> Outstanding:
    """What is left before moderation can complete. A sampled criterion no longer rated (the authority changed it
    to N/A while the assessment was returned) needs no finding."""
    sampled = set(sample)
    rated = {cid for cid, answer in answers.items() if _rated_level(answer) is not None}
    order = [c.id for c in framework.criteria]
    return Outstanding(
        tuple(cid for cid in order if cid in sampled and cid in rated and cid not in findings),
        tuple(cid for cid in order if cid in findings and findings[cid].awaiting_response),
        tuple(cid for cid in order if cid in findings and not findings[cid].awaiting_response
              and not findings[cid].settled),
    )


def moderated_answers(answers: Mapping[str, Answer], findings: Mapping[str, Finding]) -> dict[str, Answer]:
    """The answers after moderation: a moderated level where the champion set one, else the self-assessed answer
    (agreed and unsampled criteria keep theirs)."""
    result = dict(answers)
    for cid, finding in findings.items():
        if finding.moderated_level is not None and cid in result and result[cid] != NA:
            result[cid] = finding.moderated_level
    return result


def peer_validated(findings: Mapping[str, Finding]) -> frozenset[str]:
    """The criteria a champion agreed or set a moderated level for: their ratings are peer-validated."""
    return frozenset(cid for cid, f in findings.items()
                     if f.outcome == AGREE or (f.moderated_level is not None and f.response is not None))


def confidences(answers: Mapping[str, Answer], has_evidence: Mapping[str, bool],
                validated: Iterable[str]) -> dict[str, confidence_rules.Confidence]:
    """The confidence of every answer (DESIGN §5): peer-validated, else evidenced, else self-assessed."""
    validated = frozenset(validated)
    return {cid: confidence_rules.confidence(bool(has_evidence.get(cid)), cid in validated) for cid in answers}


@dataclass(frozen=True)
class Gap:
    """A self-assessed score beside its moderated one: the gap is moderated minus self (negative when moderation
    lowered it), exact; None where either is not scored."""

    key: str
    self_score: Decimal | None
    moderated_score: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        if self.self_score is None or self.moderated_score is None:
            return None
        return self.moderated_score - self.self_score


def gaps(keys: Sequence[str], own: Result, moderated: Result) -> list[Gap]:
    """Self and moderated scores and their gap for each score key asked for (overall, domains, standards), both
    as people read them (rounded half-up to one decimal place), so the gap is the difference of what is shown."""
    def pick(result: Result, key: str):
        if key == OVERALL:
            return result.overall.value
        scope, _, ident = key.partition(":")
        part = result.domains if scope == DOMAIN else result.standards if scope == STANDARD else {}
        return part[ident].value if ident in part else None

    return [Gap(key, pick(own, key), pick(moderated, key)) for key in keys]
