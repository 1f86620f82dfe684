"""Health and projection operations."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from api.shared.deps import EngineDep, roles
from api.shared.schemas import Cursor, Health, Limit, Page, ProjectionHealth, ProjectionStatus
from domain.shared.errors import NotFound
from domain.staff import Role
from projections.shared.paging import paged

router = APIRouter(tags=["operations"])


@router.get(
    "/health",
    responses={
        503: {"model": Health, "description": "The store does not answer (the body says so)"}
    },
)
def health(engine: EngineDep, response: Response) -> Health:
    """Whether the store answers, and how far behind each view is. No token needed."""
    try:
        head: int | None = engine.store.head()
        status = engine.projector.status()
    except Exception:  # noqa: BLE001 - an unreachable store is the answer, not an error
        response.status_code = 503
        return Health(status="degraded", store_reachable=False, head=None, projections=[])
    projections = [
        ProjectionHealth(
            name=s["name"], position=s["position"], lag=s["lag"], parked=len(s["parked"])
        )
        for s in status
    ]
    degraded = any(p.parked for p in projections)
    return Health(
        status="degraded" if degraded else "ok",
        store_reachable=True,
        head=head,
        projections=projections,
    )


@router.get("/api/v1/projections", dependencies=[Depends(roles(Role.ADMIN))])
def projection_status(
    engine: EngineDep, limit: Limit = 100, cursor: Cursor = None
) -> Page[ProjectionStatus]:
    """Position, lag and parked events of every view, by name."""
    items, next_cursor = paged(engine.projector.status(), lambda s: (s["name"],), limit, cursor)
    return Page(items=[ProjectionStatus.model_validate(s) for s in items], next_cursor=next_cursor)


@router.post("/api/v1/projections/{name}/retry", dependencies=[Depends(roles(Role.ADMIN))])
def retry_parked(name: str, engine: EngineDep) -> dict[str, int]:
    """Apply a view's parked events again; those that now work leave the dead letters."""
    worker = engine.projector.workers.get(name)
    if worker is None:
        raise NotFound(f"projection {name} not found")
    return {"retried": worker.retry_parked()}
