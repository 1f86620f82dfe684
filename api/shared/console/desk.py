"""Who sits at the console: the session behind a page, its roles, its language and time
zone, and the means to answer (a page, a fragment, a redirect) and to write (a context for
commands, the form's idempotency key, read-your-writes).

A page takes a ``Desk`` from ``staff(*roles)``: no session (or an idle or expired one) is a
redirect to the login page; a role the page does not serve is a 403 page.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from adapters.staff import TokenClaims
from api.shared.console.i18n import LOCALES, negotiate, translations
from api.shared.console.menu import MenuItem
from api.shared.console.render import Formats, render
from api.shared.console.session import LANGUAGE, SEEN, SESSION, csrf_ok, csrf_token, keep, seen
from api.shared.deps import EngineDep, holder
from api.shared.waits import BeyondHead, PositionWaits, TooManyWaiting
from application.shared.common import Idempotency
from application.staff import StaffCommands
from domain.shared.base import Context
from domain.staff import Role
from projections.shared.base import View

if TYPE_CHECKING:
    from api.engine import Engine


class SignedOut(Exception):
    """No session, or one that expired: sign in again, then come back."""

    def __init__(self, expired: bool) -> None:
        super().__init__("sign in")
        self.expired = expired


class Refused(Exception):
    """A page this role does not serve, or a form without its session's token."""

    def __init__(self, status: int, problem: str) -> None:
        super().__init__(problem)
        self.status = status
        self.problem = problem


def locale_of(request: Request) -> str:
    return negotiate(request.cookies.get(LANGUAGE), request.headers.get("accept-language"))


def anonymous_page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page for someone not signed in (login, a refusal before a session)."""
    locale = locale_of(request)
    engine: Engine = request.app.state.engine
    formats = Formats(locale, engine.settings.time_zone)
    html = render(locale, name, locales=LOCALES, me=None, menu=(), f=formats, **values)
    return HTMLResponse(html, status_code=status)


@dataclass
class Desk:
    """A signed-in person at the console, answering one request."""

    request: Request
    engine: Engine
    me: TokenClaims
    session: str
    locale: str
    zone: str
    menu: tuple[MenuItem, ...] = field(default=())

    @property
    def formats(self) -> Formats:
        return Formats(self.locale, self.zone)

    def gettext(self, message: str) -> str:
        """A message in the reader's language (for words a page draws outside a template:
        a chart's, a file's)."""
        return translations(self.locale).gettext(message)

    def today(self) -> date:
        """The reader's date now, in their time zone."""
        return self.engine.clock().astimezone(ZoneInfo(self.zone)).date()

    @property
    def csrf(self) -> str:
        return csrf_token(self.engine.tokens, self.session)

    @property
    def role(self) -> Role:
        return Role(self.me.role)

    def page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A whole page, or a fragment of one (templates named ``_*.html``)."""
        response = self.quiet_page(name, status, **values)
        self._kept(response)
        return response

    def quiet_page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A fragment the page asks for by itself (the header's count every minute): it
        does not count as the person's activity, so an idle session still expires."""
        here = self.request.url.path
        html = render(
            self.locale,
            name,
            locales=LOCALES,
            me=self.me,
            menu=self.menu,
            here=here,
            csrf=self.csrf,
            form_key=str(uuid.uuid4()),
            f=self.formats,
            behind=getattr(self.request.state, "behind", False),
            # The write a page was opened after (``?after=``): its own fragments wait for it.
            after=self.request.query_params.get("after", ""),
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, url: str, position: int | None = None) -> Response:
        """After a write: the next page, told to wait for the write's position."""
        if position is not None:
            path, hash_, anchor = url.partition("#")
            url = path + ("&" if "?" in path else "?") + f"after={position}" + hash_ + anchor
        if self.request.headers.get("hx-request"):
            response: Response = Response(status_code=204, headers={"HX-Location": url})
        else:
            response = RedirectResponse(url, status_code=303)
        self._kept(response)
        return response

    def once(self, form: Mapping[str, Any]) -> Idempotency | None:
        """A form's idempotency: its key (``form_key``) is drawn when the page renders, so
        a double-clicked form, or one sent again after a lost answer, writes once."""
        key = form.get("form_key")
        if not isinstance(key, str) or not key:
            return None
        # Every value of a field sent several times (ticked boxes) counts.
        items = form.multi_items() if isinstance(form, FormData) else list(form.items())
        parts = [f"{k}={v}" for k, v in sorted(items) if k not in {"csrf", "form_key"}]
        return Idempotency.of(f"form:{key}", "POST", self.request.url.path, *parts)

    def context(self) -> Context:
        """The context of a command issued from a page: who, when, and which request."""
        return page_context(self.request, self.engine, self.me.user_id)

    def _kept(self, response: Response) -> None:
        # Each answer marks the session as used now (the idle clock starts again).
        value = seen(self.engine.tokens, self.session, int(self.engine.clock().timestamp()))
        keep(response, self.request, SEEN, value, int(self.engine.tokens.ttl.total_seconds()))


def page_context(request: Request, engine: Engine, actor: str) -> Context:
    """The context of a command a page issues for ``actor``."""
    return Context(
        actor=actor,
        at=engine.clock(),
        correlation_id=request.state.correlation_id,
        causation_id=f"page:{request.state.request_id}",
    )


def staff(*allowed: Role, reads: tuple[type[View], ...] = ()) -> Callable[..., Any]:
    """The dependency of a page for the given roles (every role when none is given), which
    reads the given views (after a write, it waits for them to show it)."""
    names = {r.value for r in allowed} or {r.value for r in Role}
    views = [view.name for view in reads]

    async def sitting(request: Request, engine: EngineDep) -> Desk:
        session = request.cookies.get(SESSION)
        me = holder(engine, session) if session else None
        if session is None or me is None:
            raise SignedOut(expired=session is not None)
        idle = engine.settings.session_idle_minutes * 60
        last = _last_seen(engine, session, request.cookies.get(SEEN))
        if last is None or engine.clock().timestamp() - last > idle:
            raise SignedOut(expired=True)
        role = Role(me.role)
        menu = tuple(i for i in engine.registry.menu if role in i.roles)
        account = engine.handler(StaffCommands).account(UUID(me.user_id))
        chosen = account.language if account else None
        locale = chosen if chosen in LOCALES else locale_of(request)
        zone = (account.time_zone if account else None) or engine.settings.time_zone
        desk = Desk(request, engine, me, session, str(locale), zone, menu)
        request.state.desk = desk  # a refusal's page shows this person's navigation
        if me.role not in names:
            raise Refused(403, "forbidden")
        if request.method == "POST":
            await _check_csrf(request, engine, session)
        await _caught_up(request, engine, views)
        return desk

    sitting.__dict__["roles"] = names
    return sitting


def _last_seen(engine: Engine, session: str, cookie: str | None) -> int | None:
    stamp, _, _ = (cookie or "").partition(".")
    if not stamp.isdigit():
        return None
    if not secrets.compare_digest(seen(engine.tokens, session, int(stamp)), cookie or ""):
        return None
    return int(stamp)


async def _check_csrf(request: Request, engine: Engine, session: str) -> None:
    form = await request.form()
    given = form.get("csrf")
    if not csrf_ok(engine.tokens, session, given if isinstance(given, str) else None):
        raise Refused(403, "form_expired")


async def _caught_up(request: Request, engine: Engine, views: list[str]) -> None:
    """Read-your-writes: a page opened after a write (``?after=<position>``) waits until the
    views reach it; past the timeout it shows what they have, marked as catching up."""
    after = request.query_params.get("after", "")
    request.state.behind = False
    if not (after.isdigit() and views):
        return
    waits: PositionWaits = request.app.state.waits
    try:
        reached = await waits.reached(int(after), views, engine.settings.read_wait_timeout)
    except (BeyondHead, TooManyWaiting):
        reached = False
    request.state.behind = not reached
