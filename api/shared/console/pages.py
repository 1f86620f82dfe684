"""The console's foundation: sign in and out, the language, the home page of modules, and
one's own password. Pages translate like routes; every string goes through the catalog."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.shared.console.desk import Desk, anonymous_page, page_context, staff
from api.shared.console.i18n import LOCALES
from api.shared.console.render import HERE
from api.shared.console.session import LANGUAGE, SEEN, SESSION, csrf_ok, keep, seen
from api.shared.deps import EngineDep, holder
from api.staff import renewed, sign_in
from application.staff import MIN_PASSWORD_LENGTH, StaffCommands
from domain.shared.errors import InvalidField, NotAuthenticated, Throttled

# The time zones a person may choose: where the firm's staff work.
ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
)
PRE_LOGIN = "assure_form"  # the login form's own CSRF cookie (there is no session yet)
YEAR = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)
static = StaticFiles(directory=HERE / "static")
Anyone = Annotated[Desk, Depends(staff())]


def local(target: str | None) -> str:
    """Where to go after signing in: a path of this site, never another host."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in parts.path:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.get("/")
def home(desk: Anyone) -> Response:
    """The first module of the person's role (their day's work), else the page of modules."""
    first = next((item for item in desk.menu if desk.role in item.home_for), None)
    if first is not None:
        return desk.redirect(first.href)
    return desk.page("home.html")


@router.get("/login")
def login_form(request: Request, next: str = "/", expired: str = "") -> Response:
    form_token = secrets.token_urlsafe(24)
    response = anonymous_page(
        request,
        "login.html",
        csrf=form_token,
        error="expired" if expired else None,
        username="",
        next=local(next),
    )
    keep(response, request, PRE_LOGIN, form_token, 3600)
    return response


@router.post("/login")
async def login(
    request: Request,
    engine: EngineDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Sign in with the API's rules (the same throttle); the session lives in a cookie."""
    expected = request.cookies.get(PRE_LOGIN, "")
    if not (expected and secrets.compare_digest(expected, csrf)):
        return anonymous_page(request, "problem.html", 403, problem="form_expired")
    again = {"csrf": csrf, "username": username, "next": local(next)}
    try:
        token = await sign_in(request, engine, username, password)
    except NotAuthenticated:
        return anonymous_page(request, "login.html", 401, error="wrong", **again)
    except Throttled as e:
        response = anonymous_page(
            request, "login.html", 429, error="throttled", wait=e.retry_after, **again
        )
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    done = RedirectResponse(local(next), status_code=303)
    _open(done, request, engine, token)
    done.delete_cookie(PRE_LOGIN, path="/")
    return done


def _open(response: Response, request: Request, engine: EngineDep, token: str) -> None:
    lifetime = int(engine.tokens.ttl.total_seconds())
    keep(response, request, SESSION, token, lifetime)
    stamp = int(engine.clock().timestamp())
    keep(response, request, SEEN, seen(engine.tokens, token, stamp), lifetime)


@router.post("/logout")
def logout(_: Anyone) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION, path="/")
    response.delete_cookie(SEEN, path="/")
    return response


@router.post("/language")
def language(
    request: Request,
    engine: EngineDep,
    chosen: Annotated[str, Form(alias="locale", max_length=10)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Keep the language a person chose: in this browser, and on their account when they
    are signed in (the form then carries the session's token)."""
    if chosen not in LOCALES:
        return anonymous_page(request, "problem.html", 422, problem="unknown_language")
    session = request.cookies.get(SESSION)
    me = holder(engine, session) if session else None
    if me is not None and csrf_ok(engine.tokens, session, csrf):
        staff = engine.handler(StaffCommands)
        account = staff.account(UUID(me.user_id))
        zone = account.time_zone if account else None
        staff.prefer(page_context(request, engine, me.user_id), UUID(me.user_id), chosen, zone)
    back = request.headers.get("referer", "/")
    target = back if back.startswith(str(request.base_url)) else "/"
    response = RedirectResponse(target, status_code=303)
    keep(response, request, LANGUAGE, chosen, YEAR)
    return response


@router.get("/preferences")
def preferences_form(desk: Anyone, saved: str = "") -> Response:
    return _preferences(desk, {}, saved=bool(saved))


def _preferences(desk: Desk, errors: dict[str, str], saved: bool = False) -> Response:
    account = desk.engine.handler(StaffCommands).account(UUID(desk.me.user_id))
    return desk.page(
        "preferences.html",
        422 if errors else 200,
        errors=errors,
        saved=saved,
        zones=ZONES,
        chosen_language=account.language if account else None,
        chosen_zone=account.time_zone if account else None,
        chosen_email=account.email if account else None,
        mail_on=desk.engine.settings.smtp_url is not None,
        default_zone=desk.engine.settings.time_zone,
    )


@router.post("/preferences")
def save_preferences(
    desk: Anyone,
    language: Annotated[str, Form(max_length=10)] = "",
    zone: Annotated[str, Form(max_length=64)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """One's own language, time zone and digest address (blank: the browser's language,
    the service's zone, no digest)."""
    errors = {}
    if language and language not in LOCALES:
        errors["language"] = "invalid"
    if zone and zone not in ZONES:
        errors["zone"] = "invalid"
    if errors:
        return _preferences(desk, errors)
    staff, me = desk.engine.handler(StaffCommands), UUID(desk.me.user_id)
    try:
        staff.set_email(desk.context(), me, email or None)
    except InvalidField:
        return _preferences(desk, {"email": "invalid"})
    staff.prefer(desk.context(), me, language or None, zone or None)
    response = desk.redirect("/preferences?saved=1")
    if language:
        keep(response, desk.request, LANGUAGE, language, YEAR)
    return response


@router.get("/password")
def password_form(desk: Anyone) -> Response:
    return desk.page("password.html", errors={}, done=False, minimum=MIN_PASSWORD_LENGTH)


@router.post("/password")
def change_password(
    desk: Anyone,
    current: Annotated[str, Form(max_length=200)] = "",
    new: Annotated[str, Form(max_length=200)] = "",
    repeated: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Change one's own password; the session goes on under a new token (the change ends
    every other session of the account)."""
    errors: dict[str, str] = {}
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new"] = "too_short"
    elif new != repeated:
        errors["repeated"] = "different"
    if not errors:
        try:
            desk.engine.handler(StaffCommands).change_password(
                desk.context(), UUID(desk.me.user_id), new, current_password=current
            )
        except InvalidField:
            errors["current"] = "wrong"
    if errors:
        return desk.page(
            "password.html", 422, errors=errors, done=False, minimum=MIN_PASSWORD_LENGTH
        )
    response = desk.page("password.html", errors={}, done=True, minimum=MIN_PASSWORD_LENGTH)
    _open(response, desk.request, desk.engine, renewed(desk.engine, UUID(desk.me.user_id)))
    return response
