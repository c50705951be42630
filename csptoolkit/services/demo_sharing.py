"""Demo opt-ins to learning matches: a share of authorities agree to be named as willing to share practice on a few
standards, a few on every standard, most on none (seeded, so every run seeds the same; safe to run twice)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.learning import ALL_STANDARDS
from ..models import Cycle, Organisation, SharingOptIn

SEED = 2011
ALL_SHARE = 0.08  # of authorities, opted in on every standard
SOME_SHARE = 0.4  # of authorities, opted in on a few standards (2 to 6)
# The demo Leeds editor opts in on the sharing page, so Leeds starts with no opt-in of its own.
LEFT_OUT = ("383",)


def seed_opt_ins(session: Session, organisations: Sequence[Organisation], cycles: Sequence[Cycle]) -> int:
    """Opt-ins for each framework the cycles use (none added where the framework has some already): how many."""
    added = 0
    frameworks = {c.framework_version.framework_id: c.framework_version.rules() for c in cycles}
    for framework_id, framework in sorted(frameworks.items()):
        if session.execute(select(SharingOptIn.id).filter_by(framework_id=framework_id).limit(1)).first():
            continue
        standards = [s.id for s in framework.standards]
        for organisation in sorted(organisations, key=lambda o: o.code):
            if organisation.code in LEFT_OUT:
                continue
            rng = random.Random(f"{SEED}-sharing-{framework.framework}-{organisation.code}")
            draw = rng.random()
            if draw < ALL_SHARE:
                chosen = [ALL_STANDARDS]
            elif draw < ALL_SHARE + SOME_SHARE:
                chosen = sorted(rng.sample(standards, rng.randint(2, 6)))
            else:
                continue
            session.add_all(SharingOptIn(organisation_id=organisation.id, framework_id=framework_id,
                                         standard_key=key) for key in chosen)
            added += len(chosen)
    session.flush()
    return added
