"""The what-if page and its JSON (DESIGN §7): figures against an independent re-scoring of the standards file and of
the peers' answers, who may use it, the disclosure attack, recalculating without JavaScript, and committing."""

from __future__ import annotations

import math
import re
import statistics
from decimal import Decimal
from fractions import Fraction

from flask import Flask
from sqlalchemy import select

from csptoolkit.domain.states import COUNTED_STATES
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, StatisticalNeighbour
from csptoolkit.services import plans
from csptoolkit.services.accounts import find_user

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR, Browser, csrf_token, hidden_value
from .test_api import CAMDEN, CARDIFF, LEEDS, assessment, cycle, org
from .test_api_review import chosen_answers, evidenced, half_up, standards_file, submit_leeds, weighted_mean

# Leeds's targets: L1.2 up from 3 to 4, E1.1 down from 4 to 1 (a what-if may lower), N2.1 up from 1 to 3, R2.2 from
# N/A to yes (4), and M1.1 at the 2 it already has. Nothing they touch shows or hides another criterion.
TARGETS = {"L1.2": 4, "E1.1": 1, "N2.1": 3, "R2.2": 4, "M1.1": 2}


def page(assessment_id: int, json: bool = False) -> str:
    return f"/assessments/{assessment_id}/plan/what-if" + (".json" if json else "")


# ----------------------------------------------------------------------------------------------------------
# DESIGN §4 and §6 written again from the standards file: visibility, scores, bands, gates, rank, quartile band


def criteria_of(document: dict) -> dict[str, dict]:
    return {c["id"]: c for d in document["domains"] for s in d["standards"] for c in s["criteria"]}


def asked(document: dict, answers: dict) -> dict:
    """The answers of the criteria asked (depends_on holds on an asked criterion answered at min_level or above)."""
    criteria = criteria_of(document)

    def visible(cid: str) -> bool:
        dependency = criteria[cid].get("depends_on")
        if not dependency:
            return True
        value = answers.get(dependency["criterion"])
        return visible(dependency["criterion"]) and value not in (None, "na") and value >= dependency["min_level"]

    return {cid: value for cid, value in answers.items() if cid in criteria and visible(cid)}


def rescore(document: dict, answers: dict) -> dict[str, tuple[Fraction | None, bool]]:
    """Exact score and whether gated, by key (overall, domain:<id>, standard:<id>)."""
    answers = asked(document, answers)
    top = max(level["value"] for level in document["scale"])
    out: dict[str, tuple[Fraction | None, bool]] = {}
    domain_parts, any_gate = [], False
    for domain in document["domains"]:
        parts, domain_gate = [], False
        for standard in domain["standards"]:
            total = possible = Fraction(0)
            gated = False
            for criterion in standard["criteria"]:
                value = answers.get(criterion["id"])
                if value is None or value == "na":
                    continue
                weight = Fraction(str(criterion.get("weight", 1)))
                total, possible = total + weight * value, possible + weight * top
                gated = gated or (criterion.get("mandatory", False) and value < criterion.get("minimum_level", 0))
            exact = None if possible == 0 else 100 * total / possible
            out[f"standard:{standard['id']}"] = (exact, gated)
            parts.append((exact, Fraction(str(standard.get("weight", 1)))))
            domain_gate = domain_gate or gated
        exact = weighted_mean(parts)
        out[f"domain:{domain['id']}"] = (exact, domain_gate)
        domain_parts.append((exact, Fraction(str(domain.get("weight", 1)))))
        any_gate = any_gate or domain_gate
    out["overall"] = (weighted_mean(domain_parts), any_gate)
    return out


def band(document: dict, exact: Fraction | None, gated: bool) -> str | None:
    figure = half_up(exact)
    if figure is None:
        return None
    ids = [b["id"] for b in document["bands"]]
    index = max(i for i, b in enumerate(document["bands"]) if Decimal(str(b["min"])) <= figure)
    return ids[min(index, ids.index(document["gate_band"])) if gated else index]


def expected_pair(document: dict, now: dict, then: dict, key: str) -> dict:
    def one(scores: dict) -> dict:
        exact, gated = scores[key]
        return {"score": None if exact is None else float(half_up(exact)), "band": band(document, exact, gated),
                "gated": gated}
    return {"now": one(now), "what_if": one(then)}


def stored(exact: Fraction | None) -> float | None:
    return None if exact is None else round(float(exact), 4)  # as every stored score is kept: 4 places


def answers_of_row(a: Assessment) -> dict:
    """An assessment's answers on its best basis: moderated ratings where it has any, else self-assessed."""
    moderated = any(x.moderated_level is not None or x.moderated_not_applicable for x in a.answers)
    answers = {}
    for x in a.answers:
        if moderated and (x.moderated_level is not None or x.moderated_not_applicable):
            value = "na" if x.moderated_not_applicable else x.moderated_level
        else:
            value = "na" if x.not_applicable else x.level
        if value is not None:
            answers[x.criterion.key] = value
    return answers


def peers_rescored(document: dict, code: str) -> dict[int, dict[str, float | None]]:
    """The statistical neighbours' scores (counted assessments only), scored again from their answers."""
    own = org(code)
    ids = list(db.session.execute(select(StatisticalNeighbour.neighbour_id).filter_by(organisation_id=own.id))
               .scalars())
    found = db.session.execute(select(Assessment).where(
        Assessment.cycle_id == cycle("2011").id, Assessment.organisation_id.in_(ids),
        Assessment.state.in_(COUNTED_STATES))).scalars().all()
    return {a.organisation_id: {k: stored(v[0]) for k, v in rescore(document, answers_of_row(a)).items()}
            for a in found}


def standing(own: float | None, peers: list[float]) -> dict | None:
    """Rank (1 + how many are higher) and quartile band (R type 7 quartiles of the group with the authority)."""
    if own is None:
        return None
    values = sorted([*peers, own])
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    letter = "A" if own >= q3 else "B" if own >= median else "C" if own >= q1 else "D"
    rank = 1 + sum(1 for v in peers if v > own)
    return {"of": len(values), "rank": rank, "ranks": [rank, rank], "band": letter}


def projected(then: float | None, now: float | None, peers: list[float]) -> dict | None:
    """A hypothetical score's standing for an authority user: its quartile band against the quartiles of the group
    as it is now (with the authority's current score), and the rank the peers' own values would give it, which
    the page must never show exactly unless the figures it shows pin it down (checked by `holds`)."""
    if then is None or now is None:
        return None
    q1, median, q3 = statistics.quantiles(sorted([*peers, now]), n=4, method="inclusive")
    letter = "A" if then >= q3 else "B" if then >= median else "C" if then >= q1 else "D"
    return {"of": len(peers) + 1, "rank": 1 + sum(1 for v in peers if v > then), "band": letter}


def holds(shown: dict, expected: dict) -> bool:
    """The what-if's standing as shown agrees with the one worked out here: the same group size and band, a range
    of ranks that holds the real one, and an exact rank only where the range is a single rank."""
    best, worst = shown["ranks"]
    exact = shown["rank"]
    return (shown["of"], shown["band"]) == (expected["of"], expected["band"]) and best <= expected["rank"] <= worst \
        and (exact is None) == (best != worst) and exact in (None, expected["rank"])


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def chosen(html: str, criterion_id: str, level: int) -> bool:
    """Whether the page carries the target: selected in its domain's select, or in a hidden input when its domain
    is not the one shown."""
    name = re.escape(criterion_id)
    return bool(re.search(rf'<select[^>]*name="{name}"[^>]*>(?:(?!</select>).)*?<option value="{level}" selected',
                          html, re.S) or re.search(rf'<input type="hidden" name="{name}" value="{level}">', html))


def leeds_submitted(document: dict) -> tuple[Assessment, dict]:
    own = chosen_answers(document)
    return submit_leeds(own, evidenced(document, own)), own


# ----------------------------------------------------------------------------------------------------------


def test_figures_agree_with_an_independent_rescoring(seeded_app: Flask, browser: Browser) -> None:
    document = standards_file()
    a, own = leeds_submitted(document)
    browser.sign_in(EDITOR)
    query = "&".join(f"{k}={v}" for k, v in TARGETS.items())
    body = browser.get(f"{page(a.id, json=True)}?{query}").get_json()

    now, then = rescore(document, own), rescore(document, {**own, **TARGETS})
    assert body["basis"] == "self" and body["targets"] == TARGETS
    assert body["changed"] == ["L1.2", "E1.1", "N2.1", "R2.2"] and body["not_counted"] == []
    assert {k: v for k, v in body["overall"]["now"].items() if k != "gates"} == \
        expected_pair(document, now, then, "overall")["now"]
    assert {k: v for k, v in body["overall"]["what_if"].items() if k != "gates"} == \
        expected_pair(document, now, then, "overall")["what_if"]
    for kind, ids in (("domains", [d["id"] for d in document["domains"]]),
                      ("standards", [s["id"] for d in document["domains"] for s in d["standards"]])):
        for identifier in ids:
            expected = expected_pair(document, now, then, f"{kind[:-1]}:{identifier}")
            got = {when: {k: v for k, v in body[kind][identifier][when].items() if k != "gates"}
                   for when in ("now", "what_if")}
            assert got == expected, identifier
    assert body["overall"]["now"] != body["overall"]["what_if"]  # the targets do move it

    # Standings among Leeds and its statistical neighbours, from their answers scored again.
    peers = peers_rescored(document, LEEDS)
    assert len(peers) >= 5
    standings = body["group"]["standings"]
    assert body["group"]["kind"] == "statistical-neighbours"
    for key in ["overall", *(f"domain:{d['id']}" for d in document["domains"])]:
        others = [p[key] for p in peers.values() if p[key] is not None]
        assert standings[key]["now"] == standing(stored(now[key][0]), others), key
        assert holds(standings[key]["what_if"], projected(stored(then[key][0]), stored(now[key][0]), others)), key

    # The page without JavaScript: the same targets posted with "Recalculate" give the same figures.
    browser.get(page(a.id))
    form = {k: str(v) for k, v in TARGETS.items()} | {"recalculate": "y"}
    assert browser.post(page(a.id), form).status_code == 200
    text = text_of(browser.last)
    overall = expected_pair(document, now, then, "overall")
    labels = {b["id"]: b["label"]["en"] if isinstance(b["label"], dict) else b["label"] for b in document["bands"]}
    assert re.search(rf"Overall {overall['now']['score']} {labels[overall['now']['band']]}.*? "
                     rf"{overall['what_if']['score']} {labels[overall['what_if']['band']]}", text)
    others = [p["overall"] for p in peers.values() if p["overall"] is not None]
    was = standing(stored(now["overall"][0]), others)
    will = projected(stored(then["overall"][0]), stored(now["overall"][0]), others)
    best, worst = body["group"]["standings"]["overall"]["what_if"]["ranks"]
    assert best < worst  # the targets moved Leeds off its own score, so only a range is known
    assert (f"Overall {ordinal(was['rank'])} of {was['of']}, band {was['band']} "
            f"{ordinal(best)} to {ordinal(worst)} of {will['of']}, band {will['band']}") in text
    for criterion_id, level in TARGETS.items():  # the choices are kept
        assert chosen(browser.last, criterion_id, level), criterion_id
    assert '<select class="govuk-select govuk-!-width-full" id="L1.2" name="L1.2"' in browser.last  # leadership
    assert 'name="E1.1" value="1"' in browser.last  # engagement's, carried


def test_another_domains_questions_keep_the_targets_chosen(seeded_app: Flask, browser: Browser) -> None:
    a = assessment("2011", LEEDS)
    browser.sign_in(EDITOR)
    browser.get(page(a.id))
    assert browser.post(page(a.id), {"L1.2": "4", "domain": "engagement", "show": "y"}).status_code == 200
    # Engagement's questions as selects, leadership's target carried as a hidden input, and counted in the list.
    assert 'id="E1.1" name="E1.1"' in browser.last and 'id="L1.2" name="L1.2"' not in browser.last
    assert chosen(browser.last, "L1.2", 4)
    assert re.search(r'<option value="leadership">[^<]*\(1 target\)</option>', browser.last)
    # Choosing E1.1 there and recalculating counts both.
    response = browser.post(page(a.id), {"L1.2": "4", "E1.1": "1", "domain": "engagement", "recalculate": "y"})
    assert response.status_code == 200
    assert chosen(browser.last, "E1.1", 1) and chosen(browser.last, "L1.2", 4)
    assert 'id="E1.1" name="E1.1"' in browser.last  # still engagement's questions


def test_a_target_on_a_follow_on_question_counts_only_while_it_is_asked(seeded_app: Flask, browser: Browser) -> None:
    document = standards_file()
    a, own = leeds_submitted(document)
    browser.sign_in(EDITOR)
    # R2.3 follows on from R2.1 (min_level 1); R2.1 is at 2. With R2.1 at 0, R2.3 is not asked and its target of 4
    # does not count; R2 = the remaining criteria only.
    body = browser.get(f"{page(a.id, json=True)}?R2.1=0&R2.3=4").get_json()
    assert body["not_counted"] == ["R2.3"]
    expected = rescore(document, {**own, "R2.1": 0, "R2.3": 4})["standard:R2"][0]
    assert body["standards"]["R2"]["what_if"]["score"] == float(half_up(expected))
    assert expected == rescore(document, {**own, "R2.1": 0})["standard:R2"][0]
    browser.get(f"{page(a.id)}?R2.1=0&R2.3=4")
    assert "These targets do not count" in text_of(browser.last) or "This target does not count" in \
        text_of(browser.last)


def test_bad_targets_are_refused(seeded_app: Flask, browser: Browser) -> None:
    a = assessment("2011", LEEDS)
    browser.sign_in(EDITOR)
    for query in ("L1.1=5", "L1.1=two", "L2.1=2", "Z9.9=1"):  # L2.1 is yes/no: 0 or 4
        response = browser.get(f"{page(a.id, json=True)}?{query}", status=400)
        assert response.get_json()["criterion"] == query.split("=")[0]
    browser.get(page(a.id))
    assert browser.post(page(a.id), {"L1.1": "9", "recalculate": "y"}).status_code == 400
    assert "Select a level from the list" in browser.last and "Error:" in browser.last


def test_who_may_use_it(seeded_app: Flask) -> None:
    leeds, camden = assessment("2011", LEEDS), assessment("2011", CAMDEN)
    cases = {ADMIN: (200, 200), EDITOR: (200, 404), VIEWER: (404, 200), CHAMPION: (404, 404)}
    for email, (on_leeds, on_camden) in cases.items():
        browser = Browser(seeded_app.test_client())
        browser.sign_in(email)
        for a, status in ((leeds, on_leeds), (camden, on_camden)):
            browser.get(page(a.id), status=status)
            browser.get(page(a.id, json=True), status=status)
            browser.get(f"{page(a.id, json=True)}?L1.1=1", status=status)
    anonymous = seeded_app.test_client()
    assert anonymous.get(page(leeds.id)).status_code == 302
    assert anonymous.get(page(leeds.id, json=True)).status_code == 302

    # Only the authority's editors may make them the plan's targets: the viewer and the admin see no button and
    # are refused (404) if they post it anyway; nothing is saved.
    for email, a in ((VIEWER, camden), (ADMIN, leeds)):
        browser = Browser(seeded_app.test_client())
        browser.sign_in(email)
        browser.get(page(a.id))
        assert 'name="commit"' not in browser.last
        assert browser.post(page(a.id), {"L1.1": "3", "commit": "y"}).status_code == 404
        assert plans.targets_of(db.session, a.id) == {}
        # They may still recalculate (a read), with the form's CSRF token.
        assert browser.post(page(a.id), {"L1.1": "3", "recalculate": "y"}).status_code == 200
    viewer = Browser(seeded_app.test_client())
    viewer.sign_in(VIEWER)
    assert viewer.client.post(page(camden.id), data={"L1.1": "3", "recalculate": "y"}).status_code == 400  # no token


def test_only_authority_users_are_told_why_they_get_a_range_of_ranks(seeded_app: Flask) -> None:
    """Programme admins get the exact rank with the targets, so the page does not tell them it is a range."""
    leeds = assessment("2011", LEEDS)
    targets = "&".join(f"{cid}={level}" for cid, level in TARGETS.items())
    said = {}
    for email in (EDITOR, ADMIN):
        browser = Browser(seeded_app.test_client())
        browser.sign_in(email)
        browser.get(f"{page(leeds.id)}?{targets}")
        said[email] = "Not an exact rank" in browser.last
        json = browser.get(f"{page(leeds.id, json=True)}?{targets}&html=1").get_json()
        assert ("Not an exact rank" in json["html"]) is said[email]
    assert said == {EDITOR: True, ADMIN: False}


def test_a_small_group_shows_no_rank_or_band_whatever_the_targets(seeded_app: Flask, browser: Browser) -> None:
    """The attack: an authority varies its targets to read where its peers are. With fewer scored authorities
    than the threshold, no rank or band ever appears, on the page or in the JSON, for any targets."""
    document = standards_file()
    a, _own = leeds_submitted(document)
    members = 1 + len(peers_rescored(document, LEEDS))
    seeded_app.config["DISCLOSURE_THRESHOLD"] = members + 1  # one more than Leeds's scored group
    browser.sign_in(EDITOR)
    criteria = list(criteria_of(document))
    for step in range(12):
        targets = {cid: (step + i) % 5 if criteria_of(document)[cid].get("type") != "yesno" else 4 * (step % 2)
                   for i, cid in enumerate(criteria[step::6])}
        query = "&".join(f"{k}={v}" for k, v in targets.items())
        body = browser.get(f"{page(a.id, json=True)}?{query}").get_json()
        for key, both in body["group"]["standings"].items():
            for when in ("now", "what_if"):
                assert both[when]["rank"] is None and both[when]["band"] is None, (key, when)
                assert set(both[when]) == {"of", "rank", "ranks", "band"} and both[when]["ranks"] is None
        browser.get(f"{page(a.id)}?{query}")
        text = text_of(browser.last)
        assert not re.search(r"\b\d+(st|nd|rd|th) of \d+", text)
        assert not re.search(r"band [ABCD]\b", text)
        assert f"Not shown: fewer than {members + 1} authorities with a score" in text


def test_no_peer_value_is_ever_in_the_json(seeded_app: Flask, browser: Browser) -> None:
    document = standards_file()
    a, _own = leeds_submitted(document)
    browser.sign_in(EDITOR)
    body = browser.get(f"{page(a.id, json=True)}?html=1&L1.1=4").get_json()
    for both in body["group"]["standings"].values():
        for when in ("now", "what_if"):
            assert set(both[when]) == {"of", "rank", "ranks", "band"}
    # No peer's score, as a figure, anywhere in the results either (the authority's own figures are its own).
    own_figures = {v["score"] for part in ("domains", "standards") for s in body[part].values()
                   for v in s.values()} | {v["score"] for v in body["overall"].values()}
    for peer in peers_rescored(document, LEEDS).values():
        figure = peer["overall"]
        if figure is not None and float(half_up(Fraction(str(figure)))) not in own_figures:
            assert f"{half_up(Fraction(str(figure)))}" not in text_of(body["html"])


def test_committing_the_targets_and_a_conflict(seeded_app: Flask, browser: Browser, other_browser: Browser) -> None:
    a = assessment("2011", LEEDS)
    browser.sign_in(EDITOR)
    other_browser.sign_in(EDITOR)
    browser.get(page(a.id))
    token, seen = csrf_token(browser.last), hidden_value(browser.last, "revision")
    assert seen == str(plans.plan_revision(db.session, a.id) or 0)  # 0 when there is no plan yet

    # Someone else makes the plan's targets first.
    response = other_browser.post(page(a.id), {"L1.1": "3", "commit": "y"})
    assert response.status_code == 303 and response.location.endswith(f"/assessments/{a.id}/plan")
    assert plans.targets_of(db.session, a.id) == {"L1.1": 3}

    # The page opened before that is refused, says why, and keeps what was chosen.
    response = browser.post(page(a.id), {"csrf_token": token, "revision": seen, "L1.2": "4", "E1.1": "1",
                                         "commit": "y"})
    assert response.status_code == 409
    assert "Someone changed the plan since you opened this page" in text_of(browser.last)
    assert chosen(browser.last, "L1.2", 4) and chosen(browser.last, "E1.1", 1)
    assert plans.targets_of(db.session, a.id) == {"L1.1": 3}
    moved = hidden_value(browser.last, "revision")
    assert moved == str(plans.plan_revision(db.session, a.id)) and moved != seen

    # Sent again from that page (which now carries the plan's revision), they replace the plan's targets: L1.1 had
    # "no target" chosen, so its target is removed.
    response = browser.post(page(a.id), {"csrf_token": csrf_token(browser.last), "revision": moved, "L1.2": "4",
                                         "E1.1": "1", "commit": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert plans.targets_of(db.session, a.id) == {"L1.2": 4, "E1.1": 1}

    # Opened again, the page starts from the plan's targets.
    browser.get(page(a.id))
    assert chosen(browser.last, "L1.2", 4) and chosen(browser.last, "E1.1", 1)
    assert not chosen(browser.last, "L1.1", 3)
    assert hidden_value(browser.last, "revision") == str(plans.plan_revision(db.session, a.id))
    assert find_user(db.session, EDITOR).organisation_id == a.organisation_id


def test_the_script_is_a_static_file_with_the_pages_nonce(seeded_app: Flask, browser: Browser) -> None:
    a = assessment("2011", LEEDS)
    browser.sign_in(EDITOR)
    response = browser.get(page(a.id))
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    tag = re.search(r'<script type="module" src="([^"]+whatif\.js)" nonce="([^"]+)"></script>', browser.last)
    assert tag and tag.group(2) == nonce
    script = browser.client.get(tag.group(1))
    assert script.status_code == 200 and b"whatif-results" in script.get_data()
    script.close()
    # The form carries its own CSRF token (a browser posts only the form's fields).
    form = re.search(r'<form method="post" action="[^"]*/plan/what-if#results".*?</form>', browser.last, re.S)
    assert form and re.search(r'<input[^>]*name="csrf_token"', form.group(0))
    # The results sit in a container the script replaces, beside a polite live region it fills.
    assert 'id="whatif-results"' in browser.last and 'aria-live="polite" id="whatif-announce"' in browser.last
    body = browser.get(f"{page(a.id, json=True)}?html=1&L1.2=4").get_json()
    assert body["summary"].startswith("With these targets the overall score would be")
    assert "Scores out of 100 and bands, now and with these targets" in body["html"]


def test_a_welsh_authority_is_compared_with_wales(seeded_app: Flask) -> None:
    browser = Browser(seeded_app.test_client())
    browser.sign_in(WELSH_EDITOR)
    a = assessment("2011", CARDIFF)
    body = browser.get(f"{page(a.id, json=True)}?L1.1=4").get_json()
    assert body["group"]["kind"] == "nation"
    browser.get(page(a.id))
    assert "Compared with: All of Wales" in text_of(browser.last)
    assert math.isfinite(body["overall"]["what_if"]["score"])


def test_the_page_comes_in_welsh(seeded_app: Flask, browser: Browser) -> None:
    a = assessment("2011", LEEDS)
    browser.get("/language/cy?next=/sign-in", status=302)
    browser.sign_in(EDITOR)
    browser.get(f"{page(a.id)}?L1.2=4")
    text = text_of(browser.last)
    assert '<html lang="cy"' in browser.last
    assert "Beth pe baech yn cyrraedd y targedau hyn?" in text and "Ailgyfrifo" in text
    assert "What if you reached these targets?" not in text and "Recalculate" not in text
    body = browser.get(f"{page(a.id, json=True)}?html=1&L1.2=4").get_json()
    assert body["summary"].startswith("Gyda'r targedau hyn")
