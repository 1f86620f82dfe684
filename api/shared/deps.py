"""Dependencies shared by the routes: engine, current user and roles, context, idempotency,
read-your-writes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request
from fastapi.security import OAuth2PasswordBearer

from adapters.staff import InvalidToken, TokenClaims
from api.engine import Engine
from api.shared.waits import BeyondHead, PositionWaits, TooManyWaiting
from application.shared.common import Idempotency
from application.staff import StaffCommands
from domain.shared.base import Context
from domain.shared.errors import InvalidField
from domain.staff import Role
from projections.shared.base import View

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def holder(engine: Engine, token: str) -> TokenClaims | None:
    """Who a token signs in now: its account's current username, role and branch; None for
    a bad or expired token, or one of an unknown or disabled account, or issued before a
    password change."""
    try:
        claims = engine.tokens.verify(token)
    except InvalidToken:
        return None
    account = engine.handler(StaffCommands).account(uuid.UUID(claims.user_id))
    if account is None or not account.enabled or account.token_version != claims.token_version:
        return None
    return TokenClaims(
        user_id=claims.user_id,
        username=account.username,
        role=account.role.value,
        branch=account.branch,
        token_version=account.token_version,
    )


def current_user(engine: EngineDep, token: Annotated[str | None, Depends(oauth2)]) -> TokenClaims:
    """The user a valid token names, with the role and branch their account has now. A token
    of an unknown or disabled account, or issued before a password change, is a 401."""
    unauthorized = HTTPException(
        401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
    )
    claims = holder(engine, token) if token is not None else None
    if claims is None:
        raise unauthorized
    return claims


CurrentUser = Annotated[TokenClaims, Depends(current_user)]

# Roles serving the whole firm see every branch; the others only their own.
BRANCH_BOUND = frozenset({Role.ADVISOR.value})


def branch_scope(user: TokenClaims) -> str | None:
    """The one branch the user is limited to, or None for the whole firm ("-" for a
    branch-bound account without a branch: it sees nothing)."""
    return (user.branch or "-") if user.role in BRANCH_BOUND else None


def roles(*allowed: Role) -> Callable[[TokenClaims], Awaitable[TokenClaims]]:
    """A dependency letting only the given roles through (403 for the others)."""
    names = {r.value for r in allowed}

    async def check(user: CurrentUser) -> TokenClaims:
        if user.role not in names:
            raise HTTPException(403, f"role {user.role!r} may not do this")
        return user

    check.__dict__["roles"] = names  # the OpenAPI document's 403
    return check


def now(engine: EngineDep) -> datetime:
    """The instant a request reads "now" at: the engine's clock."""
    return engine.clock()


NowDep = Annotated[datetime, Depends(now)]


async def context(request: Request, user: CurrentUser, at: NowDep) -> Context:
    return Context(
        actor=user.user_id,
        at=at,
        correlation_id=request.state.correlation_id,
        causation_id=f"request:{request.state.request_id}",
    )


ContextDep = Annotated[Context, Depends(context)]


async def idempotency(
    request: Request,
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> Idempotency | None:
    if key is None:
        return None
    body = await request.body()
    return Idempotency.of(key, request.method, request.url.path, body)


IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


RETRY = {"Retry-After": "1"}


def fresh(*views: type[View]) -> Callable[..., Awaitable[None]]:
    """Read-your-writes: wait until the given views reach ``min_position``, else 503 (also
    when more reads wait than ``ASSURE_MAX_WAITING_READS``). Waiting holds no thread.

    The dependency keeps its views (``.views``), so a test can check that every declared
    view has a route that waits for it.
    """
    names = [view.name for view in views]

    async def wait(
        request: Request,
        engine: EngineDep,
        min_position: Annotated[
            int | None,
            Query(
                ge=0,
                description="wait until the views reach this position (a write's "
                "``position``): read your own writes",
            ),
        ] = None,
    ) -> None:
        if min_position is None:
            return
        waits: PositionWaits = request.app.state.waits
        try:
            reached = await waits.reached(min_position, names, engine.settings.read_wait_timeout)
        except BeyondHead as e:
            raise InvalidField("min_position", f"no write has reached it ({e})") from None
        except TooManyWaiting:
            raise HTTPException(
                503, "too many reads are waiting for the views: retry", headers=RETRY
            ) from None
        if not reached:
            raise HTTPException(
                503, f"views have not reached position {min_position} yet", headers=RETRY
            )

    wait.__dict__["views"] = views
    return wait


def version_matched(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"3"`` or ``W/"3"``; None without one)."""
    if if_match is None:
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise InvalidField("If-Match", 'must be a version such as "3"')
    return int(tag)
