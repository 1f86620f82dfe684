"""Signing in, for the API's bearer tokens and the console's session alike: the login
throttle, a bounded number of password hashes at once, and a token naming the account."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from adapters.shared.clock import system_clock
from adapters.staff import TokenClaims
from api.engine import Engine
from application.staff.commands import StaffCommands
from application.staff.logins import LoginCommands
from domain.shared.base import Context
from domain.shared.errors import NotAuthenticated


async def sign_in(request: Request, engine: Engine, username: str, password: str) -> str:
    """A token for the account whose password this is (``NotAuthenticated`` otherwise).
    After 5 failed logins for a username or from an address within 15 minutes (the login
    policy), further attempts are ``Throttled`` without a hash."""
    address = request.client.host if request.client else "unknown"
    ctx = Context(
        actor=f"login:{address}",
        at=engine.clock(),
        correlation_id=request.state.correlation_id,
        causation_id=f"request:{request.state.request_id}",
    )
    logins = engine.handler(LoginCommands)
    await run_in_threadpool(logins.admit, ctx, username, address)
    failed: str | None = "interrupted"
    try:
        # Waiting for a hashing slot holds no thread; at most ``hash_slots`` hash at once.
        async with request.app.state.hashing:
            user = await run_in_threadpool(
                engine.handler(StaffCommands).authenticate, ctx, username, password
            )
        failed = None
    except NotAuthenticated as e:
        failed = e.why
        raise
    finally:
        await run_in_threadpool(logins.settle, ctx, username, address, failed)
    return _token(engine, user.id, user.username, user.role.value, user.branch, user.token_version)


def renewed(engine: Engine, user_id: UUID) -> str:
    """A new token for an account whose password just changed (which ended its others)."""
    account = engine.handler(StaffCommands).account(user_id)
    if account is None or not account.enabled:
        raise NotAuthenticated("the account is disabled")
    return _token(
        engine,
        user_id,
        account.username,
        account.role.value,
        account.branch,
        account.token_version,
    )


def _token(
    engine: Engine, user_id: UUID, username: str, role: str, branch: str | None, version: int
) -> str:
    claims = TokenClaims(
        user_id=str(user_id), username=username, role=role, branch=branch, token_version=version
    )
    # Tokens live on the system clock: the JWT library checks their expiry against it.
    return engine.tokens.issue(claims, system_clock())
