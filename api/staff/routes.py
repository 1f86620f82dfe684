"""Login, and staff accounts (administrators only, but for one's own password)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from adapters.shared.clock import system_clock
from adapters.staff.auth import TokenClaims
from api.shared.deps import ContextDep, CurrentUser, EngineDep, IdempotencyDep, fresh, roles
from api.shared.schemas import WriteResult
from api.staff.schemas import Disable, PasswordChange, Token, UserCreate, UserPublic
from application.staff.commands import StaffCommands
from domain.shared.errors import NotFound
from domain.staff.users import Role
from projections.staff.views import StaffView

router = APIRouter(prefix="/api/v1", tags=["staff"])
ADMIN = Depends(roles(Role.ADMIN))


@router.post("/auth/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], engine: EngineDep) -> Token:
    """Exchange a username and password for a bearer token (8 hours by default)."""
    user = engine.handler(StaffCommands).authenticate(form.username, form.password)
    claims = TokenClaims(
        user_id=str(user.id), username=user.username, role=user.role.value, branch=user.branch
    )
    # Tokens live on the system clock: the JWT library checks their expiry against it.
    token = engine.tokens.issue(claims, system_clock())
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


@router.get("/users", dependencies=[ADMIN, Depends(fresh(StaffView))])
def list_users(engine: EngineDep) -> list[UserPublic]:
    """Every staff account."""
    return [UserPublic.model_validate(u) for u in engine.view(StaffView).all(engine.db)]


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
