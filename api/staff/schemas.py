"""Request and response schemas of the API, apart from the domain's events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from api.shared.schemas import OneLine, Reason, Short, Strict, example
from application.staff.commands import MIN_PASSWORD_LENGTH
from domain.staff.users import Role


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserCreate(Strict):
    model_config = example(
        {
            "username": "advisor.zhang",
            "role": "advisor",
            "password": "a long passphrase of 12+",
            "branch": "SH-LUJIAZUI",
        }
    )

    username: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64), OneLine
    ]
    role: Role
    password: Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=200)]
    branch: Short | None = None


class UserPublic(BaseModel):
    id: UUID
    username: str
    role: Role
    enabled: bool
    version: int
    branch: str | None
    created_at: datetime


class DigestAddress(Strict):
    model_config = example({"email": "li.na@broker.example.cn"})

    email: Annotated[str, StringConstraints(max_length=254), OneLine] | None = Field(
        description="where the inbox's daily digest goes; null: no digest"
    )


class PasswordChange(Strict):
    model_config = example(
        {"current_password": "the old passphrase", "new_password": "a new long passphrase"}
    )

    current_password: str | None = None
    new_password: Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=200)]


class Disable(Strict):
    model_config = example({"reason": "left the firm"})

    reason: Reason


class BranchCreate(Strict):
    model_config = example({"code": "CD-GAOXIN", "name": "Chengdu Gaoxin"})

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]
    name: Short


class BranchPublic(BaseModel):
    code: str
    name: str
    opened_at: datetime


class LoginRecord(BaseModel):
    at: datetime
    username: str
    address: str
    outcome: Literal["failed", "throttled"]
    reason: str | None
    retry_after: int | None
