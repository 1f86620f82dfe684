"""The one place where errors become HTTP answers: RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.shared.sql import is_disconnect
from api.shared.console import problems
from api.shared.console.desk import Refused, SignedOut
from domain.shared.errors import (
    Conflict,
    DomainError,
    InvalidField,
    InvalidFields,
    InvalidRows,
    NotAuthenticated,
    NotFound,
    StaleVersion,
    Throttled,
)

log = structlog.get_logger(__name__)
PROBLEM = "application/problem+json"

STATUS: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "Not found"),
    (StaleVersion, 412, "Precondition failed"),
    (Conflict, 409, "Conflict"),
    (InvalidField, 422, "Invalid input"),
    (InvalidRows, 422, "Invalid input"),
    (NotAuthenticated, 401, "Not authenticated"),
    (Throttled, 429, "Too many requests"),
]


def problem(
    status: int,
    title: str,
    detail: str,
    request: Request,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    if problems.is_page(request):
        page = problems.problem_page(request, status, detail)
        page.headers.update({k: v for k, v in (headers or {}).items() if k == "Retry-After"})
        return page
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    for cls, status, title in STATUS:
        if isinstance(exc, cls):
            extra: dict[str, Any] = dict(exc.details)
            headers = None
            if isinstance(exc, InvalidField):
                pairs = exc.errors if isinstance(exc, InvalidFields) else [(exc.field, exc.reason)]
                extra["errors"] = [{"field": f, "message": m} for f, m in pairs]
            if isinstance(exc, InvalidRows):
                extra["errors"] = exc.errors
            if isinstance(exc, NotAuthenticated):
                headers = {"WWW-Authenticate": "Bearer"}
            if isinstance(exc, Throttled):
                headers = {"Retry-After": str(exc.retry_after)}
                extra["retry_after"] = exc.retry_after
            return problem(status, title, exc.message, request, headers, **extra)
    return problem(400, "Bad request", exc.message, request)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body") or "body", "message": e["msg"]}
        for e in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors)
    return problem(422, "Invalid input", f"invalid fields: {fields}", request, errors=errors)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return problem(
        exc.status_code, _title(exc.status_code), str(exc.detail), request, dict(exc.headers or {})
    )


def _unexpected(request: Request, exc: Exception) -> Response:
    if is_disconnect(exc):
        log.warning("request.unavailable", path=request.url.path, error_type=type(exc).__name__)
        detail = "the database is not available: retry in a moment"
        return problem(503, "Service unavailable", detail, request, {"Retry-After": "1"})
    log.error("request.failed", path=request.url.path, error_type=type(exc).__name__)
    return problem(500, "Internal error", "the request failed; nothing was half-written", request)


def _title(status: int) -> str:
    return {
        401: "Not authenticated",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Content too large",
        429: "Too many requests",
        503: "Service unavailable",
    }.get(status, "Error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(SignedOut, problems.signed_out)
    app.add_exception_handler(Refused, problems.refused)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
