"""Branch scope over clients: an advisor reaches the clients of their own branch only, and
another branch's client answers 404, as one that does not exist."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from adapters.staff import TokenClaims
from api.engine import Engine
from api.shared.deps import CurrentUser, EngineDep, branch_scope
from application.clients.commands import ClientCommands
from domain.clients.registry import Client
from domain.shared.errors import NotFound


def check_client(engine: Engine, user: TokenClaims, client_id: UUID) -> Client:
    """The client, unless it does not exist or lies outside the user's scope (NotFound):
    read from the client itself, so a client registered a moment ago is in scope at once."""
    scope = branch_scope(user)
    client = engine.handler(ClientCommands).load(Client, client_id)
    if scope is not None and client.branch != scope:
        raise NotFound(f"client {client_id} not found")
    return client


def _client_in_scope(client_id: UUID, engine: EngineDep, user: CurrentUser) -> UUID:
    check_client(engine, user, client_id)
    return client_id


ClientId = Annotated[UUID, Depends(_client_in_scope)]
