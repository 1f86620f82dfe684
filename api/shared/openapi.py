"""The OpenAPI document as the service behaves: every operation lists the problems it may
answer (``application/problem+json``, the shape ``errors.problem`` sends), derived from
what the route depends on, so a new route is documented the same way.

- 401: it needs a signed-in user; 403: only some roles may call it;
- 404: its path names something; 409: it writes (a rule, a duplicate, a concurrent write);
- 412: it takes ``If-Match``; 413: it takes a body; 422: it takes any input;
- 503: the database, or the views a read waits for, are not there (every route, with
  ``Retry-After``). A route's own ``responses`` (the login's 429, the health's 503) stand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

PROBLEM = "application/problem+json"

FIELD_ERROR: dict[str, Any] = {
    "title": "FieldError",
    "type": "object",
    "description": "One input that breaks a rule; an upload's row errors also name the row.",
    "properties": {
        "field": {"type": "string", "description": 'the input, dotted: "scores.process"'},
        "message": {"type": "string"},
        "row": {"type": "integer", "description": "an uploaded file's line"},
    },
    "required": ["message"],
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; some problems add members (see ``detail``).",
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Invalid input"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "the request's path"},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FieldError"},
            "description": "422: each input that breaks a rule",
        },
        "retry_after": {"type": "integer", "description": "429: seconds to wait"},
        "failing_sections": {
            "type": "array",
            "items": {"type": "string"},
            "description": "409 of an AVL approval: the audit's failing sections",
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
    "additionalProperties": True,
}

WHY: dict[int, str] = {
    401: "No valid bearer token (missing, expired, or of an account disabled or changed since)",
    403: "The user's role may not do this",
    404: "Nothing of that id (or not in the advisor's branch)",
    409: "A business rule refuses it, the thing exists already, or a concurrent change won",
    412: "If-Match names a version that is no longer the current one",
    413: "The body is larger than the service accepts",
    422: "An input breaks a rule: ``errors`` names each field",
    503: "The database or the views are not available yet: retry after ``Retry-After``",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every callable a route depends on, however deep."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from calls(sub)


def problems(route: APIRoute, path: str) -> set[int]:
    """The problem statuses a route may answer, from what it depends on."""
    deps = list(calls(route.dependant))
    flat = [route.dependant, *_all(route.dependant)]
    found = {503}
    if "current_user" in {getattr(c, "__name__", "") for c in deps}:
        found.add(401)
    if any(getattr(c, "roles", None) for c in deps):
        found.add(403)
    if "{" in path:
        found.add(404)
    if (route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
        found.add(409)
    if "if-match" in {p.alias.lower() for d in flat for p in d.header_params}:
        found.add(412)
    if route.body_field is not None:
        found.add(413)
    if route.body_field is not None or any(
        d.query_params or d.path_params or d.header_params for d in flat
    ):
        found.add(422)
    return found


def problem_response(description: str, *, retry: bool = False) -> dict[str, Any]:
    """A ``responses`` entry of a problem (``retry``: with its ``Retry-After``)."""
    answer: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if retry:
        answer["headers"] = RETRY_AFTER
    return answer


def _all(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _all(sub)


def install(app: FastAPI) -> None:
    """Replace the app's OpenAPI builder by one that documents every operation's problems."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        components["FieldError"] = FIELD_ERROR
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for context in iter_route_contexts(app.routes):
            route, path = context.original_route, context.path_format
            if not isinstance(route, APIRoute) or not route.include_in_schema or path is None:
                continue
            for method in context.methods or ():
                operation = schema["paths"][path][method.lower()]
                responses = operation.setdefault("responses", {})
                for status in sorted(problems(route, path) - {int(s) for s in route.responses}):
                    responses[str(status)] = problem_response(WHY[status], retry=status == 503)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
