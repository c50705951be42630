"""The OpenAPI 3.1 document, made from the endpoints as they register and the response models they return.

An endpoint registers with `operation(...)`: its rule, the response model it returns, its operation id, summary and
errors; its docstring is its description. The view returns an instance of that model and `operation` dumps it, so
what the document says a 200 holds and what the endpoint sends are the same model and cannot drift apart.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from ...services.benchmarks import BASES, CONFIDENCES
from . import bp, schemas

REF = "#/components/schemas/{model}"
# The Flask rule's variable for a cycle is `slug`; the document has always called the parameter `cycle`.
PATH_NAMES = {"slug": "cycle"}
ERROR_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}


@dataclass(frozen=True)
class Operation:
    path: str  # as the document writes it: /cycles/{cycle}/benchmarks
    operation_id: str
    summary: str
    description: str
    response: type[BaseModel]
    returns: str  # what the 200 response is
    errors: tuple[int, ...]  # besides 401, which every operation can answer
    parameters: tuple[dict[str, Any], ...]


OPERATIONS: list[Operation] = []


def _path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + PATH_NAMES.get(m[1], m[1]) + "}", rule)


def operation(rule: str, response: type[BaseModel], *, operation_id: str, summary: str, returns: str,
              errors: tuple[int, ...] = (), parameters: tuple[dict[str, Any], ...] = ()) -> Callable:
    """Register a GET endpoint on the API blueprint (its endpoint is the view's name) and document it."""
    def register(view: Callable[..., BaseModel]) -> Callable[..., Response]:
        path = _path(rule)
        in_path = {p["name"] for p in parameters if p["in"] == "path"}
        if in_path != set(re.findall(r"{(\w+)}", path)):
            raise ValueError(f"{rule}: the path parameters documented are not those of the rule")

        @wraps(view)
        def respond(**kwargs: str) -> Response:
            body = view(**kwargs)
            if not isinstance(body, response):
                raise TypeError(f"{view.__name__} returned {type(body).__name__}, not the {response.__name__} "
                                f"the document promises")
            return jsonify(body.model_dump(mode="json"))

        bp.add_url_rule(rule, view_func=respond, methods=["GET"])
        OPERATIONS.append(Operation(path, operation_id, summary, " ".join(inspect.getdoc(view).split()), response,
                                    returns, errors, parameters))
        return respond

    return register


# ----------------------------------------------------------------------------------------------------------
# Parameters, shared by the endpoints that take them


def path_parameter(name: str, description: str, example: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 40}, "example": example}


CYCLE = path_parameter("cycle", "The cycle's slug, e.g. 2011.", "2011")
CODE = path_parameter("code", "The authority's DfE code, e.g. 202 (Camden).", "202")
ORG = {"name": "org", "in": "query", "required": True, "description": "The authority's DfE code.",
       "schema": {"type": "string", "pattern": "^[0-9A-Za-z-]{1,40}$"}, "example": "202"}
GROUP = {"name": "group", "in": "query", "required": False,
         "description": "The peer group: one of the authority's fixed groups (Welsh authorities have `nation` and "
                        "`all` only; `dfe-region` is for London authorities) or `group-<id>`, a saved group the "
                        "token's owner may use. By default the authority's statistical neighbours (all of Wales for "
                        "a Welsh authority).",
         "schema": {"type": "string", "pattern": schemas.GROUP_PATTERN}}
BASIS = {"name": "basis", "in": "query", "required": False,
         "description": "Which scores: moderated where moderated (best), self-assessed only, or moderated only.",
         "schema": {"type": "string", "enum": list(BASES), "default": "best"}}
CONFIDENCE = {"name": "confidence", "in": "query", "required": False,
              "description": "The lowest confidence of rating accepted: empty (the default) counts every rating; "
                             "`evidenced`, ratings with evidence attached or noted or that a champion agreed or set "
                             "in moderation; `peer-validated`, only those a champion agreed or set. Each score is "
                             "then of those ratings alone, and an authority with none of them is not counted.",
              "schema": {"type": "string", "enum": list(CONFIDENCES), "default": ""}}


# ----------------------------------------------------------------------------------------------------------
# The document


class _WithoutFieldTitles(GenerateJsonSchema):
    """Pydantic titles every property after its own name ("Code" for `code`): noise in a document."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _error_responses() -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}
    return {
        "BadRequest": {"description": "A parameter is missing or not allowed; the message names it.",
                       "content": error},
        "Unauthorized": {"description": "No bearer token, or one that is unknown or revoked, or whose owner is "
                                        "deactivated. Session cookies are not accepted.",
                         "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}, "content": error},
        "Forbidden": {"description": "The token's owner may not read this.", "content": error},
        "NotFound": {"description": "No such thing, or not one the token's owner may read.", "content": error},
    }


def _item(op: Operation, ok: dict[str, Any]) -> dict[str, Any]:
    errors = {str(status): {"$ref": f"#/components/responses/{ERROR_NAMES[status]}"} for status in (401, *op.errors)}
    return {"get": {
        "operationId": op.operation_id, "summary": op.summary, "description": op.description,
        "parameters": list(op.parameters),
        "responses": {"200": {"description": op.returns, "content": {"application/json": {"schema": ok}}},
                      **errors}}}


@cache
def document() -> dict[str, Any]:
    """The whole document; the component schemas are the response models' JSON schemas (as serialised)."""
    models = list(dict.fromkeys([schemas.Error, *(op.response for op in OPERATIONS)]))
    refs, definitions = models_json_schema([(model, "serialization") for model in models], ref_template=REF,
                                           schema_generator=_WithoutFieldTitles)
    paths: dict[str, Any] = {"/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document", "security": [],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}}}
    paths.update({op.path: _item(op, refs[(op.response, "serialization")]) for op in OPERATIONS})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Commissioning self-assessment toolkit API", "version": "1.0.0",
            "description": "Read-only. Send `Authorization: Bearer <token>`; a token acts as the user it was made "
                           "for, with that user's role and authority. Scores are rounded half-up to one decimal "
                           "place.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A token made by a programme admin for a user."}},
            "schemas": definitions["$defs"],
            "responses": _error_responses(),
        },
    }


@bp.route("/openapi.json")
def openapi() -> Response:
    """The API's description, public so that clients and tools can read it before they hold a token."""
    return jsonify(document())
