"""Macros' routes: save, change and retire a canned reply (editors and administrators),
list them, and apply one to a ticket: its reply rendered and its actions, one change."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field, StringConstraints

from api.engine import Engine
from api.knowledge.routes import REVIEWERS
from api.service_desk import TicketId
from api.shared.deps import ContextDep, CurrentUser, EngineDep, IdempotencyDep, fresh, roles
from api.shared.schemas import Lines, MultiLine, OneLine, Strict, WriteResult, example
from application.clients import ClientCommands
from application.knowledge import MacroCommands
from application.service_desk import TicketCommands
from application.shared.common import CommandResult
from domain.clients import Client
from domain.knowledge import PLACEHOLDERS, Actions, Macro, MacroText, render
from domain.service_desk import Priority, Status, Ticket
from domain.shared.base import Context
from domain.staff import Role
from projections.knowledge import KnowledgeView

router = APIRouter(prefix="/api/v1", tags=["knowledge"])
DESK = Depends(roles(Role.ADMIN, Role.AGENT, Role.ADVISOR, Role.EDITOR))
MacroId = Annotated[UUID, Path(description="a macro's id")]


class ActionsIn(Strict):
    status: Status | None = None
    priority: Priority | None = None
    group: Literal["client_centre", "branch", "headquarters"] | None = Field(
        default=None, description="the service layer the ticket goes to"
    )


class MacroIn(Strict):
    model_config = example(
        {
            "name": "密码重置指引",
            "body": "{client.name}您好：请在登录页点击“忘记密码”完成重置。工单 {ticket.number}，"
            "处理人 {agent.name}。",
            "public": True,
            "actions": {"status": "pending_client"},
        }
    )

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), OneLine
    ]
    body: Annotated[
        str,
        StringConstraints(min_length=1, max_length=10_000),
        Lines,
        MultiLine(),
        Field(description=f"placeholders: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"),
    ]
    public: bool = True
    actions: ActionsIn = ActionsIn()

    def text(self) -> MacroText:
        return MacroText(
            name=self.name,
            body=self.body,
            public=self.public,
            actions=Actions(**self.actions.model_dump()),
        )


class MacroPublic(BaseModel):
    id: UUID
    name: str
    body: str
    public: bool
    actions: dict[str, str]
    retired: bool
    version: int


@router.post("/macros", status_code=201, dependencies=[REVIEWERS])
def save_macro(
    body: MacroIn, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep, response: Response
) -> WriteResult:
    """A new macro; a placeholder the desk cannot fill is a 422 naming ``body``."""
    result = engine.handler(MacroCommands).save(ctx, body.text(), idem)
    response.headers["Location"] = f"/api/v1/macros/{result.id}"
    return WriteResult.of(result)


@router.put("/macros/{macro_id}", dependencies=[REVIEWERS])
def change_macro(
    macro_id: MacroId, body: MacroIn, engine: EngineDep, ctx: ContextDep
) -> WriteResult:
    """Replace the macro's name, reply and actions."""
    return WriteResult.of(engine.handler(MacroCommands).change(ctx, macro_id, body.text()))


@router.post("/macros/{macro_id}/retire", dependencies=[REVIEWERS])
def retire_macro(macro_id: MacroId, engine: EngineDep, ctx: ContextDep) -> WriteResult:
    return WriteResult.of(engine.handler(MacroCommands).retire(ctx, macro_id))


@router.get("/macros", dependencies=[DESK, Depends(fresh(KnowledgeView))])
def list_macros(engine: EngineDep) -> list[MacroPublic]:
    """The macros in use, by name."""
    return [MacroPublic.model_validate(m) for m in engine.view(KnowledgeView).macros(engine.db)]


def placeholders(engine: Engine, ticket_id: UUID, username: str) -> dict[str, str]:
    """What a macro's placeholders say for this ticket and agent, read from the records
    themselves (a ticket opened a moment ago, before the views have it, included)."""
    desk = engine.handler(TicketCommands)
    opened = desk.first_event(ticket_id, Ticket.Opened)
    client = opened.client_id
    name = engine.handler(ClientCommands).load(Client, client).name if client else ""
    return {
        "client.name": name,
        "client.branch": opened.branch or "",
        "ticket.number": opened.number,
        "ticket.subject": opened.subject,
        "ticket.type": opened.type.value,
        "agent.name": username,
    }


@router.post("/tickets/{ticket_id}/macros/{macro_id}", dependencies=[DESK])
def apply_macro(
    ticket_id: TicketId,
    macro_id: MacroId,
    engine: EngineDep,
    ctx: ContextDep,
    user: CurrentUser,
) -> WriteResult:
    """Reply with the macro (its placeholders filled in) and apply its actions, as one
    change of the ticket: one version, one history entry."""
    return WriteResult.of(applied(engine, ctx, ticket_id, macro_id, user.username))


def applied(
    engine: Engine, ctx: Context, ticket_id: UUID, macro_id: UUID, username: str
) -> CommandResult:
    """The macro applied to the ticket by ``username``."""
    macro = engine.handler(MacroCommands).load(Macro, macro_id).usable()
    body = render(macro.body, placeholders(engine, ticket_id, username))
    a = macro.actions
    return engine.handler(TicketCommands).apply_macro(
        ctx,
        ticket_id,
        (macro_id, macro.name),
        (body, macro.public),
        (a.status, a.priority, a.group),
    )
