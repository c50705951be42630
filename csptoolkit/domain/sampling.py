"""The evidence sample of a peer review: which rated criteria the champion must check the evidence of (DESIGN §5).

A champion cannot read every piece of evidence, so each review draws a sample of the rated criteria (visible,
answered, not N/A). The sample always holds every mandatory criterion rated at its minimum_level or above: such a
criterion passes its gate on the authority's word alone, so its evidence is always looked at. The rest of the
sample is a weighted draw without replacement from the other rated criteria, heavier towards high claims and heavy
weights. The draw is seeded (the caller chooses the seed, for example "<assessment id>:<assignment id>") and is the
same in every process and Python run. The champion may add criteria to it (`with_added`); unsampled criteria count
as agreed unless the champion says otherwise (the review service applies that rule).

Draw the sample from the answers as submitted (the self-assessment), not from moderated answers, so that it does
not move while the review goes on.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence

from .scoring import NA, Answer, visible_criteria
from .standards import Criterion, Framework

DEFAULT_FRACTION = 0.2
DEFAULT_MINIMUM = 3


def rated_criteria(framework: Framework, answers: Mapping[str, Answer]) -> tuple[str, ...]:
    """The criteria a sample is drawn from, in framework order: visible, answered and not N/A."""
    visible = visible_criteria(framework, answers)
    return tuple(c.id for c in framework.criteria if c.id in visible and _level(answers.get(c.id)) is not None)


def mandatory_inclusions(framework: Framework, answers: Mapping[str, Answer]) -> tuple[str, ...]:
    """The criteria every sample holds, in framework order: visible mandatory ones rated at their minimum or above."""
    rated = set(rated_criteria(framework, answers))
    return tuple(c.id for c in framework.criteria if c.id in rated and _passes_gate(c, answers[c.id]))


def sample_size(rated: int, fraction: float = DEFAULT_FRACTION, minimum: int = DEFAULT_MINIMUM) -> int:
    """How many criteria a sample holds before mandatory inclusions: max(minimum, ceil(fraction x rated)), at most
    every rated criterion. (The mandatory inclusions are always all in, so a sample may be larger than this.)"""
    if not 0 <= fraction <= 1 or math.isnan(fraction):
        raise ValueError(f"the sample fraction must be between 0 and 1, not {fraction!r}")
    if minimum < 0:
        raise ValueError(f"the minimum sample size cannot be negative ({minimum})")
    if rated < 0:
        raise ValueError(f"the number of rated criteria cannot be negative ({rated})")
    # round() first so that 0.2 x 10 (2.0000000000000004 in binary floating point) is 2, not 3.
    return min(rated, max(minimum, math.ceil(round(fraction * rated, 9))))


def draw_weight(criterion: Criterion, value: int, max_level: int) -> float:
    """The weight of a criterion in the draw: criterion weight x (1 + value / max_level).

    A criterion claimed at the top of the scale is twice as likely per unit of weight as one rated 0, and a
    criterion of weight 3 three times as likely as one of weight 1 at the same level.
    """
    return float(criterion.weight) * (1 + value / max_level if max_level > 0 else 1)


def draw_sample(framework: Framework, answers: Mapping[str, Answer], seed: str,
                fraction: float = DEFAULT_FRACTION, minimum: int = DEFAULT_MINIMUM) -> tuple[str, ...]:
    """The evidence sample of one review: criterion ids in framework order.

    It holds every mandatory inclusion (`mandatory_inclusions`), then as many of the other rated criteria as it
    takes to reach `sample_size(len(rated), fraction, minimum)`, chosen by a weighted draw without replacement
    (Efraimidis and Spirakis: each candidate gets the key ln(u) / w, u uniform in (0, 1) and w its `draw_weight`,
    and the largest keys are taken). Each candidate's u is derived from SHA-256 of the seed and its criterion id,
    not from Python's salted hash(), so the same seed, framework and answers give the same sample in any process,
    and changing one criterion's answer changes only that criterion's own chance of being drawn.
    """
    rated = rated_criteria(framework, answers)
    included = mandatory_inclusions(framework, answers)
    wanted = sample_size(len(rated), fraction, minimum) - len(included)
    chosen = set(included)
    if wanted > 0:
        top = framework.max_level
        candidates = [framework.criterion(cid) for cid in rated if cid not in chosen]
        keyed = sorted(
            ((math.log(_uniform(seed, c.id)) / draw_weight(c, _level(answers[c.id]) or 0, top), index, c.id)
             for index, c in enumerate(candidates)),
            key=lambda item: (-item[0], item[1]),  # largest key first; equal keys in framework order
        )
        chosen.update(cid for _, _, cid in keyed[:wanted])
    return tuple(cid for cid in rated if cid in chosen)


def with_added(sample: Sequence[str], added: Iterable[str], framework: Framework,
               answers: Mapping[str, Answer]) -> tuple[str, ...]:
    """The sample with criteria the champion added: framework order, no duplicates.

    Every added criterion must be rated (visible, answered, not N/A): an unknown or unrated id raises ValueError
    naming it. So must every id already in the sample be a criterion of the framework.
    """
    rated = set(rated_criteria(framework, answers))
    order = {c.id: index for index, c in enumerate(framework.criteria)}
    for cid in sample:
        if cid not in order:
            raise ValueError(f"{cid}: the sample names a criterion that is not in this version of the standards")
    extra = list(added)
    for cid in extra:
        if cid not in order:
            raise ValueError(f"{cid}: no such criterion in this version of the standards")
        if cid not in rated:
            raise ValueError(f"{cid}: only a rated criterion (asked, answered and not N/A) can be added to the sample")
    return tuple(sorted(set(sample) | set(extra), key=order.__getitem__))


def _level(answer: Answer | None) -> int | None:
    """The level of an answer, or None when unanswered or N/A."""
    return None if answer is None or answer == NA else int(answer)


def _passes_gate(criterion: Criterion, answer: Answer) -> bool:
    level = _level(answer)
    return (criterion.mandatory and criterion.minimum_level is not None and level is not None
            and level >= criterion.minimum_level)


def _uniform(seed: str, criterion_id: str) -> float:
    """A number in (0, 1), fixed by the seed and the criterion id (never 0, so that its logarithm exists)."""
    digest = hashlib.sha256(f"{seed}\x00{criterion_id}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 1) / (2**64 + 1)
