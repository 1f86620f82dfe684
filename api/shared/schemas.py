"""Request and response schemas of the API, apart from the domain's events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from application.shared.common import CommandResult

T = TypeVar("T")

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\t\n\r]")


def _one_line(text: str) -> str:
    if CONTROL.search(text) or LINE_BREAKS.search(text):
        msg = "control characters (line breaks and tabs included) are not allowed"
        raise ValueError(msg)
    return text


def _lines(text: str) -> str:
    if CONTROL.search(text):
        msg = "control characters are not allowed (line breaks and tabs are)"
        raise ValueError(msg)
    return text


@dataclass(frozen=True)
class MultiLine:
    """Marks a text type that takes line breaks and tabs."""


OneLine = AfterValidator(_one_line)
Lines = AfterValidator(_lines)


Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Lines, MultiLine()]


Person = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), OneLine
]


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]


Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,29}$")
]


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    OneLine,
]


Address = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), OneLine
]


IdNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{6,32}$")]


Short = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), OneLine
]


Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    Lines,
    MultiLine(),
]


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    Lines,
    MultiLine(),
]


class Page(BaseModel, Generic[T]):
    """One page of a list: its items, and the cursor of the next page."""

    items: list[T]
    next_cursor: str | None = Field(
        description="pass it as ``cursor`` for the next page; null on the last page"
    )


FromDay = Annotated[date | None, Query(alias="from", description="from this day (inclusive)")]
ToDay = Annotated[date | None, Query(alias="to", description="to this day (inclusive)")]
Limit = Annotated[int, Query(ge=1, le=500, description="the most items one page holds")]
Cursor = Annotated[
    str | None,
    Query(max_length=500, description="the ``next_cursor`` of the page before; none: the first"),
]


def example(values: dict[str, Any], **schema: Any) -> ConfigDict:
    """A request model's one example, shown in the API's documentation (and sent by the
    fuzz test as its first case); ``schema``: more JSON Schema the model's fields cannot say."""
    return ConfigDict(json_schema_extra={"examples": [values], **schema})


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


def duration_text(seconds: float) -> str:
    """A duration as people say it: "2 d 3 h", "3 h 20 min", "5 min", "overdue 1 h 5 min"."""
    minutes = int(abs(seconds) // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        text = f"{days} d {hours} h" if hours else f"{days} d"
    elif hours:
        text = f"{hours} h {mins} min" if mins else f"{hours} h"
    else:
        text = f"{mins} min"
    return f"overdue {text}" if seconds < 0 else text


class ImportReport(BaseModel):
    rows: int
    published: int
    corrected: int
    unchanged: int
    position: int


STALLED = timedelta(minutes=1)  # an unfinished import this long without progress was cut short


class ImportPublic(BaseModel):
    """A file import's latest run, and whether it completed, runs, or was cut short."""

    id: UUID
    filename: str
    digest: str
    status: Literal["running", "interrupted", "completed"]
    rows: int
    applied: int
    runs: int
    started_by: str = Field(description="the username of who started the latest run")
    started_by_id: str
    started_at: datetime
    progressed_at: datetime
    previous_run_stopped_at: int | None  # rows the run before this one had applied
    published: int | None
    corrected: int | None
    unchanged: int | None

    @classmethod
    def of(cls, row: dict[str, Any], now: datetime) -> ImportPublic:
        progressed = datetime.fromisoformat(row["progressed_at"])
        status = (
            "completed"
            if row["completed"]
            else "interrupted"
            if now - progressed > STALLED
            else "running"
        )
        return cls.model_validate(
            {
                **row,
                "status": status,
                "rows": row["rows_total"],
                "previous_run_stopped_at": row["interrupted_at"],
            }
        )
