"""The compliance officer's audit pages: the audit log searched by actor, aggregate, type
and period (with its CSV), the hash chain's status with a button to verify it now, and any
record's history with its state at a chosen instant, what changed since highlighted."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.compliance.history import shown
from api.shared.console.desk import Desk, staff
from api.shared.console.exports import csv_file
from api.staff import People
from application.compliance.history import History, state_of
from domain.shared.errors import InvalidField
from domain.staff import Role
from projections.compliance.audit import AuditView, chain_heads, verify

router = APIRouter(include_in_schema=False)
Auditors = Annotated[Desk, Depends(staff(Role.ADMIN, Role.COMPLIANCE, reads=(AuditView,)))]
Text = Annotated[str | None, Query(max_length=200)]
PAGE = 100
EXPORT_LIMIT = 100_000


def _search(
    desk: Desk,
    actor: str | None,
    aggregate: str | None,
    type_: str | None,
    start: date | None,
    end: date | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None, dict[str, Any]]:
    if start and end and end < start:
        raise InvalidField("to", "must not be before from")
    if aggregate:
        try:
            UUID(aggregate)
        except ValueError:
            raise InvalidField("aggregate", "must be an aggregate's id") from None
    if cursor and not cursor.isdigit():
        raise InvalidField("cursor", "is not a position")
    people, f = People.of(desk.engine), desk.formats
    rows, next_cursor = desk.engine.view(AuditView).search(
        desk.engine.db,
        actor=people.id_of(actor, "actor") if actor else None,
        aggregate_id=aggregate or None,
        type=type_ or None,
        start=f.midnight(start) if start else None,
        end=f.midnight(end + timedelta(days=1)) if end else None,
        limit=limit,
        cursor=cursor,
    )
    chosen = {"actor": actor, "aggregate": aggregate, "type": type_, "from": start, "to": end}
    return people.named(rows, "actor"), next_cursor, {k: v for k, v in chosen.items() if v}


@router.get("/compliance/audit")
def audit(
    desk: Auditors,
    actor: Text = None,
    aggregate: Text = None,
    type: Text = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Who did what to which record, when, in which request; and the chain's status."""
    rows, next_cursor, chosen = _search(desk, actor, aggregate, type, start, end, PAGE, cursor)
    chain_head, store_head = chain_heads(desk.engine.store)
    return desk.page(
        "compliance/audit.html",
        rows=rows,
        next_cursor=next_cursor,
        chosen=chosen,
        chain_head=chain_head,
        store_head=store_head,
        last=getattr(desk.request.app.state, "last_verification", None),
    )


@router.get("/compliance/audit.csv")
def audit_csv(
    desk: Auditors,
    actor: Text = None,
    aggregate: Text = None,
    type: Text = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """The search as CSV (UTF-8 with BOM), times in the reader's zone."""
    rows, _, _ = _search(desk, actor, aggregate, type, start, end, EXPORT_LIMIT, None)
    f = desk.formats
    return csv_file(
        "audit",
        ["position", "at", "actor", "type", "aggregate_id", "version", "correlation_id"],
        (
            [
                r["position"],
                f.local_input(r["at"]).replace("T", " "),
                r["actor"],
                r["type"],
                r["aggregate_id"],
                r["version"],
                r["correlation_id"],
            ]
            for r in rows
        ),
    )


@router.post("/compliance/audit/verify")
async def verify_now(desk: Auditors) -> Response:
    """Recompute the chain now; the audit page shows the result until the next one."""
    report = await run_in_threadpool(verify, desk.engine.store)
    desk.request.app.state.last_verification = {
        **asdict(report),
        "at": desk.engine.clock(),
        "by": desk.me.username,
    }
    return desk.redirect("/compliance/audit#chain")


@router.get("/compliance/history")
def history(
    desk: Auditors,
    kind: Text = None,
    ref: Text = None,
    at: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """A record's history with actors by username; with ``at`` (a local date and time),
    its state then beside its state now, the fields changed since marked."""
    kinds = sorted(desk.engine.registry.by_kind)
    values: dict[str, Any] = {"kinds": kinds, "kind": kind, "ref": ref, "at": at}
    if not (kind and ref):
        return desk.page("compliance/history.html", **values, events=None)
    if kind not in desk.engine.registry.by_kind:
        raise InvalidField("kind", f"must be one of {', '.join(kinds)}")
    declared = desk.engine.registry.by_kind[kind]
    ident = declared.ref(ref)
    store = desk.engine.handler(History)
    events = store.events(declared.cls, ident)
    now_state = state_of(store.at_version(declared.cls, ident, events[-1].version))
    then_state = None
    if at:
        instant = _local(desk, at)
        then_state = state_of(store.as_of(declared.cls, ident, instant))
    fields = list(dict.fromkeys([*now_state, *(then_state or {})]))
    changed = {
        k for k in fields if then_state is not None and then_state.get(k) != now_state.get(k)
    }
    return desk.page(
        "compliance/history.html",
        **values,
        events=list(reversed(shown(People.of(desk.engine), events))),
        fields=fields,
        now_state=now_state,
        then_state=then_state,
        changed=changed,
    )


def _local(desk: Desk, text: str) -> datetime:
    """A ``datetime-local`` value, read in the reader's time zone."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidField("at", "must be a date and time") from None
    return desk.formats.local(naive)
