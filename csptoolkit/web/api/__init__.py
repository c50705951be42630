"""The read-only JSON API (/api/v1): the blueprint, bearer-token authentication and errors as JSON.

The endpoints are in routes.py; each returns one of the response models in schemas.py, and openapi.py makes the
OpenAPI document from the same models.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from ...services import session, tokens
from ...services.throttling import count_failure, throttle
from ..auth import client_address
from . import schemas

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
    body = schemas.Error(error=schemas.ErrorDetail(status=status, message=message))
    response = jsonify(body.model_dump(mode="json"))
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
    user = tokens.authenticate(session(), plaintext)  # notes the token's use itself
    if user is None:
        count_failure(failed_tokens, "api", "failed-token", address)
        raise ApiError(401, "The API token is not valid: it is unknown or revoked, or its owner is deactivated.",
                       {"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
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


def api_user():
    """The user the request's token acts for (set by `authenticate`)."""
    return g.api_user


# The endpoints register themselves on `bp` as they are imported; the document is made once they all have.
from . import openapi, routes  # noqa: E402

OPENAPI = openapi.document()

__all__ = ["OPENAPI", "ApiError", "api_user", "bp", "openapi", "routes"]
