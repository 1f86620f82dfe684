"""The console's foundation: sign in and out, the language, the home page, and the pages a
refusal shows. Pages translate like routes; every string goes through the catalog."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from adapters.staff import TokenClaims
from api.shared.console.i18n import LOCALES, negotiate, translations
from api.shared.console.session import LANGUAGE, SESSION, csrf_ok, csrf_token, keep
from api.shared.deps import EngineDep, holder
from api.staff import sign_in
from domain.shared.errors import NotAuthenticated, Throttled

HERE = Path(__file__).parent
PRE_LOGIN = "assure_form"  # the login form's own CSRF cookie (there is no session yet)
YEAR = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)
static = StaticFiles(directory=HERE / "static")


@cache
def templates(locale: str) -> Environment:
    """The templates in one language (one environment per locale: nothing switches)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def locale_of(request: Request) -> str:
    return negotiate(request.cookies.get(LANGUAGE), request.headers.get("accept-language"))


def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    locale = locale_of(request)
    html = (
        templates(locale)
        .get_template(name)
        .render(lang=locale.replace("_", "-"), locales=LOCALES, locale=locale, **values)
    )
    return HTMLResponse(html, status_code=status)


def signed_in(request: Request, engine: EngineDep) -> TokenClaims | None:
    token = request.cookies.get(SESSION)
    return holder(engine, token) if token else None


Viewer = Annotated[TokenClaims | None, Depends(signed_in)]


@router.get("/")
def home(request: Request, engine: EngineDep, user: Viewer) -> Response:
    """The home page of whoever is signed in; the login page for anyone else."""
    if user is None:
        return RedirectResponse("/login", status_code=303)
    session = request.cookies.get(SESSION, "")
    return page(
        request,
        "home.html",
        user=user,
        csrf=csrf_token(engine.tokens, session),
    )


@router.get("/login")
def login_form(request: Request) -> Response:
    form_token = secrets.token_urlsafe(24)
    response = page(request, "login.html", csrf=form_token, error=None, username="")
    keep(response, request, PRE_LOGIN, form_token, 3600)
    return response


@router.post("/login")
async def login(
    request: Request,
    engine: EngineDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign in with the API's rules (the same throttle); the session lives in a cookie."""
    expected = request.cookies.get(PRE_LOGIN, "")
    if not (expected and secrets.compare_digest(expected, csrf)):
        return page(request, "problem.html", 403, problem="form_expired")
    try:
        token = await sign_in(request, engine, username, password)
    except NotAuthenticated:
        return page(request, "login.html", 401, csrf=csrf, error="wrong", username=username)
    except Throttled as e:
        wait = e.retry_after
        response = page(
            request, "login.html", 429, csrf=csrf, error="throttled", wait=wait, username=username
        )
        response.headers["Retry-After"] = str(wait)
        return response
    done = RedirectResponse("/", status_code=303)
    keep(done, request, SESSION, token, int(engine.tokens.ttl.total_seconds()))
    done.delete_cookie(PRE_LOGIN, path="/")
    return done


@router.post("/logout")
def logout(
    request: Request, engine: EngineDep, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    if not csrf_ok(engine.tokens, request.cookies.get(SESSION), csrf):
        return page(request, "problem.html", 403, problem="form_expired")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION, path="/")
    return response


@router.post("/language")
def language(
    request: Request, chosen: Annotated[str, Form(alias="locale", max_length=10)]
) -> Response:
    """Keep the language a person chose (a preference, not a write: no CSRF needed)."""
    if chosen not in LOCALES:
        return page(request, "problem.html", 422, problem="unknown_language")
    back = request.headers.get("referer", "/")
    target = back if back.startswith(str(request.base_url)) else "/"
    response = RedirectResponse(target, status_code=303)
    keep(response, request, LANGUAGE, chosen, YEAR)
    return response
