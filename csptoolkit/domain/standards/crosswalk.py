"""The crosswalk between versions: which criteria compare one to one, and a framework cut down to them."""

from __future__ import annotations

from dataclasses import replace

from .model import Framework


def comparable_criteria(new: Framework) -> dict[str, str]:
    """New criterion id -> old criterion id, for criteria that map one to one (unchanged or reworded)."""
    targets: dict[str, list[str]] = {}
    for old_id, new_ids in new.crosswalk.items():
        for new_id in new_ids:
            targets.setdefault(new_id, []).append(old_id)
    return {
        new_id: old_ids[0]
        for new_id, old_ids in targets.items()
        if len(old_ids) == 1 and len(new.crosswalk[old_ids[0]]) == 1
    }


def restrict(framework: Framework, criterion_ids: set[str] | frozenset[str]) -> Framework:
    """The framework cut down to some criteria (for scores over crosswalk-comparable criteria only).

    A criterion whose depends_on target is left out goes too: its visibility could not be decided.
    """
    kept = {c.id for c in framework.criteria if c.id in criterion_ids
            and (c.depends_on is None or c.depends_on.criterion in criterion_ids)}
    domains = []
    for domain in framework.domains:
        standards = []
        for standard in domain.standards:
            criteria = tuple(c for c in standard.criteria if c.id in kept)
            if criteria:
                standards.append(replace(standard, criteria=criteria))
        if standards:
            domains.append(replace(domain, standards=tuple(standards)))
    return replace(framework, domains=tuple(domains), crosswalk={})
