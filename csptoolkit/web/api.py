"""The read-only JSON API (/api/v1): frameworks, cycles, the register, scores and benchmarks, for bearer tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from ..domain import benchmark as rules
from ..domain.scoring import shown_number
from ..extensions import db
from ..models import Answer, Assessment, Criterion, Cycle, Framework, FrameworkVersion, Organisation, User
from ..models.organisation import StatisticalNeighbour
from ..models.user import AUTHORITY_ROLES, CHAMPION
from ..services import benchmarks, tokens
from ..services.assessments import can_view
from ..services.scores import MODERATED, SELF, is_moderated, score_of
from .auth import client_address, count_failure, throttle

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}
REALM = 'Bearer realm="csptoolkit"'


class ApiError(Exception):
    """An error answered as JSON: {"error": {"status": ..., "message": ...}}."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.headers)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return error_response(error.code or 500, error.description or error.name, headers)


def _in_api(path: str) -> bool:
    prefix = bp.url_prefix or ""
    return path == prefix or path.startswith(prefix + "/")


@bp.before_app_request
def routing_errors_as_json() -> Response | None:
    """An unknown path or method under /api/v1 matches no API route, so the blueprint's own error handlers
    never see it and the site's HTML error page would answer; API clients get JSON instead."""
    error = request.routing_exception
    if error is None or isinstance(error, RequestRedirect) or not _in_api(request.path):
        return None
    return http_error(error)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@bp.before_request
def authenticate() -> None:
    """Every endpoint but the OpenAPI document needs a bearer token; a session cookie is never enough, so a page
    a person has open cannot be turned into API calls (and the API needs no CSRF protection).

    Every request counts against its address's limit; an address that has sent too many unknown tokens is refused
    before its next token is even looked up.
    """
    config = current_app.config
    address = client_address()
    _throttled(throttle(config["API_LIMIT_PER_ADDRESS"], "api", "address", address))
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    plaintext = bearer_token()
    if plaintext is None:
        raise ApiError(401, "Send an API token in the Authorization header: 'Bearer <token>'.",
                       {"WWW-Authenticate": REALM})
    failed_tokens = config["API_FAILED_TOKEN_LIMIT_PER_ADDRESS"]
    _throttled(throttle(failed_tokens, "api", "failed-token", address, count=False))
    user = tokens.authenticate(db.session, plaintext)
    if user is None:
        db.session.rollback()
        count_failure(failed_tokens, "api", "failed-token", address)
        raise ApiError(401, "The API token is not valid: it is unknown or revoked, or its owner is deactivated.",
                       {"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    db.session.commit()  # last_used_at
    g.api_user = user


def _throttled(wait: int | None) -> None:
    if wait is not None:
        raise ApiError(429, f"Too many requests from this address: wait {wait} seconds and try again.",
                       {"Retry-After": str(wait)})


@bp.after_request
def not_cached(response: Response) -> Response:
    # What a token may read depends on its owner; shared caches must not keep one person's answer for another.
    if request.endpoint not in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def api_user() -> User:
    return g.api_user


# ----------------------------------------------------------------------------------------------------------
# Shaping


def rounded(value: float | None) -> float | None:
    """Half-up to one decimal place, as the scoring rules round the scores people read."""
    number = shown_number(value)
    return None if number is None else float(number)


def utc_iso(moment: datetime | None) -> str | None:
    """RFC 3339 with its offset; SQLite gives back naive datetimes for timezone-aware columns, stored in UTC."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def organisation_json(organisation: Organisation) -> dict[str, Any]:
    return {
        "code": organisation.code, "gss_code": organisation.gss_code, "name": organisation.name,
        "type": organisation.org_type, "type_code": organisation.type_code, "region": organisation.region_name,
        "dfe_region": organisation.dfe_region, "nation": organisation.nation,
        "statistical_neighbours": [
            {"rank": n.rank, "code": n.neighbour.code, "name": n.neighbour.name, "closeness": n.closeness}
            for n in organisation.neighbours],
    }


def position_json(position: rules.Position) -> dict[str, Any]:
    """A position as the disclosure rule left it: what it withheld is null, and `disclosure` says why."""
    stats = position.stats
    return {
        "score": rounded(position.score), "n": stats.n, "mean": rounded(stats.mean), "median": rounded(stats.median),
        "q1": rounded(stats.q1), "q3": rounded(stats.q3), "min": rounded(stats.min), "max": rounded(stats.max),
        "rank": position.rank, "band": position.band, "disclosure": position.disclosure.value,
    }


def _cycle(slug: str) -> Cycle:
    cycle = db.session.execute(select(Cycle).filter_by(slug=slug).options(
        joinedload(Cycle.framework_version).joinedload(FrameworkVersion.framework))).scalar_one_or_none()
    if cycle is None:
        raise ApiError(404, f"There is no cycle {slug!r}.")
    return cycle


def _organisation(code: str) -> Organisation:
    organisation = db.session.execute(select(Organisation).filter_by(code=code).options(
        selectinload(Organisation.neighbours).joinedload(StatisticalNeighbour.neighbour))).scalar_one_or_none()
    if organisation is None:
        raise ApiError(404, f"There is no organisation with DfE code {code!r}.")
    return organisation


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise ApiError(400, f"Parameter {name!r} must be one of: {', '.join(allowed)}.")
    return value


# ----------------------------------------------------------------------------------------------------------
# Endpoints


@bp.route("/openapi.json")
def openapi() -> Response:
    """The API's description, public so that clients and tools can read it before they hold a token."""
    return jsonify(OPENAPI)


@bp.route("/frameworks")
def frameworks() -> Response:
    counts = dict(db.session.execute(
        select(Criterion.framework_version_id, func.count(Criterion.id)).group_by(Criterion.framework_version_id)
    ).all())
    found = db.session.execute(select(Framework).order_by(Framework.slug).options(
        selectinload(Framework.versions).joinedload(FrameworkVersion.supersedes))).scalars()
    return jsonify({"frameworks": [{
        "slug": framework.slug,
        "versions": [{
            "version": v.version, "status": v.status, "title": v.title, "content_hash": v.content_hash,
            "criteria": counts.get(v.id, 0), "supersedes": v.supersedes.version if v.supersedes else None,
        } for v in framework.versions],
    } for framework in found]})


@bp.route("/cycles")
def cycles() -> Response:
    found = db.session.execute(select(Cycle).order_by(Cycle.opens_on, Cycle.slug).options(
        joinedload(Cycle.framework_version).joinedload(FrameworkVersion.framework))).scalars()
    return jsonify({"cycles": [{
        "slug": c.slug, "name": c.name, "framework": c.framework_version.framework.slug,
        "version": c.framework_version.version, "opens_on": c.opens_on.isoformat(),
        "closes_on": c.closes_on.isoformat(),
    } for c in found]})


@bp.route("/organisations")
def organisations() -> Response:
    found = db.session.execute(select(Organisation).order_by(Organisation.name).options(
        selectinload(Organisation.neighbours).joinedload(StatisticalNeighbour.neighbour))).scalars()
    return jsonify({"organisations": [organisation_json(o) for o in found]})


@bp.route("/organisations/<code>")
def organisation(code: str) -> Response:
    return jsonify(organisation_json(_organisation(code)))


@bp.route("/cycles/<slug>/assessments/<code>/scores")
def scores(slug: str, code: str) -> Response:
    """An assessment's scores, self-assessed and moderated; who may not see it is told it does not exist."""
    cycle = _cycle(slug)
    assessment = db.session.execute(
        select(Assessment).join(Assessment.organisation)
        .where(Assessment.cycle_id == cycle.id, Organisation.code == code)
        .options(selectinload(Assessment.answers).joinedload(Answer.criterion))).scalar_one_or_none()
    if assessment is None or not can_view(db.session, api_user(), assessment):
        raise ApiError(404, f"There is no assessment for {code!r} in cycle {slug!r} that this token may read.")
    framework = cycle.framework_version.rules()

    def basis_json(basis: str) -> dict[str, Any]:
        shaped = score_of(assessment, basis).to_json(framework)
        return {key: shaped[key] for key in ("completeness", "overall", "domains", "standards")}

    return jsonify({
        "cycle": cycle.slug, "framework": framework.framework, "version": framework.version,
        "organisation": {"code": assessment.organisation.code, "name": assessment.organisation.name},
        "state": assessment.state,
        "submitted_at": utc_iso(assessment.submitted_at),
        "self": basis_json(SELF), "moderated": basis_json(MODERATED) if is_moderated(assessment) else None,
    })


def _benchmark_organisation(user: User) -> Organisation:
    """The authority asked for, if this token may benchmark it: admins any, authority users only their own."""
    code = request.args.get("org", "").strip()
    if not code:
        raise ApiError(400, "Parameter 'org' (the authority's DfE code) is required.")
    if user.role in AUTHORITY_ROLES and (user.organisation is None or user.organisation.code != code):
        raise ApiError(403, "Authority users may only benchmark their own authority.")
    return _organisation(code)


GROUP_PATTERN = "^(" + "|".join(benchmarks.GROUP_KINDS) + "|" + benchmarks.CUSTOM_PREFIX + "[1-9][0-9]{0,18})$"


def _group_kind(organisation: Organisation) -> str:
    """The group asked for: one of the authority's fixed groups (its default when none is named) or a saved group."""
    offered = benchmarks.group_kinds(organisation)
    kind = request.args.get("group") or benchmarks.default_kind(organisation)
    if kind in benchmarks.GROUP_KINDS and kind not in offered:
        # A group the authority does not have (a Welsh authority's statistical neighbours) is not there to find.
        raise ApiError(404, f"{organisation.name} has no group {kind!r}: it is compared with {', '.join(offered)} "
                            f"or a saved group.")
    if kind not in offered and not kind.startswith(benchmarks.CUSTOM_PREFIX):
        raise ApiError(400, f"Parameter 'group' must be one of: {', '.join(benchmarks.GROUP_KINDS)}, or "
                            f"{benchmarks.CUSTOM_PREFIX}<id> for a saved peer group.")
    return kind


@bp.route("/cycles/<slug>/benchmarks")
def benchmark(slug: str) -> Response:
    """One authority against a peer group: aggregates only (no member is named), and of those only what the
    disclosure rule lets this token's owner see."""
    user = api_user()
    if user.role == CHAMPION:
        raise ApiError(403, "Champions may read only the assessments assigned to them, not benchmarks.")
    cycle = _cycle(slug)
    basis = _choice("basis", benchmarks.BASES, "best")
    organisation = _benchmark_organisation(user)
    kind = _group_kind(organisation)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    try:
        result = benchmarks.authority_benchmark(db.session, cycle, organisation, kind, basis, threshold, user)
    except benchmarks.UnknownGroup:
        raise ApiError(404, f"There is no peer group {kind!r} that this token may use.") from None
    positions = result.positions
    return jsonify({
        "cycle": cycle.slug,
        "organisation": {"code": organisation.code, "name": organisation.name},
        "group": {"kind": kind, "label": result.group.label, "n_members": len(set(result.group.members)),
                  "access": result.group.access.value},
        "basis": basis, "disclosure_threshold": threshold,
        "overall": position_json(positions["overall"]),
        "domains": {d.id: position_json(positions[f"domain:{d.id}"]) for d in result.framework.domains},
        "standards": {s.id: position_json(positions[f"standard:{s.id}"])
                      for d in result.framework.domains for s in d.standards},
    })


# ----------------------------------------------------------------------------------------------------------
# The OpenAPI document (hand-written: it is the contract, and the tests hold the endpoints to it)


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": False}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}
    return {str(status): {"$ref": f"#/components/responses/{names[status]}"} for status in statuses}


def _operation(operation_id: str, summary: str, ok: dict[str, Any], description: str, *errors: int,
               parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"operationId": operation_id, "summary": summary, "description": description,
                    "parameters": parameters or [], "responses": {"200": ok, **_errors(401, *errors)}}}


def _path_parameter(name: str, description: str, example: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 40}, "example": example}


def _query_parameter(name: str, description: str, values: tuple[str, ...], default: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "enum": list(values), "default": default}}


NUMBER = _nullable("number")
SCORE_FIGURES = {"score": NUMBER, "band": _nullable("string"), "gated": {"type": "boolean"}}
SCHEMAS: dict[str, Any] = {
    "Error": _object({"error": _object({"status": {"type": "integer"}, "message": {"type": "string"}})}),
    "LocalisedText": {"type": "object", "description": "Text by language code (en, cy).",
                      "additionalProperties": {"type": "string"}},
    "FrameworkVersion": _object({
        "version": {"type": "string"}, "status": {"type": "string"}, "title": _ref("LocalisedText"),
        "content_hash": {"type": "string"}, "criteria": {"type": "integer", "minimum": 0},
        "supersedes": _nullable("string")}),
    "Framework": _object({"slug": {"type": "string"},
                          "versions": {"type": "array", "items": _ref("FrameworkVersion")}}),
    "Cycle": _object({
        "slug": {"type": "string"}, "name": {"type": "string"}, "framework": {"type": "string"},
        "version": {"type": "string"}, "opens_on": {"type": "string", "format": "date"},
        "closes_on": {"type": "string", "format": "date"}}),
    "StatisticalNeighbour": _object({
        "rank": {"type": "integer", "minimum": 1}, "code": {"type": "string"}, "name": {"type": "string"},
        "closeness": {"type": "string"}}),
    "Organisation": _object({
        "code": {"type": "string", "description": "DfE local authority code"},
        "gss_code": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"},
        "type_code": _nullable("string"), "region": _nullable("string"), "dfe_region": _nullable("string"),
        "nation": {"type": "string", "enum": ["england", "wales"]},
        "statistical_neighbours": {"type": "array", "items": _ref("StatisticalNeighbour")}}),
    "OrganisationName": _object({"code": {"type": "string"}, "name": {"type": "string"}}),
    "BasisScores": _object({
        "completeness": {"type": "number"},
        "overall": _object(SCORE_FIGURES),
        "domains": {"type": "object", "additionalProperties": _object({"score": NUMBER})},
        "standards": {"type": "object", "additionalProperties": _object(
            {**SCORE_FIGURES, "gates": {"type": "array", "items": {"type": "string"}}})}}),
    "AssessmentScores": _object({
        "cycle": {"type": "string"}, "framework": {"type": "string"}, "version": {"type": "string"},
        "organisation": _ref("OrganisationName"),
        "state": {"type": "string",
                  "enum": ["draft", "submitted", "in_review", "moderated", "published", "returned"]},
        "submitted_at": _nullable("string", format="date-time"),
        "self": _ref("BasisScores"),
        "moderated": {"oneOf": [_ref("BasisScores"), {"type": "null"}]}}),
    "Position": _object({
        "score": NUMBER, "n": {"type": "integer", "minimum": 0}, "mean": NUMBER, "median": NUMBER, "q1": NUMBER,
        "q3": NUMBER, "min": NUMBER, "max": NUMBER, "rank": _nullable("integer", minimum=1),
        "band": {"type": ["string", "null"], "enum": ["A", "B", "C", "D", None],
                 "description": "The quartile band: A at or above the upper quartile, B at or above the median, "
                                "C at or above the lower quartile, else D."},
        "disclosure": {
            "type": "string", "enum": [d.value for d in rules.Disclosure],
            "description": "What may be shown of this group on this score, and so which figures are null. "
                           "`statistics`: mean, median, quartiles, rank and quartile band, no authority named; "
                           "never min and max, which are one authority's own score each. `position`: only the "
                           "authority's own score, rank and quartile band (a group an authority user built for "
                           "itself, or the moderated basis while some scored members are not moderated). `none`: "
                           "only n and the authority's own score (too few scored members). `named`: everything "
                           "(programme admins)."}}),
    "Benchmark": _object({
        "cycle": {"type": "string"}, "organisation": _ref("OrganisationName"),
        "group": _object({"kind": {"type": "string", "pattern": GROUP_PATTERN},
                          "label": {"type": "string"}, "n_members": {"type": "integer", "minimum": 1},
                          "access": {"type": "string", "enum": [a.value for a in rules.GroupAccess]}}),
        "basis": {"type": "string", "enum": list(benchmarks.BASES)},
        "disclosure_threshold": {"type": "integer"},
        "overall": _ref("Position"),
        "domains": {"type": "object", "additionalProperties": _ref("Position")},
        "standards": {"type": "object", "additionalProperties": _ref("Position")}}),
}
ERROR = {"application/json": {"schema": _ref("Error")}}
RESPONSES = {
    "BadRequest": {"description": "A parameter is missing or not allowed; the message names it.",
                   "content": ERROR},
    "Unauthorized": {"description": "No bearer token, or one that is unknown or revoked, or whose owner is "
                                    "deactivated. Session cookies are not accepted.",
                     "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}, "content": ERROR},
    "Forbidden": {"description": "The token's owner may not read this.", "content": ERROR},
    "NotFound": {"description": "No such thing, or not one the token's owner may read.", "content": ERROR},
}
CYCLE = _path_parameter("cycle", "The cycle's slug, e.g. 2011.", "2011")
CODE = _path_parameter("code", "The authority's DfE code, e.g. 202 (Camden).", "202")

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Commissioning self-assessment toolkit API", "version": "1.0.0",
        "description": "Read-only. Send `Authorization: Bearer <token>`; a token acts as the user it was made "
                       "for, with that user's role and authority. Scores are rounded half-up to one decimal place.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "security": [],
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")}}},
        "/frameworks": _operation(
            "listFrameworks", "Standards frameworks and their versions",
            _json(_object({"frameworks": {"type": "array", "items": _ref("Framework")}}), "The frameworks."),
            "Every framework loaded, with each version's status, title, content hash and number of criteria."),
        "/cycles": _operation(
            "listCycles", "Assessment cycles",
            _json(_object({"cycles": {"type": "array", "items": _ref("Cycle")}}), "The cycles, oldest first."),
            "Every cycle with its framework version and the dates it is open."),
        "/organisations": _operation(
            "listOrganisations", "The organisation register",
            _json(_object({"organisations": {"type": "array", "items": _ref("Organisation")}}),
                  "Every authority, by name."),
            "English and Welsh authorities with their codes, type, region and DfE statistical neighbours."),
        "/organisations/{code}": _operation(
            "getOrganisation", "One authority", _json(_ref("Organisation"), "The authority."),
            "An authority with its DfE statistical neighbours (rank 1 is the closest).", 404, parameters=[CODE]),
        "/cycles/{cycle}/assessments/{code}/scores": _operation(
            "getAssessmentScores", "An assessment's scores", _json(_ref("AssessmentScores"), "The scores."),
            "Self-assessed and moderated scores (moderated is null until moderation). Authority users may read "
            "their own authority's, champions those assigned to them, programme admins all; any other is 404.",
            404, parameters=[CYCLE, CODE]),
        "/cycles/{cycle}/benchmarks": _operation(
            "getBenchmark", "An authority against a peer group", _json(_ref("Benchmark"), "The benchmark."),
            "Group figures for the overall, each domain and each standard score: n, mean, median, quartiles, "
            "min, max, and the authority's rank and quartile band, as far as the disclosure rule allows (see "
            "`disclosure` on each position). For authority users, fixed groups and groups programme staff share "
            "give the figures but min and max once enough members have a score, else only n and the authority's "
            "own score; a group an authority user built for itself gives only the authority's own score, rank "
            "and quartile band, and only with enough scored members besides the authority. Programme admins get "
            "every figure. Authority users may ask only for their own authority; champions may not use "
            "benchmarks.", 400, 403, 404, parameters=[
                CYCLE,
                {"name": "org", "in": "query", "required": True, "description": "The authority's DfE code.",
                 "schema": {"type": "string", "pattern": "^[0-9A-Za-z-]{1,40}$"},
                 "example": "202"},
                {"name": "group", "in": "query", "required": False,
                 "description": "The peer group: one of the authority's fixed groups (Welsh authorities have "
                                "`nation` and `all` only; `dfe-region` is for London authorities) or "
                                "`group-<id>`, a saved group the token's owner may use. By default the "
                                "authority's statistical neighbours (all of Wales for a Welsh authority).",
                 "schema": {"type": "string", "pattern": GROUP_PATTERN}},
                _query_parameter("basis", "Which scores: moderated where moderated (best), self-assessed only, "
                                          "or moderated only.", benchmarks.BASES, "best"),
            ]),
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A token made by a programme admin for a user."}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}
