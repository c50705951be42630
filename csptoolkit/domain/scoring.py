"""Answers to scores: criterion values, standard/domain/overall scores, bands, gates, completeness, explanations.

DESIGN §4 is the rule book. Scores are exact Fractions computed from exact lower-level scores; what people
read is the score rounded half-up to one decimal place, and the band is chosen from that shown figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from .standards import YESNO, Band, Criterion, Framework, Standard, comparable_criteria, restrict

NA: Literal["na"] = "na"
Answer = int | Literal["na"]
"""A stored answer: a level on the scale (yes/no stored as max/0), or N/A."""


class AnswerError(ValueError):
    """An answer that does not fit its criterion; names the criterion."""

    def __init__(self, criterion_id: str, message: str):
        self.criterion_id = criterion_id
        super().__init__(f"{criterion_id}: {message}")


def parse_answer(framework: Framework, criterion_id: str, raw: Any) -> Answer:
    """Check one answer as given in an answers file or form: a level, true/false for yes/no, or "na"."""
    try:
        criterion = framework.criterion(criterion_id)
    except KeyError:
        raise AnswerError(criterion_id, "no such criterion in this version of the standards") from None
    if raw == NA:
        if not criterion.allow_na:
            raise AnswerError(criterion_id, "N/A is not allowed for this criterion")
        return NA
    if criterion.type == YESNO:
        if not isinstance(raw, bool):
            raise AnswerError(criterion_id, f"expects true or false (yes/no), not {raw!r}")
        return framework.max_level if raw else 0
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise AnswerError(criterion_id, f"expects a whole-number level 0..{framework.max_level}, not {raw!r}")
    if not 0 <= raw <= framework.max_level:
        raise AnswerError(criterion_id, f"level {raw} is outside the scale 0..{framework.max_level}")
    return raw


def parse_answers(framework: Framework, raw: Any) -> dict[str, Answer]:
    """Check a whole answers mapping (criterion id -> answer); raise AnswerError on the first bad one."""
    if not isinstance(raw, dict):
        raise AnswerError("answers", "must be an object mapping criterion ids to answers")
    return {str(cid): parse_answer(framework, str(cid), value) for cid, value in raw.items()}


# Every score has one key, used by stored scores, benchmarks, pages, exports and the API alike:
# "overall", "domain:<domain id>", "standard:<standard id>"; "comparable" is the overall score over the criteria the
# crosswalk maps one to one (stored for trends across framework versions).
OVERALL, DOMAIN, STANDARD, COMPARABLE = "overall", "domain", "standard", "comparable"


def score_key(scope: str, key: str = "") -> str:
    """The key of a score: OVERALL, or "<scope>:<id>" for a domain or a standard."""
    return OVERALL if scope == OVERALL else f"{scope}:{key}"


def score_keys(framework: Framework, standards: bool = True) -> list[str]:
    """Every score of a framework in its order: overall, then each domain (and its standards, unless not asked)."""
    keys = [OVERALL]
    for domain in framework.domains:
        keys.append(score_key(DOMAIN, domain.id))
        if standards:
            keys += [score_key(STANDARD, s.id) for s in domain.standards]
    return keys


def shown(score: Fraction | None) -> Decimal | None:
    """A score as people read it: rounded half-up to one decimal place (scores are never negative)."""
    if score is None:
        return None
    return Decimal(math.floor(score * 10 + Fraction(1, 2))).scaleb(-1)


def shown_number(value: float | Decimal | Fraction | None) -> Decimal | None:
    """Any score (a stored float included) as people read it, by the same half-up rule."""
    if value is None:
        return None
    return shown(value if isinstance(value, Fraction) else Fraction(str(value)))


def band_for(framework: Framework, score: Fraction | None, gated: bool) -> Band | None:
    """The highest band whose minimum is at or below the shown score, capped at gate_band when gated."""
    figure = shown(score)
    if figure is None:
        return None
    index = max(i for i, band in enumerate(framework.bands) if band.min <= figure)
    if gated:
        gate_index = next(i for i, band in enumerate(framework.bands) if band.id == framework.gate_band)
        index = min(index, gate_index)
    return framework.bands[index]


def visible_criteria(framework: Framework, answers: Mapping[str, Answer]) -> set[str]:
    """Criteria asked: those without depends_on, and those whose condition holds on a visible criterion."""
    visible: dict[str, bool] = {}

    def is_visible(criterion: Criterion) -> bool:
        if criterion.id not in visible:
            dependency = criterion.depends_on
            if dependency is None:
                visible[criterion.id] = True
            else:
                visible[criterion.id] = False  # guards against cycles, which validation already refuses
                target = framework.criterion(dependency.criterion)
                answer = answers.get(target.id)
                visible[criterion.id] = (
                    is_visible(target) and answer is not None and answer != NA and answer >= dependency.min_level
                )
        return visible[criterion.id]

    return {c.id for c in framework.criteria if is_visible(c)}


@dataclass(frozen=True)
class CriterionLine:
    """How one criterion entered (or did not enter) its standard's score."""

    criterion_id: str
    status: Literal["scored", "na", "unanswered", "hidden"]
    value: int | None
    weight: Decimal
    max: int
    gates: bool


@dataclass(frozen=True)
class Score:
    """One score with its band and how it was reached."""

    exact: Fraction | None
    band: Band | None
    gated: bool = False
    gates: tuple[str, ...] = ()
    parts: tuple[Any, ...] = ()
    """CriterionLine for a standard; (id, exact score, weight) triples for a domain or the overall score."""

    @property
    def value(self) -> Decimal | None:
        return shown(self.exact)


@dataclass(frozen=True)
class Result:
    """All the scores of one set of answers."""

    completeness: Fraction
    overall: Score
    domains: dict[str, Score] = field(default_factory=dict)
    standards: dict[str, Score] = field(default_factory=dict)
    visible: frozenset[str] = frozenset()
    answered: int = 0
    asked: int = 0

    def to_json(self, framework: Framework) -> dict[str, Any]:
        """The shape printed by `standards score`: rounded figures, null where not scored."""
        def number(score: Score) -> float | None:
            return None if score.value is None else float(score.value)

        return {
            "framework": framework.framework,
            "version": framework.version,
            "completeness": float(shown(self.completeness)),
            "overall": {"score": number(self.overall), "band": self.overall.band.id if self.overall.band else None,
                        "gated": self.overall.gated},
            "domains": {key: {"score": number(score)} for key, score in self.domains.items()},
            "standards": {
                key: {"score": number(score), "band": score.band.id if score.band else None,
                      "gated": score.gated, "gates": list(score.gates)}
                for key, score in self.standards.items()
            },
        }


def score_standard(framework: Framework, standard: Standard, answers: Mapping[str, Answer],
                   visible: set[str] | frozenset[str]) -> Score:
    top = framework.max_level
    lines = []
    total = Fraction(0)
    possible = Fraction(0)
    gates = []
    for criterion in standard.criteria:
        answer = answers.get(criterion.id)
        if criterion.id not in visible:
            status, value = "hidden", None
        elif answer is None:
            status, value = "unanswered", None
        elif answer == NA:
            status, value = "na", None
        else:
            status, value = "scored", int(answer)
        gating = (status == "scored" and criterion.mandatory and criterion.minimum_level is not None
                  and value < criterion.minimum_level)
        if gating:
            gates.append(criterion.id)
        if status == "scored":
            weight = Fraction(criterion.weight)
            total += weight * value
            possible += weight * top
        lines.append(CriterionLine(criterion.id, status, value, criterion.weight, top, gating))
    exact = None if possible == 0 else 100 * total / possible
    gated = bool(gates)
    return Score(exact, band_for(framework, exact, gated), gated, tuple(gates), tuple(lines))


def _weighted_mean(parts: list[tuple[str, Fraction | None, Decimal]]) -> Fraction | None:
    scored = [(score, Fraction(weight)) for _, score, weight in parts if score is not None]
    total_weight = sum((w for _, w in scored), Fraction(0))
    if total_weight == 0:
        return None
    return sum((s * w for s, w in scored), Fraction(0)) / total_weight


def score(framework: Framework, answers: Mapping[str, Answer]) -> Result:
    """Score a set of answers (already checked by parse_answers) against a framework version."""
    visible = frozenset(visible_criteria(framework, answers))
    standards: dict[str, Score] = {}
    domains: dict[str, Score] = {}
    domain_parts = []
    for domain in framework.domains:
        parts = []
        gated_standards: list[str] = []
        for standard in domain.standards:
            result = score_standard(framework, standard, answers, visible)
            standards[standard.id] = result
            parts.append((standard.id, result.exact, standard.weight))
            if result.gated:
                gated_standards.append(standard.id)
        exact = _weighted_mean(parts)
        gated = bool(gated_standards)
        domains[domain.id] = Score(exact, band_for(framework, exact, gated), gated, tuple(gated_standards),
                                   tuple(parts))
        domain_parts.append((domain.id, exact, domain.weight))
    overall_exact = _weighted_mean(domain_parts)
    gated_all = tuple(sid for sid, s in standards.items() if s.gated)
    overall = Score(overall_exact, band_for(framework, overall_exact, bool(gated_all)), bool(gated_all),
                    gated_all, tuple(domain_parts))
    answered = sum(1 for cid in visible if answers.get(cid) is not None)
    completeness = Fraction(100 * answered, len(visible)) if visible else Fraction(100)
    return Result(completeness, overall, domains, standards, visible, answered, len(visible))


def missing_evidence(framework: Framework, answers: Mapping[str, Answer], visible: frozenset[str] | set[str],
                     has_evidence: Mapping[str, bool]) -> list[str]:
    """Visible criteria rated at or above their evidence_from level that have no evidence yet."""
    return [
        c.id for c in framework.criteria
        if c.id in visible and c.evidence_from is not None and isinstance(answers.get(c.id), int)
        and answers[c.id] >= c.evidence_from and not has_evidence.get(c.id, False)
    ]


def comparable_overall(newer: Framework, answers: Mapping[str, Answer], older_ids: bool) -> Fraction | None:
    """The overall score over the criteria the newer version's crosswalk maps one to one (DESIGN §6 trends).

    `answers` are by the newer version's criterion ids, or by the older version's when `older_ids` (they are
    carried through the crosswalk first), so that cycles on the two versions are scored over the same criteria.
    """
    mapping = comparable_criteria(newer)  # newer id -> older id
    subset = restrict(newer, frozenset(mapping))
    if older_ids:
        answers = {new: answers[old] for new, old in mapping.items() if old in answers}
    return score(subset, answers).overall.exact
