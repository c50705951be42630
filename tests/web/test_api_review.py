"""GET /cycles/{cycle}/assessments/{code}/review: a review set up through the services, its figures against an
independent re-scoring of the standards file, and who may read it; and the benchmark's `confidence` parameter."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import yaml
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, AssessmentScore, EvidenceFile, Organisation, ReviewAssignment
from csptoolkit.services import assessments, moderation, reviews
from csptoolkit.services.accounts import create_user, find_user
from csptoolkit.services.moderation import Entry
from csptoolkit.services.transaction import unit_of_work
from csptoolkit.web.api import OPENAPI

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR
from .test_api import CAMDEN, LEEDS, assessment, bearer, client, cycle, get, make_token

__all__ = ["bearer", "client"]  # fixtures, used by name

STANDARDS = Path(__file__).resolve().parents[2] / "standards" / "csp-commissioning-2011.1.yaml"
PATH = f"/cycles/2011/assessments/{LEEDS}/review"
OTHER_CHAMPION = "other@champions.example"
EVIDENCE = "Board minutes, March"

# Leeds's 2011 answers (a draft in the demo data): every level criterion at 2 and every yes/no at yes (4, with
# evidence) but these; R2.2 is N/A. Nothing depends on a criterion rated below what shows it (R2.1 and P3.2 at 2).
CHOSEN = {"L1.2": 3, "E1.1": 4, "N2.1": 1, "R2.2": "na"}
NOTED = {"L1.2", "E1.1", "N2.1"}  # evidence noted besides the yes/no criteria (L1.2, E1.1 need it; N2.1 need not)
# The findings: L1.2 challenged down to 1 and accepted; E1.1 challenged down to 2, kept, moderated at 3; evidence
# asked for on N2.1, added, moderated at 2; every other sampled criterion agreed.
MODERATED = {"L1.2": 1, "E1.1": 3, "N2.1": 2}


# ----------------------------------------------------------------------------------------------------------
# DESIGN §4 from the standards file, written again here


def standards_file() -> dict:
    return yaml.safe_load(STANDARDS.read_text(encoding="utf-8"))


def half_up(value: Fraction | None) -> Decimal | None:
    return None if value is None else Decimal(math.floor(value * 10 + Fraction(1, 2))).scaleb(-1)


def weighted_mean(parts: list[tuple[Fraction | None, Fraction]]) -> Fraction | None:
    scored = [(score, weight) for score, weight in parts if score is not None]
    total = sum((w for _, w in scored), Fraction(0))
    return None if total == 0 else sum((s * w for s, w in scored), Fraction(0)) / total


def independent_scores(document: dict, answers: dict[str, int | str]) -> dict[str, Fraction | None]:
    """Exact scores by key (overall, domain:<id>, standard:<id>); every criterion is visible in these answers."""
    top = max(level["value"] for level in document["scale"])
    scores: dict[str, Fraction | None] = {}
    domain_parts = []
    for domain in document["domains"]:
        standard_parts = []
        for standard in domain["standards"]:
            total = possible = Fraction(0)
            for criterion in standard["criteria"]:
                value = answers.get(criterion["id"])
                if value is None or value == "na":
                    continue
                weight = Fraction(str(criterion.get("weight", 1)))
                total += weight * value
                possible += weight * top
            score = None if possible == 0 else 100 * total / possible
            scores[f"standard:{standard['id']}"] = score
            standard_parts.append((score, Fraction(str(standard.get("weight", 1)))))
        scores[f"domain:{domain['id']}"] = weighted_mean(standard_parts)
        domain_parts.append((scores[f"domain:{domain['id']}"], Fraction(str(domain.get("weight", 1)))))
    scores["overall"] = weighted_mean(domain_parts)
    return scores


def expected_scores(document: dict, own: dict, moderated: dict) -> dict:
    """The `scores` object the endpoint should give: each figure rounded half-up, the gap of the rounded figures."""
    mine, theirs = independent_scores(document, own), independent_scores(document, moderated)

    def trio(key: str) -> dict:
        shown_self, shown_moderated = half_up(mine[key]), half_up(theirs[key])
        gap = None if shown_self is None or shown_moderated is None else shown_moderated - shown_self
        return {"self": None if shown_self is None else float(shown_self),
                "moderated": None if shown_moderated is None else float(shown_moderated),
                "gap": None if gap is None else float(gap)}

    return {"overall": trio("overall"),
            "domains": {d["id"]: trio(f"domain:{d['id']}") for d in document["domains"]},
            "standards": {s["id"]: trio(f"standard:{s['id']}") for d in document["domains"] for s in d["standards"]}}


def chosen_answers(document: dict) -> dict[str, int | str]:
    answers = {}
    for criterion in (c for d in document["domains"] for s in d["standards"] for c in s["criteria"]):
        answers[criterion["id"]] = 4 if criterion.get("type") == "yesno" else 2
    return answers | CHOSEN


def evidenced(document: dict, answers: dict) -> set[str]:
    yesno = {c["id"] for d in document["domains"] for s in d["standards"] for c in s["criteria"]
             if c.get("type") == "yesno"}
    return {cid for cid, value in answers.items() if value != "na" and (cid in NOTED or cid in yesno)}


# ----------------------------------------------------------------------------------------------------------
# Setting the review up through the services


def submit_leeds(answers: dict[str, int | str], noted: set[str]) -> Assessment:
    a = assessment("2011", LEEDS)
    assert a.state == "draft"
    by_key = {answer.criterion.key: answer for answer in a.answers}
    for criterion in a.cycle.framework_version.criteria:
        answer = by_key.get(criterion.key)
        if answer is None:
            answer = Answer(criterion=criterion)
            a.answers.append(answer)
        value = answers[criterion.key]
        answer.not_applicable, answer.level = value == "na", None if value == "na" else value
        answer.evidence_note = EVIDENCE if criterion.key in noted else None
        answer.carried_over = False
    db.session.commit()
    assert db.session.execute(select(EvidenceFile).join(Answer).where(Answer.assessment_id == a.id)).first() is None
    assessments.submit(db.session, find_user(db.session, EDITOR), a)
    return a


def sample_of(a: Assessment) -> set[str]:
    db.session.expire_all()
    return set(db.session.execute(select(ReviewAssignment.sample).filter_by(assessment_id=a.id)).scalar_one())


def record(a: Assessment, standard: str, entries: dict[str, Entry], comment: str | None = None) -> None:
    moderation.record_findings(db.session, find_user(db.session, CHAMPION), a, standard, entries, comment)


def checked(body: dict) -> dict:
    """The body, after checking it against the schema the document gives for the operation's 200."""
    ok = OPENAPI["paths"]["/cycles/{cycle}/assessments/{code}/review"]["get"]["responses"]["200"]
    schema = {**ok["content"]["application/json"]["schema"], "components": OPENAPI["components"]}
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)
    return body


def no_finding(criterion: str, sampled: bool = True) -> dict:
    return {"criterion": criterion, "sampled": sampled, "finding": None, "proposed_level": None, "reason": None,
            "response": None, "response_note": None, "moderated_level": None}


def agreed(criterion: str, sampled: bool) -> dict:
    return {**no_finding(criterion, sampled), "finding": "agree"}


def test_a_review_from_submission_to_moderation(client: FlaskClient, bearer: dict[str, str]) -> None:
    document = standards_file()
    order = [c["id"] for d in document["domains"] for s in d["standards"] for c in s["criteria"]]
    standard_of = {c["id"]: s["id"] for d in document["domains"] for s in d["standards"] for c in s["criteria"]}
    own = chosen_answers(document)
    noted = evidenced(document, own)
    token = bearer[ADMIN]

    # A draft has no review.
    assert "not been submitted" in get(client, PATH, token, 404)["error"]["message"]

    # Submitted, no champion yet: no champions, no findings; the moderated answers are the self-assessed ones.
    a = submit_leeds(own, noted)
    body = checked(get(client, PATH, token))
    assert body["state"] == "submitted" and body["submitted_at"] is not None
    assert (body["cycle"], body["framework"], body["version"]) == ("2011", "csp-commissioning", "2011.1")
    assert body["organisation"] == {"code": LEEDS, "name": "Leeds"}
    assert body["champions"] == [] and body["findings"] == [] and body["comments"] == {}
    assert body["scores"] == expected_scores(document, own, own)
    answered = len(own)
    assert body["confidence"] == {"self_assessed": answered - len(noted), "evidenced": len(noted),
                                  "peer_validated": 0}

    # A champion is assigned; their sample is drawn. W3.3 (or the first criterion left out of the sample) gets a
    # finding all the same, as an unsampled criterion can.
    admin, champion = find_user(db.session, ADMIN), find_user(db.session, CHAMPION)
    reviews.assign(db.session, admin, a, champion)
    sample = sample_of(a)
    unsampled = next(c for c in ["W3.3", *reversed(order)] if c not in sample and c not in MODERATED
                     and own[c] != "na")
    record(a, "L1", {"L1.2": Entry("challenge", 1, "No strategy was signed off.")}, comment="Strong leadership.")
    record(a, "E1", {"E1.1": Entry("challenge", 2, "Only one survey found.")})
    record(a, "N2", {"N2.1": Entry("evidence_requested", reason="Send the needs analysis.")})
    record(a, standard_of[unsampled], {unsampled: Entry("agree")})

    body = checked(get(client, PATH, bearer[CHAMPION]))
    assert body["state"] == "in_review"
    assert body["champions"] == [{"name": champion.name, "email": None}]  # not an admin: no email
    assert get(client, PATH, token)["champions"] == [{"name": champion.name, "email": CHAMPION}]
    assert body["comments"] == {"L1": "Strong leadership."}
    found = {"L1.2": {"finding": "challenge", "proposed_level": 1, "reason": "No strategy was signed off."},
             "E1.1": {"finding": "challenge", "proposed_level": 2, "reason": "Only one survey found."},
             "N2.1": {"finding": "evidence_requested", "reason": "Send the needs analysis."},
             unsampled: {"finding": "agree"}}
    listed = sorted(sample | set(found), key=order.index)
    assert body["findings"] == [{**no_finding(c, c in sample), **found.get(c, {})} for c in listed]
    assert any(row["finding"] is None for row in body["findings"])  # sampled, no finding yet
    assert {row["criterion"]: row["sampled"] for row in body["findings"]}[unsampled] is False
    # Nothing moderated yet: the moderated scores are the self-assessed ones.
    assert body["scores"] == expected_scores(document, own, own)
    assert body["confidence"]["peer_validated"] == 1  # the agreed one

    # The authority answers; accepting the challenge to L1.2 takes its proposed level at once.
    editor = find_user(db.session, EDITOR)
    moderation.respond(db.session, editor, a, {"L1.2": ("accept", None), "E1.1": ("keep", "The survey is annual."),
                                               "N2.1": ("evidence_added", "Added the 2011 needs analysis.")})
    body = checked(get(client, PATH, bearer[EDITOR]))
    assert body["scores"] == expected_scores(document, own, own | {"L1.2": 1})
    assert body["champions"] == [{"name": champion.name, "email": None}]

    # The champion settles E1.1 at 3 and N2.1 at 2, agrees every other sampled criterion, and completes.
    record(a, "E1", {"E1.1": Entry("challenge", 2, "Only one survey found.", moderated_level=3)})
    record(a, "N2", {"N2.1": Entry("evidence_requested", reason="Send the needs analysis.", moderated_level=2)})
    rest = [c for c in sorted(sample, key=order.index) if c not in found and own[c] != "na"]
    for standard in dict.fromkeys(standard_of[c] for c in rest):
        record(a, standard, {c: Entry("agree") for c in rest if standard_of[c] == standard})
    moderation.complete(db.session, champion, a)

    body = checked(get(client, PATH, bearer[EDITOR]))
    assert body["state"] == "moderated"
    moderated = own | MODERATED
    # By hand, L1 (L1.1 weight 2, the others 1; the scale's top is 4): self (2x2 + 3 + 2 + 2) / (4 x 5) = 55.0,
    # moderated (2x2 + 1 + 2 + 2) / 20 = 45.0, a gap of -10.0. Leadership (L1 weight 2, L2 and L3 1; L2 = (4 + 2 + 2
    # + 4) / 16 = 75, L3 = 50): self (110 + 75 + 50) / 4 = 58.75 -> 58.8, moderated (90 + 125) / 4 = 53.75 -> 53.8.
    assert body["scores"]["standards"]["L1"] == {"self": 55.0, "moderated": 45.0, "gap": -10.0}
    assert body["scores"]["domains"]["leadership"] == {"self": 58.8, "moderated": 53.8, "gap": -5.0}
    assert body["scores"] == expected_scores(document, own, moderated)
    assert body["scores"]["standards"]["E1"]["gap"] < 0 and body["scores"]["overall"]["gap"] < 0
    found["L1.2"] |= {"response": "accept", "moderated_level": 1}
    found["E1.1"] |= {"response": "keep", "response_note": "The survey is annual.", "moderated_level": 3}
    found["N2.1"] |= {"response": "evidence_added", "response_note": "Added the 2011 needs analysis.",
                      "moderated_level": 2}
    assert body["findings"] == [{**agreed(c, c in sample), **found.get(c, {})} for c in listed]
    validated = set(sample) | set(found)
    validated.discard("R2.2")  # N/A: nothing to validate
    assert body["confidence"] == {"peer_validated": len(validated), "evidenced": len(noted - validated),
                                  "self_assessed": answered - len(validated | noted)}
    assert sum(body["confidence"].values()) == answered


def test_who_may_read_a_review(seeded_app: Flask, client: FlaskClient, bearer: dict[str, str]) -> None:
    document = standards_file()
    own = chosen_answers(document)
    a = submit_leeds(own, evidenced(document, own))
    reviews.assign(db.session, find_user(db.session, ADMIN), a, find_user(db.session, CHAMPION))
    with unit_of_work(db.session):
        create_user(db.session, OTHER_CHAMPION, "champion", "a long enough password")
    other = make_token(OTHER_CHAMPION)
    for token, status in ((bearer[ADMIN], 200), (bearer[CHAMPION], 200), (bearer[EDITOR], 200), (other, 404),
                          (bearer[VIEWER], 404), (bearer[WELSH_EDITOR], 404), (None, 401)):
        get(client, PATH, token, status)
    # Told no more than of an assessment that does not exist.
    refused = get(client, PATH, other, 404)["error"]["message"]
    missing = get(client, "/cycles/2011/assessments/999/review", other, 404)["error"]["message"]
    assert refused == missing.replace("999", LEEDS) and "may read" in refused
    assert "999" in get(client, "/cycles/2011/assessments/999/review", bearer[ADMIN], 404)["error"]["message"]
    get(client, f"/cycles/2099/assessments/{LEEDS}/review", bearer[ADMIN], 404)


def test_the_document_lists_the_review(seeded_app: Flask) -> None:
    item = OPENAPI["paths"]["/cycles/{cycle}/assessments/{code}/review"]["get"]
    assert item["operationId"] == "getAssessmentReview"
    assert {p["name"] for p in item["parameters"]} == {"cycle", "code"}
    assert {"200", "401", "404"} <= set(item["responses"])
    assert "draft" in item["description"] and "no champion" in item["description"]
    assert set(OPENAPI["components"]["schemas"]["ReviewFinding"]["properties"]) == {
        "criterion", "sampled", "finding", "proposed_level", "reason", "response", "response_note", "moderated_level"}


# ----------------------------------------------------------------------------------------------------------
# The benchmark's lowest confidence accepted


def test_benchmarks_count_only_ratings_at_the_confidence_asked(client: FlaskClient, bearer: dict[str, str]) -> None:
    """Camden against England, self-assessed: with confidence=evidenced, each authority's overall score is the one
    stored for its evidenced ratings alone (the demo notes evidence on high ratings only), and n counts those that
    have one."""
    def overall(confidence: str) -> dict[str, float]:
        rows = db.session.execute(
            select(Organisation.code, AssessmentScore.score)
            .join(Assessment, Assessment.organisation_id == Organisation.id)
            .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
            .where(Assessment.cycle_id == cycle("2011").id, Organisation.nation == "england",
                   Assessment.state.in_(("submitted", "in_review", "moderated", "published")),
                   AssessmentScore.basis == "self", AssessmentScore.confidence == confidence,
                   AssessmentScore.scope == "overall")).all()
        return {code: float(score) for code, score in rows if score is not None}

    every, only_evidenced = overall(""), overall("evidenced")
    assert every[CAMDEN] != only_evidenced[CAMDEN]  # the filter has something to change
    url = f"/cycles/2011/benchmarks?org={CAMDEN}&group=nation&basis=self"
    body = get(client, f"{url}&confidence=evidenced", bearer[ADMIN])
    assert body["confidence"] == "evidenced"
    assert body["overall"]["score"] == float(half_up(Fraction(str(only_evidenced[CAMDEN]))))
    assert body["overall"]["n"] == len(only_evidenced)
    unfiltered = get(client, url, bearer[ADMIN])
    assert unfiltered["confidence"] == "" and get(client, f"{url}&confidence=", bearer[ADMIN]) == unfiltered
    assert unfiltered["overall"]["score"] == float(half_up(Fraction(str(every[CAMDEN]))))
    assert unfiltered["overall"]["n"] == len(every)
    assert "'confidence'" in get(client, f"{url}&confidence=self-assessed", bearer[VIEWER], 400)["error"]["message"]
