"""The segment job's commands on each store: clients saved in batches, and a batch that
meets a concurrent change done again client by client, losing neither."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from api.engine import Engine
from application.clients.commands import ClientCommands
from application.clients.coverage import Cover, CoverageCommands
from domain.clients import Client
from domain.shared.base import Context
from tests.conftest import client_fields


def test_given_a_client_changed_during_the_batch_then_both_changes_are_kept(
    engine: Engine, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients = engine.handler(ClientCommands)
    ids = [clients.register(ctx, **client_fields()).id for _ in range(3)]
    commands = engine.handler(CoverageCommands)
    loaded = commands.load

    def load_then_someone_retags(cls: type[Any], aggregate_id: UUID, *args: Any) -> Any:
        found = loaded(cls, aggregate_id, *args)
        if aggregate_id == ids[1] and not found.tags:  # an advisor, at the same moment
            clients.retag(ctx, aggregate_id, ["vip"], [])
        return found

    monkeypatch.setattr(commands, "load", load_then_someone_retags)
    changes = [Cover(i, ["dormant"], {"days_since_interaction": "120"}, ["dormant"]) for i in ids]
    # When the job's batch of three meets the advisor's change to the second client
    assert commands.cover(ctx, changes, batch=10) == 3
    # Then every client entered the segment, and the advisor's tag stayed
    for client_id in ids:
        client = commands.load(Client, client_id)
        assert client.segments == ["dormant"]
    assert commands.load(Client, ids[1]).tags == ["vip"]
    # And the job again finds nothing to record
    assert commands.cover(ctx, changes, batch=10) == 0
