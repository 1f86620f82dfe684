"""Refusals and failures on the console's pages: a page in the reader's language with the
navigation they may use, never a stack trace or a JSON body."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.shared.console.desk import Desk, Refused, SignedOut, anonymous_page

# Paths that are the API's or its documents': they answer problem+json, not pages.
NOT_PAGES = ("/api/", "/docs", "/redoc", "/openapi.json", "/health", "/static/")

# The problem a status shows when nothing more precise is known.
BY_STATUS = {
    401: "signed_out",
    403: "forbidden",
    404: "not_found",
    405: "not_found",
    409: "conflict",
    412: "stale",
    413: "too_large",
    422: "invalid",
    429: "throttled",
    503: "unavailable",
}


def is_page(request: Request) -> bool:
    """Whether the request is the console's (a page, or a fragment a page asked for)."""
    return not request.url.path.startswith(NOT_PAGES)


def problem_page(request: Request, status: int, detail: str = "", problem: str = "") -> Response:
    """The page a refusal shows: what happened in words, and the detail the domain gave."""
    key = problem or BY_STATUS.get(status, "failed")
    desk: Desk | None = getattr(request.state, "desk", None)
    if desk is not None:
        return desk.page("problem.html", status, problem=key, detail=detail)
    return anonymous_page(request, "problem.html", status, problem=key, detail=detail)


def signed_out(request: Request, exc: Exception) -> Response:
    """To the login page, which brings the person back here afterwards."""
    assert isinstance(exc, SignedOut)
    target = request.url.path if request.method == "GET" else "/"
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    asked = {"next": target} if target != "/" else {}
    if exc.expired:
        asked["expired"] = "1"
    query = "/login" + (f"?{urlencode(asked)}" if asked else "")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": query})
    return RedirectResponse(query, status_code=303)


def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return problem_page(request, exc.status, problem=exc.problem)
