"""Learning matches and sharing opt-ins on the pages: who is named (only those who opted in), what is never shown
(a named peer's score), who may open the pages, opting in and out, and the pages in Welsh."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import delete, select

from csptoolkit.domain.learning import ALL_STANDARDS
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AuditEvent, Cycle, Organisation, SharingOptIn, StatisticalNeighbour
from csptoolkit.reports.formatting import score as shown_score
from csptoolkit.services import benchmarks, learning
from csptoolkit.services.accounts import find_user

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR, Browser, csrf_token

CAMDEN, LEEDS, CARDIFF = "202", "383", "681"


def organisation(code: str) -> Organisation:
    return db.session.execute(select(Organisation).filter_by(code=code)).scalar_one()


def assessment_of(code: str, slug: str = "2011") -> Assessment:
    return db.session.execute(select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id).where(
        Assessment.organisation_id == organisation(code).id, Cycle.slug == slug)).scalar_one()


def page_url(code: str, slug: str = "2011") -> str:
    return f"/assessments/{assessment_of(code, slug).id}/plan/learning"


def sections(html: str) -> dict[str, list[str]]:
    """The matches page as standard id -> the names it lists under that standard."""
    found: dict[str, list[str]] = {}
    for part in re.split(r'<h2 class="govuk-heading-m">', html)[1:]:
        standard = part.split(" ", 1)[0]
        if not re.fullmatch(r"[A-Z]+\d+", standard):
            continue  # "Sharing your own practice"
        found[standard] = re.findall(r'<dt class="govuk-summary-list__key">\s*(.*?)\s*</dt>', part)
    return found


def opt_ins(framework_id: int) -> dict[str, set[str]]:
    """Organisation name -> the standards (or "*") it opted in on, read straight from the table."""
    found: dict[str, set[str]] = {}
    for name, key in db.session.execute(
            select(Organisation.name, SharingOptIn.standard_key)
            .join(SharingOptIn, SharingOptIn.organisation_id == Organisation.id)
            .where(SharingOptIn.framework_id == framework_id)):
        found.setdefault(name, set()).add(key)
    return found


def standard_scores(code_or_id, assessment: Assessment) -> dict[str, float | None]:
    org_id = code_or_id if isinstance(code_or_id, int) else organisation(code_or_id).id
    stored = benchmarks.read_cycle_scores(db.session, assessment.cycle_id, "best")
    return {k.split(":", 1)[1]: v for k, v in stored.get(org_id, {}).items() if k.startswith("standard:")}


# ----------------------------------------------------------------------------------------------------------
# What is named, and what is never shown


def test_the_demo_authorities_see_matches_and_only_peers_that_opted_in(browser: Browser) -> None:
    for email, code, slug in ((VIEWER, CAMDEN, "2011"), (WELSH_EDITOR, CARDIFF, "2011"), (EDITOR, LEEDS, "2010")):
        person = Browser(browser.client.application.test_client())
        person.sign_in(email)
        assessment = assessment_of(code, slug)
        person.get(page_url(code, slug))
        found = sections(person.last)
        assert len(found) == 3, (email, found.keys())
        assert any(found.values()), f"{email} has no learning match to see"
        chosen = opt_ins(assessment.cycle.framework_version.framework_id)
        own = standard_scores(code, assessment)
        names = {o.name: o.id for o in db.session.execute(select(Organisation)).scalars()}
        for standard, named in found.items():
            assert len(named) <= 3
            for name in named:
                assert name != organisation(code).name
                assert standard in chosen.get(name, set()) or ALL_STANDARDS in chosen[name], (name, standard)
                peer = standard_scores(names[name], assessment)[standard]
                assert peer > own[standard], (name, standard)
        # Nobody who opted in on nothing appears anywhere on the page as a name.
        for name in set(names) - set(chosen):
            assert f">{name}<" not in person.last, name


def test_a_named_peers_score_never_appears(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    assessment = assessment_of(CAMDEN)
    browser.get(page_url(CAMDEN))
    found = sections(browser.last)
    main = browser.last.split("<main", 1)[1].split("</main>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#39;", "'")
    own = standard_scores(CAMDEN, assessment)
    # The only figures on the page are the authority's own scores of its weakest standards.
    for standard in found:
        phrase = f"This authority's score: {shown_score(own[standard], 'en')} out of 100"
        assert phrase in text
        text = text.replace(phrase, "")
    assert not re.findall(r"\d+\.\d", text), re.findall(r".{30}\d+\.\d.{10}", text)
    ids = {o.name: o.id for o in db.session.execute(select(Organisation)).scalars()}
    named = {name for names in found.values() for name in names}
    assert named
    for name in named:
        for standard, value in standard_scores(ids[name], assessment).items():
            if value is not None and value != 100:
                assert shown_score(value, "en") not in text, (name, standard)
    assert "rank" not in text.lower() and "quartile" not in text.lower()


def test_a_higher_scoring_neighbour_is_named_only_while_opted_in(seeded_app: Flask, browser: Browser) -> None:
    """THE ATTACK: a statistical neighbour that scores higher on Camden's weakest standard but has not opted in is
    never named; once it opts in it is; once it withdraws it is not again."""
    camden = organisation(CAMDEN)
    assessment = assessment_of(CAMDEN)
    framework_id = assessment.cycle.framework_version.framework_id
    own = standard_scores(CAMDEN, assessment)
    weakest = min((v, k) for k, v in own.items() if v is not None)[1]
    neighbours = db.session.execute(select(StatisticalNeighbour.neighbour_id).filter_by(
        organisation_id=camden.id)).scalars().all()
    higher = [n for n in neighbours if (standard_scores(n, assessment).get(weakest) or 0) > own[weakest] + 0.1]
    assert higher, "a neighbour that scores higher is needed for this test"
    peer = db.session.get(Organisation, higher[0])
    db.session.execute(delete(SharingOptIn).where(SharingOptIn.framework_id == framework_id))
    db.session.commit()
    browser.sign_in(VIEWER)
    browser.get(page_url(CAMDEN))
    assert sections(browser.last)[weakest] == []
    assert peer.name not in browser.last
    db.session.add(SharingOptIn(organisation_id=peer.id, framework_id=framework_id, standard_key=weakest))
    db.session.commit()
    benchmarks.forget_kept()
    browser.get(page_url(CAMDEN))
    assert sections(browser.last)[weakest] == [peer.name]
    assert "A statistical neighbour" in browser.text()
    db.session.execute(delete(SharingOptIn).where(SharingOptIn.organisation_id == peer.id))
    db.session.commit()
    browser.get(page_url(CAMDEN))
    assert peer.name not in browser.last


def test_a_draft_has_no_matches_and_points_to_the_last_submitted(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    browser.get(page_url(LEEDS))
    assert sections(browser.last) == {}
    assert "has not been submitted" in browser.text()
    assert page_url(LEEDS, "2010") in browser.last


# ----------------------------------------------------------------------------------------------------------
# Who may open the pages


def test_who_may_open_the_matches_page(seeded_app: Flask) -> None:
    camden = page_url(CAMDEN)
    for email, status in ((VIEWER, 200), (ADMIN, 200), (EDITOR, 404), (CHAMPION, 404), (WELSH_EDITOR, 404)):
        person = Browser(seeded_app.test_client())
        person.sign_in(email)
        person.get(camden, status=status)
    assert seeded_app.test_client().get(camden).status_code == 302
    person = Browser(seeded_app.test_client())
    person.sign_in(VIEWER)
    person.get("/assessments/999999/plan/learning", status=404)


def test_who_may_open_the_sharing_page(seeded_app: Flask) -> None:
    for email, status in ((EDITOR, 200), (VIEWER, 200), (ADMIN, 404), (CHAMPION, 404)):
        person = Browser(seeded_app.test_client())
        person.sign_in(email)
        person.get("/sharing", status=status)
        if email == VIEWER:
            assert "<form" not in person.last.split("<main", 1)[1].split("</main>")[0]
            assert "L2 Governance and accountability" in person.text()  # Camden's demo opt-ins, read only
    person = Browser(seeded_app.test_client())
    person.sign_in(VIEWER)
    response = person.post("/sharing", {"domain_1": ["L1"]}, token_from="/")
    assert response.status_code == 404
    assert seeded_app.test_client().get("/sharing").status_code == 302


# ----------------------------------------------------------------------------------------------------------
# Opting in and out


def leeds_opt_ins() -> set[str]:
    db.session.expire_all()
    return set(db.session.execute(select(SharingOptIn.standard_key).filter_by(
        organisation_id=organisation(LEEDS).id)).scalars())


def test_opting_in_and_out_round_trip(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    browser.get("/sharing")
    assert leeds_opt_ins() == set()
    response = browser.post("/sharing", {"domain_1": ["L1", "L3"], "domain_5": ["M2"], "shown": ""},
                            token_from="/sharing")
    assert response.status_code == 303, browser.last
    assert leeds_opt_ins() == {"L1", "L3", "M2"}
    browser.get("/sharing")
    checked = set(re.findall(r'value="([^"]+)"[^>]*checked', browser.last))
    assert checked == {"L1", "L3", "M2"}
    assert "Your authority&#39;s choices are saved." in browser.last or "choices are saved" in browser.text()
    # All standards on, L3 off; the page carries what it showed ("shown"), as a browser sends it back.
    response = browser.post("/sharing", {"all_standards": "y", "domain_1": ["L1"], "domain_5": ["M2"],
                                         "shown": "L1,L3,M2"}, token_from="/sharing")
    assert response.status_code == 303
    assert leeds_opt_ins() == {ALL_STANDARDS, "L1", "M2"}
    events = db.session.execute(select(AuditEvent.action, AuditEvent.subject).where(
        AuditEvent.action.like("sharing.%")).order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [
        ("sharing.opted_in", "csp-commissioning:L1"), ("sharing.opted_in", "csp-commissioning:L3"),
        ("sharing.opted_in", "csp-commissioning:M2"), ("sharing.opted_in", "csp-commissioning:*"),
        ("sharing.opted_out", "csp-commissioning:L3")]
    response = browser.post("/sharing", {"shown": "*,L1,M2"}, token_from="/sharing")
    assert response.status_code == 303
    assert leeds_opt_ins() == set()


def test_a_colleagues_change_meanwhile_is_kept(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    page = browser.client.get("/sharing").get_data(as_text=True)
    token = csrf_token(page)
    # Someone else opts Leeds in on W1 after this page was shown; this person only adds L2.
    browser.post("/sharing", {"domain_8": ["W1"], "shown": "", "csrf_token": token})
    response = browser.post("/sharing", {"domain_1": ["L2"], "shown": "", "csrf_token": token})
    assert response.status_code == 303
    assert leeds_opt_ins() == {"W1", "L2"}


def test_an_unknown_standard_is_refused(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    response = browser.post("/sharing", {"domain_1": ["Z9"], "shown": ""}, token_from="/sharing")
    assert response.status_code == 400
    response = browser.post("/sharing", {"shown": "Z9"}, token_from="/sharing")
    assert response.status_code == 400
    assert leeds_opt_ins() == set()


# ----------------------------------------------------------------------------------------------------------
# Welsh


def test_the_pages_in_welsh(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/language/cy?next=/", status=302)
    browser.get(page_url(CAMDEN))
    assert '<html lang="cy"' in browser.last
    assert "Dysgu gan awdurdodau eraill" in browser.last
    assert "Learn from other authorities" not in browser.last
    browser.get("/sharing")
    assert "Rhannu eich arferion" in browser.last


def test_set_opt_in_for_editors_of_their_own_authority_only(seeded_app: Flask) -> None:
    framework = learning.sharing_frameworks(db.session)[0]
    editor = find_user(db.session, EDITOR)
    assert learning.set_opt_in(db.session, editor, framework, "N3", True)
    assert not learning.set_opt_in(db.session, editor, framework, "N3", True)  # already so: nothing changed
    assert leeds_opt_ins() == {"N3"}
    assert learning.set_opt_in(db.session, editor, framework, ALL_STANDARDS, True)
    assert learning.set_opt_in(db.session, editor, framework, "N3", False)
    assert leeds_opt_ins() == {ALL_STANDARDS}
    for email in (VIEWER, ADMIN, CHAMPION):
        with pytest.raises(learning.NotAllowed):
            learning.set_opt_in(db.session, find_user(db.session, email), framework, "N3", True)
    with pytest.raises(ValueError):
        learning.set_opt_in(db.session, editor, framework, "no-such-standard", True)
    assert leeds_opt_ins() == {ALL_STANDARDS}


def test_opting_in_at_the_same_moment_as_a_colleague_is_no_error(seeded_app: Flask, monkeypatch) -> None:
    framework = learning.sharing_frameworks(db.session)[0]
    editor = find_user(db.session, EDITOR)
    db.session.add(SharingOptIn(organisation_id=editor.organisation_id, framework_id=framework.id,
                                standard_key="O2"))
    db.session.commit()
    real = learning.opt_ins
    calls = []

    def stale_once(*args, **kwargs):  # the first read misses the colleague's row, as a race would
        calls.append(1)
        return {} if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(learning, "opt_ins", stale_once)
    assert learning.set_opt_in(db.session, editor, framework, "O2", True) is False
    assert len(calls) == 2 and leeds_opt_ins() == {"O2"}
