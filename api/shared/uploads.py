"""What every file import's routes share: the uploaded text, and the list of runs."""

from __future__ import annotations

from datetime import datetime

from fastapi import UploadFile

from api.engine import Engine
from api.shared.schemas import ImportPublic, Page
from api.staff import People
from domain.shared.errors import InvalidField
from domain.shared.imports import ImportKind
from projections.shared.imports import ImportsView


async def uploaded_text(file: UploadFile) -> str:
    """The file as text: UTF-8, a byte-order mark dropped (422 ``file`` otherwise)."""
    try:
        return (await file.read()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidField("file", "is not UTF-8 text") from None


def import_runs(
    engine: Engine,
    kind: ImportKind,
    now: datetime,
    people: People,
    page: tuple[int, str | None],
) -> Page[ImportPublic]:
    """One kind of file's imports, the latest first, each named by who started it."""
    limit, cursor = page
    rows, next_cursor = engine.view(ImportsView).recent(engine.db, kind, limit, cursor)
    return Page(
        items=[ImportPublic.of(row, now) for row in people.named(rows, "started_by")],
        next_cursor=next_cursor,
    )
