"""The JSON API: bearer tokens, each endpoint for each role, errors as JSON, the OpenAPI contract, the CLI."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy import event, func, select

from csptoolkit.extensions.database import db
from csptoolkit.models import ApiToken, Assessment, AuditEvent, Criterion, Cycle, Organisation, ReviewAssignment, User
from csptoolkit.services import access, assessments, benchmarks, catalogue, tokens
from csptoolkit.services.accounts import find_user
from csptoolkit.web.api import OPENAPI

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR, Browser, csrf_token, parse

LEEDS, CAMDEN, CARDIFF = "383", "202", "681"
JSON_ERROR_KEYS = {"status", "message"}


def make_token(email: str, name: str = "test") -> str:
    user = find_user(db.session, email)
    _, plaintext = tokens.create_token(db.session, user, name)
    db.session.commit()
    return plaintext


@pytest.fixture
def bearer(seeded_app: Flask) -> dict[str, str]:
    """A token for each demo user, by email."""
    return {email: make_token(email) for email in (ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR)}


@pytest.fixture
def client(seeded_app: Flask) -> FlaskClient:
    """A client on the demo data (the shared `client` fixture has an empty database)."""
    return seeded_app.test_client()


def get(client: FlaskClient, path: str, token: str | None, status: int = 200, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(f"/api/v1{path}", headers=headers, **kwargs)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json", (path, response.mimetype)
    body = response.get_json()
    if status >= 400:
        assert set(body) == {"error"} and set(body["error"]) == JSON_ERROR_KEYS
        assert body["error"]["status"] == status
    return body


def error_of(client: FlaskClient, path: str, token: str | None, status: int) -> str:
    return get(client, path, token, status)["error"]["message"]


def org(code: str) -> Organisation:
    return db.session.execute(select(Organisation).filter_by(code=code)).scalar_one()


def cycle(slug: str) -> Cycle:
    return db.session.execute(select(Cycle).filter_by(slug=slug)).scalar_one()


def assessment(slug: str, code: str) -> Assessment:
    return db.session.execute(select(Assessment).filter_by(cycle_id=cycle(slug).id,
                                                           organisation_id=org(code).id)).scalar_one()


def half_up(value: float | None) -> float | None:
    return None if value is None else float(Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


# ----------------------------------------------------------------------------------------------------------
# Tokens and authentication


def test_tokens_are_kept_only_as_a_hash(seeded_app: Flask) -> None:
    user = find_user(db.session, VIEWER)
    token, plaintext = tokens.create_token(db.session, user, "reporting")
    db.session.commit()
    assert len(plaintext) >= 43  # 32 random bytes
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = db.session.execute(select(ApiToken.__table__)).mappings().all()
    assert not any(plaintext in str(value) for row in stored for value in row.values())
    assert tokens.authenticate(db.session, plaintext) is user
    assert tokens.authenticate(db.session, plaintext + "x") is None
    assert tokens.authenticate(db.session, "") is None
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("api_token.%"))).scalars()
    assert list(actions) == ["api_token.created"]


def test_a_token_needs_a_name_and_an_active_owner(seeded_app: Flask) -> None:
    user = find_user(db.session, VIEWER)
    with pytest.raises(tokens.TokenError):
        tokens.create_token(db.session, user, "  ")
    with pytest.raises(tokens.TokenError):
        tokens.create_token(db.session, user, "x" * (tokens.NAME_MAX + 1))
    user.active = False
    with pytest.raises(tokens.TokenError):
        tokens.create_token(db.session, user, "reporting")


def test_requests_without_a_valid_bearer_token_get_401(client: FlaskClient, bearer: dict[str, str]) -> None:
    for headers in ({}, {"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}, {"Authorization": "Bearer"},
                    {"Authorization": "Bearer not-a-token"}):
        response = client.get("/api/v1/cycles", headers=headers)
        assert response.status_code == 401 and response.mimetype == "application/json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"]["status"] == 401
    response = client.get("/api/v1/cycles", headers={"Authorization": "Bearer not-a-token"})
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    response = client.get("/api/v1/cycles", headers={"Authorization": f"bearer {bearer[ADMIN]}"})
    assert response.status_code == 200  # the scheme is case-insensitive (RFC 7235)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_session_cookie_is_not_accepted(seeded_app: Flask, bearer: dict[str, str]) -> None:
    browser = Browser(seeded_app.test_client())
    browser.sign_in(ADMIN)
    browser.get("/admin/users")  # signed in for the pages
    for path in ("/cycles", "/frameworks", f"/cycles/2011/benchmarks?org={CAMDEN}"):
        assert browser.client.get(f"/api/v1{path}").status_code == 401
    response = browser.client.get("/api/v1/cycles", headers={"Authorization": f"Bearer {bearer[ADMIN]}"})
    assert response.status_code == 200


def test_revoked_tokens_and_deactivated_owners_are_refused(client: FlaskClient, bearer: dict[str, str]) -> None:
    get(client, "/cycles", bearer[VIEWER])
    token = db.session.execute(select(ApiToken).where(
        ApiToken.token_hash == tokens.digest(bearer[VIEWER]))).scalar_one()
    assert tokens.revoke(db.session, token) is True
    assert tokens.revoke(db.session, token) is False
    db.session.commit()
    assert "not valid" in error_of(client, "/cycles", bearer[VIEWER], 401)

    get(client, "/cycles", bearer[EDITOR])
    find_user(db.session, EDITOR).active = False
    db.session.commit()
    error_of(client, "/cycles", bearer[EDITOR], 401)


def test_use_is_recorded_to_the_minute(seeded_app: Flask, client: FlaskClient, bearer: dict[str, str]) -> None:
    def last_used() -> datetime | None:
        db.session.expire_all()
        return db.session.execute(select(ApiToken.last_used_at).where(
            ApiToken.token_hash == tokens.digest(bearer[VIEWER]))).scalar_one()

    assert last_used() is None
    get(client, "/cycles", bearer[VIEWER])
    first = last_used()
    assert first is not None
    get(client, "/cycles", bearer[VIEWER])
    assert last_used() == first  # a second request within the minute writes nothing
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert tokens.authenticate(db.session, bearer[VIEWER], now=later) is not None
    db.session.commit()
    assert last_used().replace(tzinfo=UTC) == later.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------------------------------------
# Errors are JSON


def test_errors_are_json_never_html(client: FlaskClient, bearer: dict[str, str]) -> None:
    token = bearer[ADMIN]
    error_of(client, "/no-such-thing", token, 404)
    error_of(client, "", token, 404)
    error_of(client, "/cycles/", token, 404)
    error_of(client, "/no-such-thing", None, 404)
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/v1/cycles", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 405 and response.mimetype == "application/json", method
        assert "GET" in response.headers["Allow"]
        assert response.get_json()["error"]["status"] == 405
    assert client.head("/api/v1/cycles", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/no-such-page").mimetype == "text/html"  # the site's pages keep their HTML errors


# ----------------------------------------------------------------------------------------------------------
# Reference data: frameworks, cycles, the register


def test_frameworks_and_cycles(client: FlaskClient, bearer: dict[str, str]) -> None:
    for email in (ADMIN, CHAMPION, EDITOR, VIEWER):
        body = get(client, "/frameworks", bearer[email])
        assert get(client, "/cycles", bearer[email])["cycles"]
    versions = {(f["slug"], v["version"]): v for f in body["frameworks"] for v in f["versions"]}
    for c in db.session.execute(select(Cycle)).scalars():
        version = c.framework_version
        listed = versions[(version.framework.slug, version.version)]
        count = db.session.execute(select(func.count(Criterion.id)).filter_by(
            framework_version_id=version.id)).scalar_one()
        assert listed["criteria"] == count > 0
        assert listed["content_hash"] == version.content_hash and listed["status"] == version.status
        assert listed["title"]["en"]
    cycles = {c["slug"]: c for c in get(client, "/cycles", bearer[VIEWER])["cycles"]}
    assert set(cycles) == {"2010", "2011"}
    assert cycles["2011"]["opens_on"] == cycle("2011").opens_on.isoformat()
    assert cycles["2011"]["version"] == cycle("2011").framework_version.version


def test_organisations(client: FlaskClient, bearer: dict[str, str]) -> None:
    listed = get(client, "/organisations", bearer[VIEWER])["organisations"]
    assert len(listed) == db.session.execute(select(func.count(Organisation.id))).scalar_one()
    camden = get(client, f"/organisations/{CAMDEN}", bearer[CHAMPION])
    assert camden == next(o for o in listed if o["code"] == CAMDEN)
    assert camden["name"] == "Camden" and camden["nation"] == "england" and camden["gss_code"].startswith("E")
    assert camden["dfe_region"] == "Inner London"
    assert [n["rank"] for n in camden["statistical_neighbours"]] == list(range(1, 11))
    expected = [(n.neighbour.code, n.closeness) for n in org(CAMDEN).neighbours]
    assert [(n["code"], n["closeness"]) for n in camden["statistical_neighbours"]] == expected
    cardiff = get(client, f"/organisations/{CARDIFF}", bearer[EDITOR])
    assert cardiff["nation"] == "wales" and cardiff["statistical_neighbours"] == []
    assert "999" in error_of(client, "/organisations/999", bearer[ADMIN], 404)


# ----------------------------------------------------------------------------------------------------------
# Scores


def test_scores_follow_the_assessment_rules(client: FlaskClient, bearer: dict[str, str]) -> None:
    champion = find_user(db.session, CHAMPION)
    assigned = db.session.execute(select(Assessment).join(ReviewAssignment).where(
        ReviewAssignment.champion_id == champion.id, Assessment.cycle_id == cycle("2011").id)).scalars().first()
    assigned_code = assigned.organisation.code
    unassigned = {LEEDS, CAMDEN} - {assigned_code}
    allowed = {
        ADMIN: {LEEDS: 200, CAMDEN: 200, CARDIFF: 200, assigned_code: 200},
        CHAMPION: {assigned_code: 200, **dict.fromkeys(unassigned, 404)},
        EDITOR: {LEEDS: 200, CAMDEN: 404},
        VIEWER: {LEEDS: 404, CAMDEN: 200},
        WELSH_EDITOR: {LEEDS: 404, CAMDEN: 404, CARDIFF: 200},
    }
    for email, codes in allowed.items():
        for code, status in codes.items():
            get(client, f"/cycles/2011/assessments/{code}/scores", bearer[email], status)
    error_of(client, "/cycles/2099/assessments/202/scores", bearer[ADMIN], 404)
    error_of(client, "/cycles/2011/assessments/999/scores", bearer[ADMIN], 404)


# ----------------------------------------------------------------------------------------------------------
# Benchmarks (their figures are checked in test_api_figures.py)


def test_benchmark_access_and_parameters(client: FlaskClient, bearer: dict[str, str]) -> None:
    get(client, f"/cycles/2011/benchmarks?org={LEEDS}", bearer[EDITOR])
    get(client, f"/cycles/2011/benchmarks?org={CARDIFF}&group=nation", bearer[WELSH_EDITOR])
    get(client, f"/cycles/2011/benchmarks?org={LEEDS}", bearer[ADMIN])
    assert "own" in error_of(client, f"/cycles/2011/benchmarks?org={CAMDEN}", bearer[EDITOR], 403)
    error_of(client, f"/cycles/2011/benchmarks?org={LEEDS}", bearer[VIEWER], 403)
    error_of(client, "/cycles/2011/benchmarks?org=999", bearer[VIEWER], 403)  # not even whether it exists
    error_of(client, f"/cycles/2011/benchmarks?org={CAMDEN}", bearer[CHAMPION], 403)
    assert "'group'" in error_of(client, f"/cycles/2011/benchmarks?org={CAMDEN}&group=friends", bearer[VIEWER], 400)
    assert "no peer group" in error_of(client, f"/cycles/2011/benchmarks?org={CAMDEN}&group=group-1", bearer[ADMIN],
                                       404)
    huge = "9" * 25
    assert "no peer group" in error_of(client, f"/cycles/2011/benchmarks?org={CAMDEN}&group=group-{huge}",
                                       bearer[VIEWER], 404)
    assert "no group 'dfe-region'" in error_of(client, f"/cycles/2011/benchmarks?org={LEEDS}&group=dfe-region",
                                                bearer[EDITOR], 404)  # the London split is for London
    assert "'basis'" in error_of(client, f"/cycles/2011/benchmarks?org={CAMDEN}&basis=worst", bearer[VIEWER], 400)
    assert "'org'" in error_of(client, "/cycles/2011/benchmarks", bearer[ADMIN], 400)
    assert "'org'" in error_of(client, "/cycles/2011/benchmarks?org=", bearer[VIEWER], 400)
    error_of(client, "/cycles/2011/benchmarks?org=999", bearer[ADMIN], 404)
    error_of(client, f"/cycles/1999/benchmarks?org={CAMDEN}", bearer[VIEWER], 404)


# ----------------------------------------------------------------------------------------------------------
# The OpenAPI document


def test_the_openapi_document_is_valid_and_covers_every_route(seeded_app: Flask, client: FlaskClient) -> None:
    document = get(client, "/openapi.json", None)
    assert document == OPENAPI
    validate(document)
    documented = {path.replace("{cycle}", "<slug>").replace("{code}", "<code>") for path in document["paths"]}
    routes = {rule.rule.removeprefix("/api/v1") for rule in seeded_app.url_map.iter_rules()
              if rule.endpoint.startswith("api.")}
    assert documented == routes
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        if path != "/openapi.json":
            assert "401" in item["get"]["responses"], path


# Loaded from the dict, not through a fixture: schemathesis's lazy fixture loader touches a pytest internal that
# pytest 9.2 no longer has. Each operation becomes its own test, each with a fresh copy of the demo database.
schema = schemathesis.openapi.from_dict(OPENAPI)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_its_schema(case, seeded_app: Flask, bearer: dict[str, str]) -> None:
    """Generated requests (valid and invalid) with an admin's token: no 5xx, every response as documented."""
    # The schema is loaded at import, before any app exists; each test points it (and the probes schemathesis
    # sends without credentials, which go through the schema's transport) at its own app.
    case.operation.app = case.operation.schema.app = seeded_app
    # Hundreds of requests a minute from one address, many with made-up tokens: throttling would answer them all
    # with 429 (tests/web/test_sign_in_abuse.py tests it).
    seeded_app.config.update(API_LIMIT_PER_ADDRESS="100000 per minute",
                             API_FAILED_TOKEN_LIMIT_PER_ADDRESS="100000 per minute")
    case.call_and_validate(headers={"Authorization": f"Bearer {bearer[ADMIN]}"})


def documented_schema(path: str, status: int) -> dict:
    """The schema the document gives for `status` from the operation at `path` (a template: /cycles/{cycle})."""
    responses = OPENAPI["paths"][path]["get"]["responses"]
    assert str(status) in responses, (path, status)
    response = responses[str(status)]
    if "$ref" in response:
        response = OPENAPI["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def test_every_response_is_what_the_document_says(client: FlaskClient, bearer: dict[str, str]) -> None:
    """Each role's answers, successes and errors, each against the schema its operation documents for its status
    (schemathesis above sends an admin's token only)."""
    client.application.config.update(API_LIMIT_PER_ADDRESS="100000 per minute",
                                     API_FAILED_TOKEN_LIMIT_PER_ADDRESS="100000 per minute")  # not throttling
    editor = find_user(db.session, EDITOR)
    mine = benchmarks.save_group(db.session, editor, "mine", [org(c).id for c in (LEEDS, CAMDEN, CARDIFF)], False)
    db.session.commit()
    requests = [("/frameworks", "/frameworks"), ("/cycles", "/cycles"), ("/organisations", "/organisations")]
    requests += [("/organisations/{code}", f"/organisations/{code}") for code in (CAMDEN, CARDIFF, "999")]
    for slug in ("2010", "2011", "2099"):
        requests += [("/cycles/{cycle}/assessments/{code}/scores", f"/cycles/{slug}/assessments/{code}/scores")
                     for code in (LEEDS, CAMDEN, CARDIFF, "999")]
        requests += [("/cycles/{cycle}/benchmarks", f"/cycles/{slug}/benchmarks{query}") for query in (
            "", "?org=", f"?org={CAMDEN}", f"?org={LEEDS}", f"?org={CARDIFF}&group=nation", "?org=999",
            f"?org={CAMDEN}&group=friends", f"?org={CAMDEN}&basis=moderated", f"?org={LEEDS}&group=dfe-region",
            f"?org={LEEDS}&group=group-{mine.id}&basis=self", f"?org={CAMDEN}&group=group-{mine.id}")]
    seen = set()
    for token in [bearer[email] for email in (ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR)] + [None]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for template, path in requests:
            response = client.get(f"/api/v1{path}", headers=headers)
            schema = {**documented_schema(template, response.status_code), "components": OPENAPI["components"]}
            Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
                response.get_json())
            seen.add((template, response.status_code))
    assert {status for _, status in seen} == {200, 400, 401, 403, 404}


def test_the_document_is_made_of_the_response_models(seeded_app: Flask) -> None:
    from csptoolkit.web.api import schemas

    components = OPENAPI["components"]["schemas"]
    assert components["Position"]["properties"]["disclosure"]["$ref"] == "#/components/schemas/Disclosure"
    assert set(schemas.Position.model_fields) == set(components["Position"]["properties"])
    assert components["Position"]["additionalProperties"] is False  # as the models forbid extra keys
    ok = OPENAPI["paths"]["/cycles/{cycle}/benchmarks"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Benchmark"}


# ----------------------------------------------------------------------------------------------------------
# The services behind the API


def test_benchmark_subject_is_who_may_see_which_authority(seeded_app: Flask) -> None:
    admin, champion, editor, viewer = (find_user(db.session, e) for e in (ADMIN, CHAMPION, EDITOR, VIEWER))
    assert access.NotAllowed is assessments.NotAllowed and issubclass(access.UnknownOrganisation, LookupError)
    assert access.benchmark_subject(db.session, admin, CAMDEN).code == CAMDEN
    assert access.benchmark_subject(db.session, admin, f" {CARDIFF} ").code == CARDIFF
    for code in ("999", None, ""):
        with pytest.raises(access.UnknownOrganisation):
            access.benchmark_subject(db.session, admin, code)
    assert access.benchmark_subject(db.session, editor, None) is editor.organisation
    assert access.benchmark_subject(db.session, editor, LEEDS).code == LEEDS
    assert access.benchmark_subject(db.session, viewer, CAMDEN).code == CAMDEN
    for user, code in ((editor, CAMDEN), (editor, "999"), (viewer, LEEDS), (champion, CAMDEN), (champion, None)):
        with pytest.raises(access.NotAllowed):
            access.benchmark_subject(db.session, user, code)
    assert [access.may_see_benchmarks(u) for u in (admin, champion, editor, viewer)] == [True, False, True, True]


def test_the_register_and_frameworks_are_read_in_a_fixed_number_of_queries(seeded_app: Flask) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = catalogue.organisations(db.session)
        neighbours = [(n.rank, n.neighbour.code, n.neighbour.name) for o in found for n in o.neighbours]
        assert len(statements) <= 2 and len(neighbours) > 100
        statements.clear()
        listed = catalogue.frameworks(db.session)
        assert len(statements) <= 3 and sum(len(f.versions) for f in listed) >= 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


# ----------------------------------------------------------------------------------------------------------
# The command line and the admin pages


def test_cli_creates_and_revokes_tokens(seeded_app: Flask, client: FlaskClient) -> None:
    runner = seeded_app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", VIEWER, "--name", "nightly report"])
    assert result.exit_code == 0, result.output
    plaintext = result.stdout.strip()
    assert len(plaintext) >= 43 and "\n" not in plaintext
    assert "not shown again" in result.stderr
    get(client, f"/cycles/2011/assessments/{CAMDEN}/scores", plaintext)
    token = db.session.execute(select(ApiToken).filter_by(name="nightly report")).scalar_one()
    assert token.user.email == VIEWER

    result = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert result.exit_code == 0 and "Revoked" in result.output
    error_of(client, "/cycles", plaintext, 401)
    assert "already" in runner.invoke(args=["tokens", "revoke", str(token.id)]).output
    assert runner.invoke(args=["tokens", "revoke", "999999"]).exit_code == 1

    result = runner.invoke(args=["tokens", "create", "nobody@example.org"])
    assert result.exit_code == 1 and "no user nobody@example.org" in result.stderr and not result.stdout
    assert db.session.execute(select(func.count(ApiToken.id))).scalar_one() == 1


def test_admin_creates_lists_and_revokes_tokens(seeded_app: Flask, browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/admin/users")
    assert "/admin/tokens" in browser.last
    browser.get("/admin/tokens")
    assert "There are no API tokens yet" in browser.text()

    response = browser.post("/admin/tokens/new", {"user": "", "name": ""})
    assert response.status_code == 400 and "Select the person the token acts for" in browser.text()
    viewer = find_user(db.session, VIEWER)
    response = browser.post("/admin/tokens/new", {"user": str(viewer.id), "name": "Camden dashboard"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    parse(browser.last)
    token = db.session.execute(select(ApiToken).filter_by(name="Camden dashboard")).scalar_one()
    plaintext = re.search(r'id="token"[^>]*value="([^"]+)"', browser.last).group(1)
    assert tokens.digest(plaintext) == token.token_hash and token.user_id == viewer.id
    api = seeded_app.test_client()
    get(api, f"/cycles/2011/benchmarks?org={CAMDEN}", plaintext)

    browser.get("/admin/tokens")
    page = browser.text()
    assert "Camden dashboard" in page and VIEWER in page and plaintext not in browser.last
    assert "Never" not in page  # it has been used
    response = browser.post(f"/admin/tokens/{token.id}/revoke", {"csrf_token": csrf_token(browser.last)})
    assert response.status_code == 303
    browser.get("/admin/tokens")
    assert "Revoked" in browser.text() and "has been revoked" in browser.text()
    error_of(api, "/cycles", plaintext, 401)
    assert browser.client.post(f"/admin/tokens/{token.id}/revoke").status_code == 400  # no CSRF token
    assert browser.post("/admin/tokens/999999/revoke", token_from="/admin/tokens").status_code == 404
    actions = db.session.execute(select(AuditEvent.action, AuditEvent.user_id).where(
        AuditEvent.action.like("api_token.%")).order_by(AuditEvent.id)).all()
    admin = db.session.execute(select(User).filter_by(email=ADMIN)).scalar_one()
    assert actions == [("api_token.created", admin.id), ("api_token.revoked", admin.id)]


def test_deactivated_people_are_not_offered_tokens(seeded_app: Flask, browser: Browser) -> None:
    find_user(db.session, EDITOR).active = False
    db.session.commit()
    browser.sign_in(ADMIN)
    browser.get("/admin/tokens/new")
    assert EDITOR not in browser.last and VIEWER in browser.last
    editor = find_user(db.session, EDITOR)
    response = browser.post("/admin/tokens/new", {"user": str(editor.id), "name": "x"})
    assert response.status_code == 400
    assert db.session.execute(select(func.count(ApiToken.id))).scalar_one() == 0
