"""The improvement plan pages (web/plan.py) through the test client on the demo data: the plan, generating it,
targets, actions, errors and conflicts, access by role, and the spreadsheets (numbers as numbers)."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AuditEvent, Cycle, Organisation
from csptoolkit.models.plan import ImprovementPlan, PlanAction

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR, Browser, csrf_token, hidden_value


def assessment_of(code: str, slug: str = "2011") -> Assessment:
    return db.session.execute(select(Assessment).join(Organisation).join(Cycle).where(
        Organisation.code == code, Cycle.slug == slug)).scalar_one()


def plan_of(assessment: Assessment) -> ImprovementPlan:
    db.session.expire_all()
    return db.session.execute(select(ImprovementPlan).filter_by(assessment_id=assessment.id)).scalar_one()


def signed_in(app: Flask, email: str) -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(email)
    return browser


def test_the_demo_editor_reads_the_carried_plan(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    browser = signed_in(seeded_app, EDITOR)
    browser.get(f"/assessments/{leeds.id}/plan")
    text = browser.text()
    assert "Improvement plan" in text and "Carried forward from" in text
    assert "Closed between cycles" in text
    assert "Actions by priority" in text and "Progress" in text
    plan = plan_of(leeds)
    carried = [a for a in plan.actions if a.origin == "carried"]
    assert carried, "the demo carries Leeds's 2010 plan into 2011"
    assert f'id="action-{carried[0].id}"' in browser.last


def first_action(assessment: Assessment, **where) -> PlanAction:
    plan = plan_of(assessment)
    return next(a for a in sorted(plan.actions, key=lambda a: a.priority)
                if all(getattr(a, k) == v for k, v in where.items()))


def test_generate_from_the_page_carries_last_cycles_open_actions(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    db.session.delete(plan_of(leeds))
    db.session.commit()
    browser = signed_in(seeded_app, EDITOR)
    browser.get(f"/assessments/{leeds.id}/plan")
    assert "There is no plan for this assessment yet" in browser.text()
    response = browser.post(f"/assessments/{leeds.id}/plan/generate", token_from=f"/assessments/{leeds.id}/plan")
    assert response.status_code == 303
    browser.get(response.location)
    assert "The plan was generated from the answers" in browser.text()
    plan = plan_of(leeds)
    assert plan.carried_from_plan_id is not None
    assert any(a.origin == "carried" for a in plan.actions)
    assert db.session.execute(select(AuditEvent).filter_by(action="plan.generated",
                                                           assessment_id=leeds.id)).scalar_one()
    # Regenerating from the same page again (its revision now) keeps every action.
    before = {(a.id, a.owner, a.status) for a in plan.actions}
    assert browser.post(f"/assessments/{leeds.id}/plan/generate",
                        token_from=f"/assessments/{leeds.id}/plan").status_code == 303
    assert {(a.id, a.owner, a.status) for a in plan_of(leeds).actions} == before


def test_editing_an_action_and_the_errors(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    action = first_action(leeds, origin="generated")
    url = f"/assessments/{leeds.id}/plan/actions/{action.id}"
    browser = signed_in(seeded_app, EDITOR)
    browser.get(url)
    page = browser.last
    data = {"csrf_token": csrf_token(page), "revision": hidden_value(page, "revision"), "owner": "Jo Bloggs, AD",
            "due_on": ["31", "3", "2027"], "status": "in_progress", "notes": "Board paper drafted",
            "text": "", "save": "Save the action"}
    bad = dict(data, due_on=["31", "2", "2027"])
    response = browser.client.post(url, data=bad)
    assert response.status_code == 400
    assert "The due date must be a real date" in response.get_data(as_text=True)
    assert 'value="Jo Bloggs, AD"' in response.get_data(as_text=True)  # what was typed is kept
    response = browser.client.post(url, data=data)
    assert response.status_code == 303
    saved = first_action(leeds, id=action.id)
    assert (saved.owner, saved.due_on.isoformat(), saved.status, saved.notes, saved.text_edited) == (
        "Jo Bloggs, AD", "2027-03-31", "in_progress", "Board paper drafted", False)
    # The page as it was shown before that save is now out of date: refused, and the words are kept.
    stale = dict(data, owner="Someone else", csrf_token=csrf_token(browser.get(url).get_data(as_text=True)))
    response = browser.client.post(url, data=stale)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Someone changed the plan after you opened this page" in body
    assert 'value="Someone else"' in body
    assert first_action(leeds, id=action.id).owner == "Jo Bloggs, AD"
    # Own words on a generated action are kept as the authority's.
    edited = dict(data, text="Our words", revision=hidden_value(body, "revision"), csrf_token=csrf_token(body))
    assert browser.client.post(url, data=edited).status_code == 303
    assert (first_action(leeds, id=action.id).text, first_action(leeds, id=action.id).text_edited) == (
        "Our words", True)


def test_own_actions_are_added_and_deleted(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    browser = signed_in(seeded_app, EDITOR)
    url = f"/assessments/{leeds.id}/plan/actions/new"
    response = browser.post(url, {"text": "", "status": "not_started"})
    assert response.status_code == 400 and "Enter what the action is" in browser.last
    response = browser.post(url, {"text": "Commission an advocacy service review", "standard": "L1",
                                  "owner": "Head of Early Help", "status": "not_started"})
    assert response.status_code == 303
    own = first_action(leeds, text="Commission an advocacy service review")
    assert (own.origin, own.standard_key, own.owner) == ("own", "L1", "Head of Early Help")
    # The redirect goes to the page of the plan that shows it (own actions come last), at its row.
    assert response.location.endswith(f"#action-{own.id}")
    browser.get(response.location)
    assert "Commission an advocacy service review" in browser.text() and f'id="action-{own.id}"' in browser.last
    own_id = own.id
    response = browser.post(f"/assessments/{leeds.id}/plan/actions/{own_id}/delete",
                            token_from=f"/assessments/{leeds.id}/plan/actions/{own_id}")
    assert response.status_code == 303
    assert all(a.id != own_id for a in plan_of(leeds).actions)


def test_setting_targets(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    browser = signed_in(seeded_app, EDITOR)
    url = f"/assessments/{leeds.id}/plan/targets"
    browser.get(url)
    page = browser.last
    # The first select on the page and the criterion it belongs to (its label starts with the criterion's id).
    name = re.search(r'<select[^>]*name="(target_\d+)"', page).group(1)
    label = re.search(rf'<label[^>]*for="{name}"[^>]*>\s*([A-Z]\d\.\d+)', page).group(1)
    framework = leeds.cycle.framework_version.rules()
    top = framework.max_level
    wanted = top if framework.criterion(label).type == "yesno" else top
    data = {"csrf_token": csrf_token(page), "revision": hidden_value(page, "revision"), name: str(wanted)}
    assert browser.client.post(url, data=data).status_code == 303
    from csptoolkit.services import plans

    assert plans.targets_of(db.session, leeds.id)[label] == wanted
    # A level off the scale is refused with the criterion named, and nothing is saved.
    page = browser.get(url).get_data(as_text=True)
    bad = {"csrf_token": csrf_token(page), "revision": hidden_value(page, "revision"), name: "9"}
    response = browser.client.post(url, data=bad)
    assert response.status_code == 400 and f"Choose a level on the scale for {label}" in response.get_data(True)
    assert plans.targets_of(db.session, leeds.id)[label] == wanted


def test_readers_read_and_others_get_404(seeded_app: Flask) -> None:
    leeds, camden = assessment_of("383"), assessment_of("202")
    viewer = signed_in(seeded_app, VIEWER)
    viewer.get(f"/assessments/{camden.id}/plan")
    assert "/plan/generate" not in viewer.last and "Improvement plan" in viewer.text()
    viewer.get(f"/assessments/{leeds.id}/plan", status=404)
    response = viewer.client.post(f"/assessments/{camden.id}/plan/generate",
                                  data={"csrf_token": csrf_token(viewer.last)})
    assert response.status_code in (403, 404)
    action = first_action(camden)
    viewer.get(f"/assessments/{camden.id}/plan/actions/{action.id}")
    assert "<form" not in viewer.last.split("<main", 1)[1].split("</main>")[0]
    admin = signed_in(seeded_app, ADMIN)
    admin.get(f"/assessments/{leeds.id}/plan")
    assert "/plan/generate" not in admin.last and "Actions by priority" in admin.text()
    champion = signed_in(seeded_app, CHAMPION)
    champion.get(f"/assessments/{leeds.id}/plan", status=404)
    champion.get(f"/assessments/{leeds.id}/plan.xlsx", status=404)
    cardiff = signed_in(seeded_app, WELSH_EDITOR)
    cardiff.get(f"/assessments/{leeds.id}/plan", status=404)
    cardiff.get(f"/assessments/{leeds.id}/plan/actions/{first_action(leeds).id}", status=404)
    # An action of another plan, asked for through this one's address, is not found.
    editor = signed_in(seeded_app, EDITOR)
    editor.get(f"/assessments/{leeds.id}/plan/actions/{action.id}", status=404)


def test_the_plan_in_welsh(seeded_app: Flask) -> None:
    cardiff = assessment_of("681")
    browser = signed_in(seeded_app, WELSH_EDITOR)
    browser.get("/language/cy?next=/", status=302)
    browser.get(f"/assessments/{cardiff.id}/plan")
    assert '<html lang="cy"' in browser.last
    assert "Cynllun gwella" in browser.last
    # The standards file's action texts have no Welsh yet: shown in English, marked as English.
    assert '<span lang="en">' in browser.last


def test_spreadsheets_have_numbers_as_numbers(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    plan = plan_of(leeds)
    browser = signed_in(seeded_app, EDITOR)
    response = browser.get(f"/assessments/{leeds.id}/plan.xlsx")
    assert response.headers["Content-Disposition"] == 'attachment; filename="plan-383-2011.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Priority" and len(rows) == len(plan.actions) + 1
    first = sorted(plan.actions, key=lambda a: a.priority)[0]
    assert rows[1][0] == 1 and isinstance(rows[1][0], int)
    assert rows[1][4] == first.level_reached and isinstance(rows[1][4], int)
    assert isinstance(rows[1][7], float) and abs(rows[1][7] - float(first.priority_score)) < 1e-9
    dated = next(r for r in rows[1:] if r[10] is not None)
    assert hasattr(dated[10], "year")  # a date, not text
    response = browser.get(f"/assessments/{leeds.id}/plan.csv")
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:3] == ["Priority", "Criterion", "Standard"] and len(table) == len(plan.actions) + 1
    assert table[1][0] == "1"


def test_the_assessment_pages_link_to_the_plan(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    browser = signed_in(seeded_app, EDITOR)
    browser.get(f"/assessments/{leeds.id}")
    assert f'href="/assessments/{leeds.id}/plan"' in browser.last
    browser.get("/")
    assert f'href="/assessments/{leeds.id}/plan"' in browser.last


def test_the_demo_plans_are_made_once_and_show_what_closed(seeded_app: Flask) -> None:
    from datetime import date

    from sqlalchemy import func

    from csptoolkit.services import demo_plans

    plans_before = db.session.execute(select(func.count(ImprovementPlan.id))).scalar_one()
    assert plans_before >= 8  # the demo users' authorities and about a third of the rest, in each cycle
    assert demo_plans.seed(db.session, date.today()) == 0
    # Every demo authority's 2011 plan carries its 2010 one; some of the 2010 actions were done.
    for code in demo_plans.DEMO_AUTHORITIES:
        old, new = plan_of(assessment_of(code, "2010")), plan_of(assessment_of(code, "2011"))
        assert new.carried_from_plan_id == old.id
        assert any(a.status == "done" for a in old.actions) and any(a.owner for a in old.actions)


def row_ids(page: str) -> list[int]:
    """The actions a page of the plan lists, in the order it lists them."""
    return [int(n) for n in re.findall(r'id="action-(\d+)"', page)]


def test_the_actions_are_a_table_paged_and_filtered_by_status(seeded_app: Flask) -> None:
    from datetime import date

    leeds = assessment_of("383")
    actions = sorted(plan_of(leeds).actions, key=lambda a: (a.priority, a.id))
    assert len(actions) > 30, "the demo gives Leeds a plan of more than one page"
    # Some done, one on each page, and one overdue.
    for action in (actions[3], actions[30]):
        action.status, action.done_on = "done", date(2026, 1, 5)
    actions[5].status, actions[5].due_on = "in_progress", date(2020, 1, 31)
    db.session.commit()
    browser = signed_in(seeded_app, EDITOR)
    url = f"/assessments/{leeds.id}/plan"
    first = browser.get(url).get_data(as_text=True)
    assert row_ids(first) == [a.id for a in actions[:25]]
    table = first.split('id="actions"', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="govuk-table__row">') == 26  # the heading's row and 25 actions
    assert f'href="{url}/actions/{actions[0].id}"' in first  # each row opens its action
    assert f'href="{url}?page=2#actions"' in first and "govuk-pagination" in first
    assert row_ids(browser.get(f"{url}?page=2").get_data(as_text=True)) == [a.id for a in actions[25:50]]
    # A page past the last shows the last.
    last = -(-len(actions) // 25)
    assert row_ids(browser.get(f"{url}?page=99").get_data(as_text=True)) == [a.id for a in actions[(last - 1) * 25:]]
    today = date.today()
    expected = {"done": [a.id for a in actions if a.status == "done"],
                "open": [a.id for a in actions if a.status != "done"],
                "overdue": [a.id for a in actions if a.status != "done" and a.due_on and a.due_on < today]}
    assert len(expected["done"]) >= 2 and expected["open"] and expected["overdue"]
    for view, ids in expected.items():
        page = browser.get(f"{url}?show={view}").get_data(as_text=True)
        assert row_ids(page) == ids[:25], view
        label = {"done": "Done", "open": "Not done", "overdue": "Overdue"}[view]
        assert f'aria-current="page">{label} ({len(ids)})</strong>' in page
        if len(ids) > 25:  # the filter is kept from page to page
            assert f'href="{url}?show={view}&amp;page=2#actions"' in page
    # Overdue rows are flagged as such; done ones say when.
    page = browser.get(f"{url}?show=overdue").get_data(as_text=True)
    assert page.count('govuk-tag--red">Overdue</strong>') == len(expected["overdue"][:25])
    page = browser.get(f"{url}?show=done").get_data(as_text=True)
    assert page.count("done on 5 January 2026") >= 2


def test_a_change_shows_on_the_plan_at_once(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    action = first_action(leeds, origin="generated")
    browser = signed_in(seeded_app, EDITOR)
    url = f"/assessments/{leeds.id}/plan"
    assert "Director of Change" not in browser.get(url).get_data(as_text=True)
    response = browser.post(f"{url}/actions/{action.id}", {"owner": "Director of Change", "status": "done",
                                                          "text": "", "save": "Save the action"})
    assert response.status_code == 303 and response.location == f"{url}?page=1#action-{action.id}"
    page = browser.get(response.location).get_data(as_text=True)
    row = page.split(f'id="action-{action.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Director of Change" in row and "govuk-tag--green" in row and "done on" in row
    # A change made by another path than the plan's pages (no revision raised) shows too.
    db.session.execute(select(PlanAction).filter_by(id=action.id)).scalar_one().owner = "Head of Quality"
    db.session.commit()
    assert "Head of Quality" in browser.get(url).get_data(as_text=True)


def test_the_history_words_the_plans_changes(seeded_app: Flask) -> None:
    leeds = assessment_of("383")
    action = first_action(leeds, origin="generated")
    browser = signed_in(seeded_app, EDITOR)
    url = f"/assessments/{leeds.id}/plan"
    assert browser.post(f"{url}/actions/{action.id}", {"owner": "Jo Bloggs", "status": "in_progress", "text": "",
                                                       "due_on": ["31", "3", "2027"], "save": "Save the action"}
                        ).status_code == 303
    assert browser.post(f"{url}/generate", token_from=url).status_code == 303
    browser.get(f"/assessments/{leeds.id}/history")
    text = browser.text()
    assert "Plan action changed" in text and "Improvement plan regenerated" in text
    assert "plan.action_edited" not in text and "plan.regenerated" not in text
    assert "Owner: Jo Bloggs; Due date: 31 March 2027; Status: In progress" in text
    browser.get("/language/cy?next=/", status=302)
    browser.get(f"/assessments/{leeds.id}/history")
    assert "Newidiwyd cam gweithredu'r cynllun" in browser.text() and "Perchennog: Jo Bloggs" in browser.text()
