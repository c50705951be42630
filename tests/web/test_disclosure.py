"""Issue 7, item 1: an authority user learns no other authority's score from the groups it builds.

Each test performs the attack as viewer@camden.example would, through every output a user can read: the benchmark
page (figures, chart marks, the members' table), its CSV and XLSX, the trend page and its exports, and the API.
The truth it is checked against is read straight from the stored scores, never from the code under test.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AssessmentScore, Cycle, Organisation, PeerGroup
from csptoolkit.services import tokens
from csptoolkit.services.accounts import find_user

from .conftest import ADMIN, VIEWER, Browser

COUNTED = ("submitted", "in_review", "moderated", "published")
CAMDEN, GREENWICH = "202", "203"
BASES = ("best", "self", "moderated")
PEER_COLUMNS = ("Mean", "Median", "Lower quartile", "Upper quartile", "Lowest", "Highest")
API_PEER_FIELDS = ("mean", "median", "q1", "q3", "min", "max")
# The chart's geometry (reports/charts.py): x = 240 + 380 * score / 100.
LABEL_WIDTH, PLOT_WIDTH = 240, 380
DECIMAL = re.compile(r"(?<![\w.])\d{1,3}\.\d(?!\d)")  # "v3.0" in the footer is no score


def shown(value: float) -> str:
    """One decimal place, half-up: an independent statement of how scores are shown."""
    return str(Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def true_scores(code: str, slug: str) -> dict[str, dict[str, float]]:
    """An authority's stored scores by basis and score key ("overall", "domain:x", "standard:x"), read from the
    table; `best` is the moderated score where the assessment was moderated, else the self-assessed one."""
    rows = db.session.execute(
        select(AssessmentScore.basis, AssessmentScore.scope, AssessmentScore.key, AssessmentScore.score)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Organisation.code == code, Cycle.slug == slug, Assessment.state.in_(COUNTED),
               AssessmentScore.confidence == "")).all()
    by_basis: dict[str, dict[str, float]] = {"self": {}, "moderated": {}}
    for basis, scope, key, score in rows:
        if score is not None:
            by_basis[basis]["overall" if scope == "overall" else f"{scope}:{key}"] = float(score)
    by_basis["best"] = by_basis["moderated"] or by_basis["self"]
    return by_basis


def scored_in_both_cycles(exclude: set[str], count: int) -> list[str]:
    """Real English authorities with a counted assessment in 2010 and in 2011."""
    codes = []
    for organisation in db.session.execute(select(Organisation).where(
            Organisation.nation == "england").order_by(Organisation.code)).scalars():
        if organisation.code in exclude:
            continue
        if all(true_scores(organisation.code, slug)["self"] for slug in ("2010", "2011")):
            codes.append(organisation.code)
        if len(codes) == count:
            return codes
    raise AssertionError("the demo data has too few scored authorities")


def save_group(browser: Browser, name: str, codes: list[str]) -> str:
    response = browser.post("/benchmarks/groups", {"name": name, "members": codes})
    assert response.status_code == 303, browser.last
    group_id = db.session.execute(select(PeerGroup.id).filter_by(name=name)).scalar_one()
    return f"group-{group_id}"


def api_token(email: str) -> str:
    _, plaintext = tokens.create_token(db.session, find_user(db.session, email), "attack")
    db.session.commit()
    return plaintext


# ----------------------------------------------------------------------------------------------------------
# What an attacker reads


@dataclass
class Read:
    """Everything one user can read about one group in one cycle on one basis."""

    texts: dict[str, str] = field(default_factory=dict)  # output -> its text (tags stripped) or JSON
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # CSV and XLSX rows by column
    api: dict = field(default_factory=dict)
    marks: list[str] = field(default_factory=list)  # domain chart marks that are not the authority's own diamond
    trend_marks: list[str] = field(default_factory=list)  # trend chart marks of the peer median
    diamonds: list[float] = field(default_factory=list)  # the authority's own marks, as scores
    peer_rows: list[str] = field(default_factory=list)  # rows of the members' table
    trend_medians: list[str] = field(default_factory=list)
    comparable_own: set[str] = field(default_factory=set)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _charts(html: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="csp-chart".*?aria-labelledby="(\w+)-title.*?</svg>', html,
        re.S)}


def _table(rows: list[list]) -> list[dict[str, str]]:
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, ["" if v is None else (v if isinstance(v, str) else
                                                     shown(v) if isinstance(v, float) else str(v)) for v in row],
                     strict=True)) for row in rows[1:]]


def read_everything(browser: Browser, token: str, group: str, slug: str, basis: str) -> Read:
    read = Read()
    query = f"cycle={slug}&group={group}&basis={basis}"
    page = browser.get(f"/benchmarks?{query}").get_data(as_text=True)
    read.texts["page"] = _text(page)
    domains = _charts(page)["domains"]
    for mark in re.findall(r"<(?:circle|rect|polyline|line|path)\b[^>]*>", domains):
        if 'stroke="#b1b4b6"' in mark:
            continue  # the axis grid
        diamond = re.fullmatch(r'<path fill="#d4351c" [^>]*d="M([\d.]+) [^"]*"/>', mark)
        if diamond:
            read.diamonds.append((float(diamond.group(1)) - LABEL_WIDTH) * 100 / PLOT_WIDTH)
        else:
            read.marks.append(mark)
    members = re.search(r"Overall score of each authority in the group.*?</table>", page, re.S)
    read.peer_rows = re.findall(r"<tr class=\"govuk-table__row\">.*?</tr>", members.group(0), re.S) if members else []
    read.peer_rows += re.findall(r"Authority [A-Z]{1,2}\b", read.texts["page"])  # lettered rows, wherever they are

    response = browser.client.get(f"/benchmarks?{query}&format=csv")
    assert response.status_code == 200
    read.tables["csv"] = _table(list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))))
    response = browser.client.get(f"/benchmarks?{query}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    read.tables["xlsx"] = _table([list(r) for r in sheet.iter_rows(values_only=True)])

    trend = browser.get(f"/benchmarks/trend?group={group}&basis={basis}").get_data(as_text=True)
    read.texts["trend"] = _text(trend)
    for chart_id in ("trend", "comparable"):
        chart = _charts(trend).get(chart_id, "")
        # The second series (the peer median) is drawn in #0b0c0c; the authority's own in #1d70b8.
        read.trend_marks += [m for m in re.findall(r"<(?:circle|polyline)\b[^>]*>", chart) if "#0b0c0c" in m]
    for caption in ("Scores by cycle", "Scores on comparable criteria only, by cycle"):
        table = re.search(re.escape(caption) + r".*?</table>", trend, re.S)
        if table is None:
            continue
        for row in re.findall(r"<tr class=\"govuk-table__row\">\s*<th scope=\"row\".*?</tr>", table.group(0), re.S):
            cells = re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', row)
            read.trend_medians.append(cells[1])  # overall score, then the peer median
            if caption.startswith("Scores on comparable"):
                read.comparable_own.add(cells[0])
    for kind in ("csv", "xlsx"):
        response = browser.client.get(f"/benchmarks/trend?group={group}&basis={basis}&format={kind}")
        if kind == "csv":
            rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        else:
            rows = [list(r) for r in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
        for row in _table(rows):
            read.trend_medians.append(row["Peer median"])

    response = browser.client.get(f"/api/v1/cycles/{slug}/benchmarks?org={CAMDEN}&{query.split('&', 1)[1]}",
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    read.api = response.get_json()
    read.texts["api"] = response.get_data(as_text=True)
    return read


def own_values() -> set[str]:
    """Every figure of Camden's own, as shown: the only decimals its users may read about a group it built."""
    return {shown(v) for slug in ("2010", "2011") for basis in BASES
            for v in true_scores(CAMDEN, slug)[basis].values()}


def api_positions(body: dict) -> list[dict]:
    return [body["overall"], *body["domains"].values(), *body["standards"].values()]


def assert_no_peer_value(read: Read, allowed: set[str], where: str) -> None:
    """Nothing but the authority's own scores, counts, ranks and quartile bands."""
    for name, table in read.tables.items():
        for row in table:
            assert all(row[column] == "" for column in PEER_COLUMNS), (where, name, row)
    for position in api_positions(read.api):
        assert all(position[f] is None for f in API_PEER_FIELDS), (where, position)
    assert read.marks == [] and read.trend_marks == [], (where, read.marks[:3], read.trend_marks[:3])
    assert read.peer_rows == [], (where, read.peer_rows[:3])
    assert all(m in ("-", "") for m in read.trend_medians), (where, read.trend_medians)
    allowed = allowed | read.comparable_own
    for name, text in read.texts.items():
        strangers = set(DECIMAL.findall(text)) - allowed
        assert not strangers, (where, name, sorted(strangers)[:5])


# ----------------------------------------------------------------------------------------------------------
# The attacks


@pytest.mark.parametrize("slug", ["2011", "2010"])
def test_a_group_of_greenwich_alone_shows_nothing_of_greenwich(seeded_app: Flask, browser: Browser,
                                                               slug: str) -> None:
    """The page used to say "fewer than 5" and then list "Authority A 62.6": Greenwich's score in 2011."""
    browser.sign_in(VIEWER)
    group = save_group(browser, "Just Greenwich", [GREENWICH])
    token = api_token(VIEWER)
    greenwich = true_scores(GREENWICH, slug)
    assert greenwich["self"], "Greenwich has a counted assessment in the demo data"
    allowed = own_values()
    for basis in BASES:
        read = read_everything(browser, token, group, slug, basis)
        assert_no_peer_value(read, allowed, (slug, basis))
        truth = greenwich[basis]
        # Greenwich's own figures, where they are not also Camden's, appear nowhere, to the decimal.
        theirs = {shown(v) for v in truth.values()} - allowed - read.comparable_own
        for name, text in read.texts.items():
            assert not theirs & set(DECIMAL.findall(text)), (basis, name)
        # The chart marks only Camden, each domain at Camden's own score.
        camden = true_scores(CAMDEN, slug)[basis]
        domains = sorted(v for k, v in camden.items() if k.startswith("domain:"))
        assert sorted(read.diamonds) == pytest.approx(domains, abs=0.2)
        scored = sum(1 for scores in (camden, truth) if "overall" in scores)
        assert read.api["overall"]["disclosure"] == "none" and read.api["overall"]["n"] == scored


def _figures(read: Read) -> list[dict]:
    """Each score's figures as the attacker reads them, from the CSV and from the API (overall, domains, ...)."""
    from_csv = [{"n": row["Authorities with a score"], **{c: row[c] for c in PEER_COLUMNS}}
                for row in read.tables["csv"]]
    return from_csv + [{"n": str(p["n"]), **{c: p[f] for c, f in zip(PEER_COLUMNS, API_PEER_FIELDS, strict=True)}}
                       for p in api_positions(read.api)]


def recover(with_member: Read, without: Read) -> list[float]:
    """Every value an attacker can work out for the one authority in the first group and not the second: from
    n x mean differences, from figures that change between the groups, and from members' values laid side by
    side (chart marks, table rows)."""
    found: list[float] = []

    def number(value) -> float | None:
        return None if value in (None, "", "-") else float(value)

    for a, b in zip(_figures(with_member), _figures(without), strict=True):
        mean_a, mean_b = number(a["Mean"]), number(b["Mean"])
        if mean_a is not None and mean_b is not None:
            found.append(int(a["n"]) * mean_a - int(b["n"]) * mean_b)
        for column in PEER_COLUMNS[1:]:
            if (value := number(a[column])) is not None and value != number(b[column]):
                found.append(value)
    found += [float(m) for m in set(with_member.trend_medians) - set(without.trend_medians) if number(m) is not None]
    marks = (set(with_member.marks) - set(without.marks)) | (set(with_member.trend_marks) - set(without.trend_marks))
    found += [float(x) for m in marks for x in re.findall(r'cx="([\d.]+)"', m)]
    rows = set(with_member.peer_rows) - set(without.peer_rows)
    found += [float(x) for r in rows for x in DECIMAL.findall(r)]
    return found


@pytest.mark.parametrize("slug", ["2011", "2010"])
def test_two_groups_differing_by_greenwich_give_nothing_of_greenwich(seeded_app: Flask, browser: Browser,
                                                                      slug: str) -> None:
    """{Camden, Greenwich, a..e} against {Camden, a..e}: five scored members besides Camden in each, so both pass
    the threshold. With means shown, n x mean minus n x mean was Greenwich's score."""
    browser.sign_in(VIEWER)
    others = scored_in_both_cycles({CAMDEN, GREENWICH}, 5)
    with_greenwich = save_group(browser, "With Greenwich", [GREENWICH, *others])
    without = save_group(browser, "Without Greenwich", others)
    token = api_token(VIEWER)
    greenwich = true_scores(GREENWICH, slug)
    allowed = own_values()
    for basis in BASES:
        read_with = read_everything(browser, token, with_greenwich, slug, basis)
        read_without = read_everything(browser, token, without, slug, basis)
        for read in (read_with, read_without):
            assert_no_peer_value(read, allowed, (slug, basis))
        found = recover(read_with, read_without)
        assert found == [], (basis, found[:5])
        truth = greenwich[basis]
        for value in found:  # (empty: kept to say what "recovers nothing within a point" means)
            assert all(abs(value - v) >= 1 for v in truth.values())
        # Both groups pass the threshold, so Camden's own position is shown: rank and quartile band only.
        for read, n in ((read_with, 7), (read_without, 6)):
            overall = read.api["overall"]
            if true_scores(CAMDEN, slug)[basis] and basis != "moderated":
                assert overall["disclosure"] == "position" and overall["n"] == n
                assert overall["rank"] is not None and overall["band"] in "ABCD"


def test_fixed_groups_show_figures_but_no_authoritys_own_value(seeded_app: Flask, browser: Browser) -> None:
    """Statistical neighbours and the London split overlap in nine members: laid side by side, the members'
    values would give the one neighbour outside Inner London (Barnet) exactly. So no chart dot, no row."""
    browser.sign_in(VIEWER)
    token = api_token(VIEWER)
    for group in ("statistical-neighbours", "dfe-region"):
        read = read_everything(browser, token, group, "2011", "best")
        assert read.marks and all("<circle" not in m for m in read.marks), group  # box, median, range only
        assert read.peer_rows == [] and "Other authorities are not named" in read.texts["page"]
        assert read.api["overall"]["disclosure"] == "statistics" and read.api["overall"]["mean"] is not None


def test_programme_admins_see_the_members_named(seeded_app: Flask, browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get(f"/benchmarks?org={CAMDEN}&cycle=2011&group=statistical-neighbours&basis=self")
    camden = db.session.execute(select(Organisation).filter_by(code=CAMDEN)).scalar_one()
    table = browser.last[browser.last.index("Overall score of each authority in the group"):]
    for neighbour in camden.neighbours:
        score = true_scores(neighbour.neighbour.code, "2011")["self"].get("overall")
        expected = "No submitted assessment" if score is None else shown(score)
        assert re.search(re.escape(neighbour.neighbour.name) + r"</td>\s*<td[^>]*>" + re.escape(expected), table)
    assert "<circle" in _charts(browser.last)["domains"]  # each authority's dot


def _api(browser: Browser, token: str, slug: str, group: str, basis: str) -> dict:
    response = browser.client.get(f"/api/v1/cycles/{slug}/benchmarks?org={CAMDEN}&group={group}&basis={basis}",
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.get_json()


def test_no_lowest_or_highest_score_to_pin_on_the_one_authority_below(seeded_app: Flask, browser: Browser) -> None:
    """In 2011 Camden is 7th of 8 scored statistical neighbours: Kensington and Chelsea alone scores lower. A rank
    in Camden's own groups ({Camden, a neighbour, five known to score higher}) tells which neighbour that is,
    so the group's minimum would be its score (61.45, shown 61.5). No minimum or maximum is shown, anywhere."""
    browser.sign_in(VIEWER)
    token = api_token(VIEWER)
    camden = db.session.execute(select(Organisation).filter_by(code=CAMDEN)).scalar_one()
    own = true_scores(CAMDEN, "2011")["best"]["overall"]
    below = [n.neighbour.code for n in camden.neighbours
             if true_scores(n.neighbour.code, "2011")["best"].get("overall", 101) < own]
    assert len(below) == 1, "the demo data still has one neighbour alone below Camden"
    read = read_everything(browser, token, "statistical-neighbours", "2011", "best")
    for name, table in read.tables.items():
        assert all(row["Lowest"] == row["Highest"] == "" for row in table), name
    for position in api_positions(read.api):
        assert position["min"] is None and position["max"] is None
    assert not any('stroke-width="1.5"' in m and m.startswith("<line") for m in read.marks)  # no range lines
    assert shown(true_scores(below[0], "2011")["best"]["overall"]) not in {
        row["Mean"] for row in read.tables["csv"]} | {row["Median"] for row in read.tables["csv"]}


def test_moderated_only_figures_do_not_difference_against_the_best(seeded_app: Flask, browser: Browser) -> None:
    """2010: Camden's statistical neighbours have 11 best-available scores and 9 moderated ones (Islington and
    Hammersmith and Fulham not moderated); the London split has 14 and 11 (Newham as well). With means on both
    bases, (14 x mean - 11 x mean) - (11 x mean - 9 x mean) would be Newham's self-assessed score, and Camden's
    own groups tell who is moderated (n counts the moderated members only). So a basis that leaves scored
    members out shows Camden's rank and quartile band only."""
    browser.sign_in(VIEWER)
    token = api_token(VIEWER)
    differing = 0
    for group in ("statistical-neighbours", "region", "dfe-region", "type", "nation", "all"):
        best, moderated = (_api(browser, token, "2010", group, basis) for basis in ("best", "moderated"))
        for a, b in zip(api_positions(best), api_positions(moderated), strict=True):
            if b["n"] < a["n"]:
                differing += 1
                assert all(b[f] is None for f in API_PEER_FIELDS), (group, b)
                assert b["disclosure"] == "position" and (b["rank"] is None) == (b["score"] is None)
            if b["n"] == a["n"] and a["mean"] is not None:
                assert b["mean"] is not None  # nothing left out: the figures are shown
    assert differing > 0
