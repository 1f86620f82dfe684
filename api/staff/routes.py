"""Login, and staff accounts (administrators only, but for one's own password)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import AwareDatetime

from api.shared.deps import (
    ContextDep,
    CurrentUser,
    EngineDep,
    IdempotencyDep,
    current_user,
    fresh,
    roles,
)
from api.shared.openapi import problem_response
from api.shared.schemas import Cursor, Limit, Page, WriteResult
from api.staff.schemas import (
    BranchCreate,
    BranchPublic,
    DigestAddress,
    Disable,
    LoginRecord,
    PasswordChange,
    Token,
    UserCreate,
    UserPublic,
)
from api.staff.signin import sign_in
from application.staff.branches import BranchCommands
from application.staff.commands import StaffCommands
from domain.shared.errors import NotFound
from domain.staff.users import Role
from projections.shared.paging import paged
from projections.staff.branches import BranchesView
from projections.staff.logins import LoginsView
from projections.staff.views import StaffView

router = APIRouter(prefix="/api/v1", tags=["staff"])
ADMIN = Depends(roles(Role.ADMIN))
AUDITORS = Depends(roles(Role.ADMIN, Role.COMPLIANCE))


@router.post(
    "/auth/token",
    responses={
        401: problem_response("Wrong username or password, or a disabled account"),
        429: problem_response(
            "Too many failed logins: retry after ``Retry-After`` seconds", retry=True
        ),
    },
)
async def login(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], engine: EngineDep
) -> Token:
    """Exchange a username and password for a bearer token (8 hours by default). After 5
    failed logins for a username or from an address within 15 minutes (the login policy),
    further attempts answer 429 with ``Retry-After``, growing with each further failure."""
    token = await sign_in(request, engine, form.username, form.password)
    return Token(access_token=token, expires_in=int(engine.tokens.ttl.total_seconds()))


@router.post("/auth/password")
def change_own_password(
    body: PasswordChange, user: CurrentUser, engine: EngineDep, ctx: ContextDep
) -> WriteResult:
    """Change one's own password; the current one is required."""
    result = engine.handler(StaffCommands).change_password(
        ctx, UUID(user.user_id), body.new_password, current_password=body.current_password or ""
    )
    return WriteResult.of(result)


@router.post("/auth/email")
def set_own_email(
    body: DigestAddress, user: CurrentUser, engine: EngineDep, ctx: ContextDep
) -> WriteResult:
    """Set one's own address for the inbox's daily digest (null: none)."""
    result = engine.handler(StaffCommands).set_email(ctx, UUID(user.user_id), body.email)
    return WriteResult.of(result)


@router.get("/branches", dependencies=[Depends(current_user), Depends(fresh(BranchesView))])
def list_branches(
    engine: EngineDep, limit: Limit = 100, cursor: Cursor = None
) -> Page[BranchPublic]:
    """The firm's branches, by code."""
    rows = engine.view(BranchesView).all(engine.db)
    items, next_cursor = paged(rows, lambda b: (b["code"],), limit, cursor)
    return Page(items=[BranchPublic.model_validate(b) for b in items], next_cursor=next_cursor)


@router.post("/branches", status_code=201, dependencies=[ADMIN])
def open_branch(
    body: BranchCreate, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Register a branch; a code already registered is a 409."""
    return WriteResult.of(engine.handler(BranchCommands).open(ctx, body.code, body.name, idem))


@router.get("/logins", dependencies=[AUDITORS, Depends(fresh(LoginsView))])
def failed_logins(
    engine: EngineDep,
    username: Annotated[
        str | None, Query(max_length=200, description="the username tried (any case)")
    ] = None,
    address: Annotated[
        str | None, Query(max_length=200, description="the client address tried from")
    ] = None,
    start: Annotated[
        AwareDatetime | None, Query(alias="from", description="from this instant (inclusive)")
    ] = None,
    end: Annotated[
        AwareDatetime | None, Query(alias="to", description="before this instant")
    ] = None,
    limit: Limit = 200,
    cursor: Cursor = None,
) -> Page[LoginRecord]:
    """Failed logins and throttles, newest first: username, address, time, why (never the
    password tried)."""
    rows, next_cursor = engine.view(LoginsView).search(
        engine.db, username, address, start, end, limit, cursor
    )
    return Page(items=[LoginRecord.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/users", dependencies=[ADMIN, Depends(fresh(StaffView))])
def list_users(
    engine: EngineDep,
    role: Annotated[Role | None, Query(description="accounts of this role")] = None,
    branch: Annotated[str | None, Query(max_length=32, description="a branch code")] = None,
    enabled: Annotated[bool | None, Query(description="only enabled (or disabled) ones")] = None,
    q: Annotated[str | None, Query(max_length=64, description="a username fragment")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[UserPublic]:
    """Staff accounts by username, filtered by role, branch, state or username fragment."""
    rows = [
        u
        for u in engine.view(StaffView).all(engine.db)
        if (role is None or u["role"] == role.value)
        and (branch is None or u["branch"] == branch)
        and (enabled is None or u["enabled"] == enabled)
        and (q is None or q.lower() in u["username"].lower())
    ]
    items, next_cursor = paged(rows, lambda u: (u["username"],), limit, cursor)
    return Page(items=[UserPublic.model_validate(u) for u in items], next_cursor=next_cursor)


@router.post("/users", status_code=201, dependencies=[ADMIN])
def add_user(
    body: UserCreate, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Open a personal staff account with one role."""
    result = engine.handler(StaffCommands).add_user(
        ctx, body.username, body.role, body.password, idem, branch=body.branch
    )
    return WriteResult.of(result)


@router.get("/users/{user_id}", dependencies=[ADMIN, Depends(fresh(StaffView))])
def get_user(user_id: UUID, engine: EngineDep) -> UserPublic:
    """One staff account."""
    user = engine.view(StaffView).get(engine.db, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return UserPublic.model_validate(user)


@router.post("/users/{user_id}/disable", dependencies=[ADMIN])
def disable_user(user_id: UUID, body: Disable, engine: EngineDep, ctx: ContextDep) -> WriteResult:
    """Disable an account: it can no longer log in, and its tokens stop working."""
    return WriteResult.of(engine.handler(StaffCommands).disable(ctx, user_id, body.reason))


@router.post("/users/{user_id}/enable", dependencies=[ADMIN])
def enable_user(user_id: UUID, engine: EngineDep, ctx: ContextDep) -> WriteResult:
    """Enable a disabled account."""
    return WriteResult.of(engine.handler(StaffCommands).enable(ctx, user_id))


@router.post("/users/{user_id}/password", dependencies=[ADMIN])
def reset_password(
    user_id: UUID, body: PasswordChange, engine: EngineDep, ctx: ContextDep
) -> WriteResult:
    """Set another account's password (administrators)."""
    return WriteResult.of(
        engine.handler(StaffCommands).change_password(ctx, user_id, body.new_password)
    )
