"""The API's scores and benchmarks against hand-worked numbers and an independent calculation (issue 7, item 24).

Never against the code under test: the expected figures are worked out in the docstrings from the standards file,
or computed with numpy from rows read straight from the database.
"""

from __future__ import annotations

import numpy as np
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, AssessmentScore, Organisation, PeerGroup, StatisticalNeighbour
from csptoolkit.services import benchmarks
from csptoolkit.services.scores import scores_changed

from .conftest import ADMIN, EDITOR, VIEWER, WELSH_EDITOR, Browser
from .test_api import CAMDEN, CARDIFF, LEEDS, assessment, bearer, client, cycle, error_of, get, org
from .test_api import half_up as rounded

__all__ = ["bearer", "client"]  # fixtures, used by name
COUNTED = ("submitted", "in_review", "moderated", "published")


def half_up(value) -> float | None:
    """One decimal place, half-up, of a Python or numpy number."""
    return None if value is None else rounded(float(value))


# ----------------------------------------------------------------------------------------------------------
# Scores


def answer_everything(a: Assessment, levels: dict[str, int], default: int, moderated: bool = False) -> None:
    """Give every criterion of the assessment's version an answer: `levels` for the criteria named, else
    `default` (self-assessed, or moderated when `moderated`)."""
    by_criterion = {answer.criterion_id: answer for answer in a.answers}
    for criterion in a.cycle.framework_version.criteria:
        answer = by_criterion.get(criterion.id)
        if answer is None:
            answer = Answer(criterion=criterion)
            a.answers.append(answer)
        value = levels.get(criterion.key, default)
        if moderated:
            answer.moderated_level, answer.moderated_not_applicable = value, False
        else:
            answer.level, answer.not_applicable = value, False
            answer.moderated_level, answer.moderated_not_applicable = None, False
    db.session.commit()


def test_scores_by_hand(client: FlaskClient, bearer: dict[str, str]) -> None:
    """Camden's 2011 answers set so that the scores can be worked out on paper from the standards file.

    csp-commissioning 2011.1: eight domains, leadership weighted 2 and the others 1; leadership's standards are
    L1 (weight 2), L2 and L3 (weight 1); the scale is 0-4, and yes counts as 4. L1.1 is mandatory at level 2;
    bands start at 0 (not met), 40 (approaching), 65 (met) and 85 (exceeded); gated scores are capped at
    approaching.
    """
    a = assessment("2011", CAMDEN)
    l1 = [c.key for c in a.cycle.framework_version.criteria if c.key.startswith("L1.")]
    assert len(l1) == 4
    # Self-assessed: every criterion at the top (4, or yes) but L1's four at 2. L1 = 100 x (2 x w) / (4 x w) = 50.0
    # whatever its criteria's weights; leadership = (2 x 50 + 100 + 100) / 4 = 75.0; overall = (2 x 75 + 7 x 100)
    # / 9 = 94.44... -> 94.4, exceeded; every criterion answered: completeness 100.0.
    answer_everything(a, dict.fromkeys(l1, 2), 4)
    body = get(client, f"/cycles/2011/assessments/{CAMDEN}/scores", bearer[ADMIN])
    assert body["self"]["completeness"] == 100.0 and body["moderated"] is None
    assert body["self"]["overall"] == {"score": 94.4, "band": "exceeded", "gated": False}
    assert body["self"]["domains"]["leadership"] == {"score": 75.0}
    assert body["self"]["standards"]["L1"] == {"score": 50.0, "band": "approaching", "gated": False, "gates": []}
    others = {k: v for k, v in body["self"]["standards"].items() if k != "L1"}
    assert len(others) == 24 and all(v["score"] == 100.0 and v["band"] == "exceeded" for v in others.values())
    assert all(v == {"score": 100.0} for k, v in body["self"]["domains"].items() if k != "leadership")

    # Moderated: L1's four at 0, the rest at 4. L1 = 0.0, gated by L1.1 (0 < 2); leadership = (0 + 200) / 4 = 50.0;
    # overall = (2 x 50 + 700) / 9 = 88.88... -> 88.9, which would be exceeded but is capped at approaching.
    answer_everything(a, dict.fromkeys(l1, 0), 4, moderated=True)
    body = get(client, f"/cycles/2011/assessments/{CAMDEN}/scores", bearer[VIEWER])
    assert body["self"]["overall"]["score"] == 94.4  # the self-assessment is kept beside the moderation
    moderated = body["moderated"]
    assert moderated["overall"] == {"score": 88.9, "band": "approaching", "gated": True}
    assert moderated["domains"]["leadership"] == {"score": 50.0}
    assert moderated["standards"]["L1"] == {"score": 0.0, "band": "not-met", "gated": True, "gates": ["L1.1"]}


# ----------------------------------------------------------------------------------------------------------
# Benchmarks


def set_overall(code: str, slug: str, basis: str, value: float) -> None:
    """Store an authority's overall score directly, so that a group's figures can be worked out by hand."""
    a = assessment(slug, code)
    row = db.session.execute(select(AssessmentScore).filter_by(
        assessment_id=a.id, basis=basis, confidence="", scope="overall")).scalar_one()
    row.score = value
    scores_changed(db.session, a.cycle_id)  # as every writer of a stored score must


def scored_authorities(slug: str, count: int, exclude: set[str]) -> list[str]:
    codes = db.session.execute(
        select(Organisation.code).join(Assessment, Assessment.organisation_id == Organisation.id)
        .where(Assessment.cycle_id == cycle(slug).id, Assessment.state.in_(COUNTED))
        .order_by(Organisation.code)).scalars()
    return [c for c in codes if c not in exclude][:count]


def test_benchmark_figures_by_hand(client: FlaskClient, bearer: dict[str, str], browser: Browser) -> None:
    """Six authorities whose self-assessed overall scores are set to 55 (Camden), 40, 62.5, 70, 81 and 90.

    Sorted: 40, 55, 62.5, 70, 81, 90; n = 6. Mean = 398.5 / 6 = 66.41... -> 66.4. Quartiles at positions
    (n - 1) x p = 1.25, 2.5, 3.75: q1 = 55 + 0.25 x 7.5 = 56.875 -> 56.9, median = (62.5 + 70) / 2 = 66.25 -> 66.3,
    q3 = 70 + 0.75 x 11 = 78.25 -> 78.3 (half-up: half-even would give 66.2 and 78.2). Camden: four higher, so
    5th of 6; 55 < q1, so quartile band D.
    """
    others = scored_authorities("2011", 5, {CAMDEN})
    for code, value in zip([CAMDEN, *others], (55.0, 40.0, 62.5, 70.0, 81.0, 90.0), strict=True):
        set_overall(code, "2011", "self", value)
    db.session.commit()
    browser.sign_in(ADMIN)
    browser.post("/benchmarks/groups", {"name": "Shared six", "members": [CAMDEN, *others], "shared": "y"})
    viewer = Browser(browser.client.application.test_client())
    viewer.sign_in(VIEWER)
    viewer.post("/benchmarks/groups", {"name": "Camden's six", "members": others})
    shared, private = (db.session.execute(select(PeerGroup.id).filter_by(name=n)).scalar_one()
                       for n in ("Shared six", "Camden's six"))

    full = {"score": 55.0, "n": 6, "mean": 66.4, "median": 66.3, "q1": 56.9, "q3": 78.3, "min": 40.0, "max": 90.0,
            "rank": 5, "band": "D"}
    url = f"/cycles/2011/benchmarks?org={CAMDEN}&basis=self&group=group-"
    body = get(client, f"{url}{shared}", bearer[VIEWER])
    # A shared group: its figures, anonymised, but not the lowest and highest (each one authority's score).
    assert body["overall"] == {**full, "min": None, "max": None, "disclosure": "statistics"}
    assert body["group"] == {"kind": f"group-{shared}", "label": "Shared six", "n_members": 6, "access": "shared"}
    # The same members in a group Camden built: its own position only.
    body = get(client, f"{url}{private}", bearer[VIEWER])
    assert body["overall"] == {"score": 55.0, "n": 6, "mean": None, "median": None, "q1": None, "q3": None,
                               "min": None, "max": None, "rank": 5, "band": "D", "disclosure": "position"}
    assert body["group"]["access"] == "private"
    # Programme admins see every figure of any group.
    assert get(client, f"{url}{private}", bearer[ADMIN])["overall"] == {**full, "disclosure": "named"}
    # Another authority's user may not use Camden's group, nor learn that it exists.
    assert "no peer group" in error_of(client, f"/cycles/2011/benchmarks?org={LEEDS}&group=group-{private}",
                                       bearer[EDITOR], 404)


def independent_benchmark(slug: str, code: str, kind: str, basis: str, programme: bool = False,
                          keys: set[str] = frozenset()) -> dict[str, dict]:
    """An authority's figures on every score in a fixed group, from rows read straight from the database: the
    group from the register's columns, each member's scores chosen by basis, numpy for the statistics, and
    DESIGN §6 and issue 7 for what an authority user may see of them (threshold 5)."""
    me = org(code)
    everyone = db.session.execute(select(Organisation)).scalars().all()
    if kind == "statistical-neighbours":
        members = {me.id} | set(db.session.execute(select(StatisticalNeighbour.neighbour_id).filter_by(
            organisation_id=me.id)).scalars())
    else:
        column = {"region": "region_name", "dfe-region": "dfe_region", "type": "org_type", "nation": "nation"}.get(kind)
        members = {o.id for o in everyone if column is None or getattr(o, column) == getattr(me, column)}
    rows = db.session.execute(
        select(Assessment.organisation_id, AssessmentScore.basis, AssessmentScore.scope, AssessmentScore.key,
               AssessmentScore.score)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.cycle_id == cycle(slug).id, Assessment.state.in_(COUNTED), AssessmentScore.confidence == "",
               Assessment.organisation_id.in_(members))).all()
    stored: dict[int, dict[str, dict[str, float]]] = {}
    for organisation_id, row_basis, scope, key, score in rows:
        if score is not None:
            name = "overall" if scope == "overall" else f"{scope}:{key}"
            stored.setdefault(organisation_id, {}).setdefault(row_basis, {})[name] = float(score)

    def on(chosen_basis: str) -> dict[int, dict[str, float]]:
        return {m: (b.get("moderated") or b.get("self", {})) if chosen_basis == "best" else b.get(chosen_basis, {})
                for m, b in stored.items()}

    chosen, best = on(basis), on("best")
    result = {}
    for key in {k for scores in chosen.values() for k in scores} | {"overall"} | set(keys):
        values = np.array([scores[key] for scores in chosen.values() if key in scores])
        left_out = sum(1 for m in best if key in best[m] and key not in chosen.get(m, {}))
        own = chosen.get(me.id, {}).get(key)
        figures = {"score": half_up(own), "n": len(values), **dict.fromkeys(("mean", "median", "q1", "q3", "min",
                                                                              "max", "rank", "band"))}
        if programme:
            shown = "named"
        elif len(values) < 5:
            shown = "none"
        else:
            shown = "position" if left_out else "statistics"
        if shown in ("named", "statistics") and len(values):
            q1, median, q3 = np.percentile(values, [25, 50, 75])
            figures |= {"mean": half_up(values.mean()), "median": half_up(median), "q1": half_up(q1),
                        "q3": half_up(q3)}
            if shown == "named":
                figures |= {"min": half_up(values.min()), "max": half_up(values.max())}
        if shown != "none" and own is not None:
            q1, median, q3 = np.percentile(values, [25, 50, 75])
            figures["rank"] = 1 + int((values > own).sum())
            figures["band"] = "A" if own >= q3 else "B" if own >= median else "C" if own >= q1 else "D"
        result[key] = {**figures, "disclosure": shown}
    return result


def test_benchmark_figures_agree_with_an_independent_calculation(client: FlaskClient,
                                                                 bearer: dict[str, str]) -> None:
    seen = set()
    for slug in ("2011", "2010"):
        for kind in benchmarks.GROUP_KINDS:
            for basis in benchmarks.BASES:
                body = get(client, f"/cycles/{slug}/benchmarks?org={CAMDEN}&group={kind}&basis={basis}",
                           bearer[VIEWER])
                shown = {"overall": body["overall"], **{f"domain:{k}": v for k, v in body["domains"].items()},
                         **{f"standard:{k}": v for k, v in body["standards"].items()}}
                expected = independent_benchmark(slug, CAMDEN, kind, basis, keys=set(shown))
                for key, position in shown.items():
                    assert position == expected[key], (slug, kind, basis, key)
                    seen.add(position["disclosure"])
                assert body["group"]["kind"] == kind and body["basis"] == basis
                assert body["disclosure_threshold"] == 5
    assert seen == {"statistics", "position", "none"}  # each case of the rule was met, not just one
    camden = get(client, f"/cycles/2011/benchmarks?org={CAMDEN}", bearer[VIEWER])
    assert camden["group"] == {"kind": "statistical-neighbours", "label": "statistical neighbours", "n_members": 11,
                               "access": "fixed"}
    assert camden["basis"] == "best" and camden["organisation"] == {"code": CAMDEN, "name": "Camden"}
    assert "members" not in camden["group"]  # aggregates only: no peer is named
    leeds = get(client, f"/cycles/2010/benchmarks?org={LEEDS}&group=region&basis=moderated", bearer[ADMIN])
    assert leeds["overall"] == independent_benchmark("2010", LEEDS, "region", "moderated", programme=True)["overall"]


def test_a_welsh_authority_is_compared_with_wales(client: FlaskClient, bearer: dict[str, str]) -> None:
    body = get(client, f"/cycles/2011/benchmarks?org={CARDIFF}", bearer[WELSH_EDITOR])
    assert body["group"]["kind"] == "nation" and body["group"]["n_members"] == 22
    overall = body["overall"]
    assert overall == independent_benchmark("2011", CARDIFF, "nation", "best")["overall"]
    assert overall["disclosure"] == "statistics" and overall["rank"] is not None and overall["n"] >= 5
    for kind in ("statistical-neighbours", "dfe-region", "region", "type"):
        assert "it is compared with nation, all" in error_of(
            client, f"/cycles/2011/benchmarks?org={CARDIFF}&group={kind}", bearer[WELSH_EDITOR], 404)


def test_benchmark_figures_are_suppressed_below_the_threshold(seeded_app: Flask, client: FlaskClient,
                                                              bearer: dict[str, str]) -> None:
    seeded_app.config["DISCLOSURE_THRESHOLD"] = 1000
    body = get(client, f"/cycles/2011/benchmarks?org={CAMDEN}&group=nation", bearer[VIEWER])
    assert body["disclosure_threshold"] == 1000
    for position in [body["overall"], *body["domains"].values(), *body["standards"].values()]:
        assert position["n"] > 0 and position["disclosure"] == "none"
        assert all(position[k] is None for k in ("mean", "median", "q1", "q3", "min", "max", "rank", "band"))
    assert body["overall"]["score"] == independent_benchmark("2011", CAMDEN, "nation", "best")["overall"]["score"]
