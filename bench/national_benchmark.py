"""Speed of the national benchmark (every authority in every peer-group kind) against the bare read of the scores."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import median_seconds, seeded_app, table
from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from csptoolkit.domain import scoring
from csptoolkit.domain.states import COUNTED_STATES, SUBMITTED
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AssessmentScore, Cycle, Organisation, StatisticalNeighbour
from csptoolkit.models.organisation import ENGLAND
from csptoolkit.services import benchmarks
from csptoolkit.services.scores import scores_changed

CYCLE = "2011"
BASIS = "best"
KINDS = ("statistical-neighbours", "region", "type", "nation", "all")
TARGET_MS = 50.0  # the target for the whole national benchmark at today's 153 English authorities
LINEAR_TOLERANCE = 1.5  # growth factor up to this is counted as linear: timings on a shared machine wobble
SYNTHETIC_TOTALS = (1_000, 10_000)  # synthetic organisations added on top of the register, in steps
NEIGHBOURS = 10
BATCH = 5_000


# ----------------------------------------------------------------------------------------------------------
# Synthetic authorities


def _real_profiles(session: Session) -> list[tuple]:
    """The region and type columns of real English authorities, copied whole so a synthetic one is consistent."""
    columns = (Organisation.nation, Organisation.org_type, Organisation.type_code, Organisation.region_code,
               Organisation.region_name, Organisation.dfe_region)
    return [tuple(row) for row in session.execute(select(*columns).where(Organisation.nation == ENGLAND))]


def _real_score_rows(session: Session, cycle: Cycle) -> list[dict[tuple[str, str], float | None]]:
    """Each real scored assessment's self-assessed scores by (scope, key), to draw believable synthetic ones."""
    rows = session.execute(
        select(AssessmentScore.assessment_id, AssessmentScore.scope, AssessmentScore.key, AssessmentScore.score)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.cycle_id == cycle.id, Assessment.state.in_(COUNTED_STATES), AssessmentScore.basis == "self",
               AssessmentScore.confidence == ""))
    by_assessment: dict[int, dict[tuple[str, str], float | None]] = {}
    for assessment_id, scope, key, score in rows:
        by_assessment.setdefault(assessment_id, {})[(scope, key)] = None if score is None else float(score)
    return list(by_assessment.values())


def _score_parts(cycle: Cycle) -> list[tuple[str, str]]:
    """(scope, key) of every stored score, from the same list of keys the benchmark reads."""
    parts = []
    for name in scoring.score_keys(cycle.framework_version.rules()):
        scope, _, key = name.partition(":")
        parts.append((scope, key))
    return parts


def _insert_organisations(session: Session, first: int, last: int, rng: random.Random) -> list[int]:
    profiles = _real_profiles(session)
    rows = []
    for number in range(first, last):
        nation, org_type, type_code, region_code, region_name, dfe_region = rng.choice(profiles)
        # "S" codes and "X" GSS codes cannot clash with the register's 3-digit and E/W codes.
        rows.append({"code": f"S{number:05d}", "gss_code": f"X{number:08d}", "name": f"Synthetic authority {number}",
                     "nation": nation, "org_type": org_type, "type_code": type_code, "region_code": region_code,
                     "region_name": region_name, "dfe_region": dfe_region})
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Organisation), rows[start:start + BATCH])
    codes = [row["code"] for row in rows]
    ids = []
    for start in range(0, len(codes), BATCH):  # SQLite caps the parameters of one statement
        ids += session.execute(select(Organisation.id).where(Organisation.code.in_(codes[start:start + BATCH])))\
            .scalars().all()
    return ids


def _insert_neighbours(session: Session, new_ids: list[int], rng: random.Random) -> None:
    everyone = session.execute(select(Organisation.id)).scalars().all()
    rows = []
    for organisation_id in new_ids:
        chosen = rng.sample([i for i in rng.sample(everyone, NEIGHBOURS + 1) if i != organisation_id], NEIGHBOURS)
        rows += [{"organisation_id": organisation_id, "neighbour_id": n, "rank": rank, "closeness": "close"}
                 for rank, n in enumerate(chosen, start=1)]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(StatisticalNeighbour), rows[start:start + BATCH])


def _insert_assessments(session: Session, cycle: Cycle, new_ids: list[int], rng: random.Random) -> None:
    """A submitted assessment for each new authority, its scores a real authority's with some noise."""
    real = _real_score_rows(session, cycle)
    parts = _score_parts(cycle)
    submitted = datetime.combine(cycle.opens_on, datetime.min.time(), UTC)
    for start in range(0, len(new_ids), BATCH):
        chunk = new_ids[start:start + BATCH]
        session.execute(insert(Assessment), [
            {"cycle_id": cycle.id, "organisation_id": i, "state": SUBMITTED, "submitted_at": submitted} for i in chunk])
        assessment_ids = session.execute(select(Assessment.id).where(
            Assessment.cycle_id == cycle.id, Assessment.organisation_id.in_(chunk))).scalars().all()
        rows = []
        for assessment_id in assessment_ids:
            model = rng.choice(real)
            for scope, key in parts:
                value = model.get((scope, key))
                score = None if value is None else round(min(4.0, max(0.0, value + rng.gauss(0, 0.3))), 4)
                rows.append({"assessment_id": assessment_id, "basis": "self", "scope": scope, "key": key,
                             "score": score, "gated": False})
        for row_start in range(0, len(rows), BATCH):
            session.execute(insert(AssessmentScore), rows[row_start:row_start + BATCH])


def add_synthetic(session: Session, cycle_id: int, first: int, last: int) -> float:
    """Synthetic authorities numbered first..last-1, with neighbours and a scored assessment; returns seconds."""
    start = time.perf_counter()
    rng = random.Random(first)  # the same synthetic data every run
    cycle = session.get(Cycle, cycle_id)
    new_ids = _insert_organisations(session, first, last, rng)
    _insert_neighbours(session, new_ids, rng)
    _insert_assessments(session, cycle, new_ids, rng)
    scores_changed(session, cycle_id)  # as every writer of stored scores must
    session.commit()
    return time.perf_counter() - start


# ----------------------------------------------------------------------------------------------------------
# Measuring


def _fresh_cycle(cycle_id: int) -> Cycle:
    # Each call starts from a new session, as a request does: nothing is already in the identity map and the
    # framework's rules are parsed again, so the figures include what a real page pays.
    return db.session.get(Cycle, cycle_id)


def measure(cycle_id: int, repeats: int, warmup: int) -> dict[str, float]:
    """Median seconds of the baseline (`cycle_scores`) and of `national_benchmark` for each kind."""
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    # The baseline is the database read of the cycle's scores; every kind is measured as the first request after
    # the scores changed pays, with nothing kept from an earlier call (benchmarks.forget_kept before each).
    runs = {"cycle_scores": lambda: benchmarks.read_cycle_scores(db.session, cycle_id, BASIS)}
    for kind in KINDS:
        runs[kind] = lambda kind=kind: benchmarks.national_benchmark(db.session, _fresh_cycle(cycle_id), kind,
                                                                     BASIS, threshold)

    def fresh() -> None:
        db.session.remove()
        benchmarks.forget_kept()

    timings = median_seconds(runs, repeats, warmup, before=fresh)
    timings["all five kinds"] = sum(timings[kind] for kind in KINDS)
    return timings


def counts(cycle_id: int) -> tuple[int, int]:
    """Organisations benchmarked (every one in the register gets a position) and those with a counted score."""
    organisations = db.session.execute(select(func.count(Organisation.id))).scalar_one()
    scored = db.session.execute(select(func.count(Assessment.id)).where(
        Assessment.cycle_id == cycle_id, Assessment.state.in_(COUNTED_STATES))).scalar_one()
    return organisations, scored


# ----------------------------------------------------------------------------------------------------------
# Reporting


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def time_table(sizes: list[tuple[int, int]], results: list[dict[str, float]]) -> str:
    header = ["median ms (ratio to cycle_scores)"] + [f"{n:,} orgs / {s:,} scored" for n, s in sizes]
    rows = []
    for name in results[0]:
        rows.append([name + (" (baseline)" if name == "cycle_scores" else "")] + [
            f"{_ms(r[name])} ({r[name] / r['cycle_scores']:.1f}x)" for r in results])
    return table(header, rows)


def _growth(results: list[dict[str, float]], sizes: list[tuple[int, int]], name: str, later: int, earlier: int
            ) -> float:
    """cost(N)/cost(N0) divided by N/N0: 1.0 is linear, 2.0 means each organisation costs twice as much."""
    return (results[later][name] / results[earlier][name]) / (sizes[later][0] / sizes[earlier][0])


def growth_table(sizes: list[tuple[int, int]], results: list[dict[str, float]]) -> str:
    """Cost per organisation at each size; growth against linear from the register's size, and step by step
    (the first step also crosses from "too few objects to wake the garbage collector" to "enough to")."""
    steps = range(1, len(sizes))
    header = (["per organisation"] + [f"µs @{n:,}" for n, _ in sizes]
              + [f"growth {sizes[0][0]:,}->{sizes[i][0]:,}" for i in steps[1:]]
              + [f"growth {sizes[i - 1][0]:,}->{sizes[i][0]:,}" for i in steps])
    rows = []
    for name in results[0]:
        rows.append([name] + [f"{r[name] / n * 1e6:,.1f}" for r, (n, _) in zip(results, sizes, strict=True)]
                    + [f"{_growth(results, sizes, name, i, 0):.2f}" for i in steps[1:]]
                    + [f"{_growth(results, sizes, name, i, i - 1):.2f}" for i in steps])
    return table(header, rows)


def verdict(results: list[dict[str, float]], sizes: list[tuple[int, int]]) -> list[str]:
    first = results[0]
    slowest = max(KINDS, key=lambda k: first[k])
    lines = [
        f"Target 1, under {TARGET_MS:.0f} ms at the demo register's size ({sizes[0][0]} organisations, "
        f"{sizes[0][1]} with a counted assessment): "
        f"slowest single kind {slowest} {_ms(first[slowest])} ms -> "
        f"{'met' if first[slowest] * 1000 < TARGET_MS else 'NOT met'}; all five kinds together "
        f"{_ms(first['all five kinds'])} ms -> {'met' if first['all five kinds'] * 1000 < TARGET_MS else 'NOT met'}.",
    ]
    growth = {k: _growth(results, sizes, k, len(sizes) - 1, 0) for k in (*KINDS, "all five kinds")}
    worst = max(growth, key=growth.__getitem__)
    lines.append(
        f"Target 2, linear growth to {sizes[-1][0]:,} organisations (growth factor <= {LINEAR_TOLERANCE} counted as "
        f"linear): worst {worst} {growth[worst]:.2f} -> {'met' if growth[worst] <= LINEAR_TOLERANCE else 'NOT met'}.")
    return lines


def run(repeats: int, large_repeats: int, totals: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="csp-bench-") as tmp:
        started = time.perf_counter()
        app = seeded_app(Path(tmp))
        print(f"Seeded a throwaway database in {time.perf_counter() - started:.1f} s.")
        with app.app_context():
            cycle_id = db.session.execute(select(Cycle.id).filter_by(slug=CYCLE)).scalar_one()
            sizes = [counts(cycle_id)]
            results = [measure(cycle_id, repeats, warmup=1)]
            added = 0
            for total in totals:
                seconds = add_synthetic(db.session, cycle_id, added, total)
                db.session.remove()
                print(f"Added {total - added:,} synthetic authorities in {seconds:.1f} s.")
                added = total
                sizes.append(counts(cycle_id))
                # The smaller sizes have already warmed every code path; a warm-up round at 10,000 would cost
                # twenty seconds and change nothing.
                large = total > 1_000
                results.append(measure(cycle_id, large_repeats if large else repeats, warmup=0 if large else 1))
            db.session.remove()
            db.engine.dispose()
    print()
    print(f"National benchmark, cycle {CYCLE}, basis {BASIS}, SQLite; median of {repeats} after a warm-up round "
          f"({large_repeats}, no warm-up, above 1,000 synthetic); each call from a fresh session.")
    print(time_table(sizes, results))
    print()
    print(growth_table(sizes, results))
    print()
    print("\n".join(verdict(results, sizes)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7, help="timed calls at the smaller sizes (median taken)")
    parser.add_argument("--large-repeats", type=int, default=3, help="timed calls above 1,000 synthetic")
    parser.add_argument("--synthetic", type=int, nargs="+", default=list(SYNTHETIC_TOTALS),
                        help="total synthetic authorities at each step (ascending)")
    args = parser.parse_args(argv)
    run(args.repeats, args.large_repeats, tuple(sorted(args.synthetic)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
