"""Request and response schemas of the API, apart from the domain's events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

from application.shared.common import CommandResult

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


Person = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,29}$")
]


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


IdNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{6,32}$")]


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WriteResult(BaseModel):
    id: UUID
    version: int
    position: int

    @classmethod
    def of(cls, result: CommandResult) -> WriteResult:
        return cls(id=result.id, version=result.version, position=result.position)


class ProjectionHealth(BaseModel):
    name: str
    position: int
    lag: int
    parked: int


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    store_reachable: bool
    head: int | None
    projections: list[ProjectionHealth]


class ParkedEvent(BaseModel):
    position: int
    topic: str
    originator_id: str
    originator_version: int
    error: str
    attempts: int
    parked_at: datetime


class ProjectionStatus(BaseModel):
    name: str
    position: int
    head: int
    lag: int
    parked: list[ParkedEvent]
