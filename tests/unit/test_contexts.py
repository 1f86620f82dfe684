"""Each bounded context declares its parts once, and the declarations are complete."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

import domain
from adapters.shared.settings import Settings
from api.contexts import CONTEXTS
from api.shared.context import Aggregated, BoundedContext, Job, Registry
from domain.inbox import Inbox
from domain.service_desk.numbers import TicketNumbers
from domain.shared.base import Aggregate
from domain.staff.logins import LoginAttempt
from domain.staff.users import StaffUser
from projections.staff.views import StaffView

# Aggregates with no history route of their own: a counter, and staff accounts (whose
# changes compliance reads in the audit log).
# Index aggregates, accounts and the login record: read through their views, not as history.
# A person's inbox is their own (read marks, digests): no one else's history lists it.
WITHOUT_HISTORY = {TicketNumbers, StaffUser, LoginAttempt, Inbox}


def every_aggregate_class() -> set[type[Aggregate]]:
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)

    def walk(cls: type[Any]) -> Iterator[type[Any]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    # The keys (unique claims, command receipts) are the store's own bookkeeping.
    return {c for c in walk(Aggregate) if c.__module__ != "domain.shared.keys"}


def waited_for(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield from getattr(dependency.call, "views", ())
        yield from waited_for(dependency)


def test_every_aggregate_of_the_domain_is_declared_by_one_context() -> None:
    declared = [a.cls for c in CONTEXTS for a in c.aggregates]
    assert sorted(c.__name__ for c in declared) == sorted(
        c.__name__ for c in every_aggregate_class()
    )


def test_every_declared_aggregate_has_a_history_kind_but_the_named_ones() -> None:
    without = {a.cls for c in CONTEXTS for a in c.aggregates if a.history is None}
    assert without == WITHOUT_HISTORY


def test_every_view_has_a_route_of_its_context_that_can_wait_for_it() -> None:
    registry = Registry(CONTEXTS)
    for context in CONTEXTS:
        routers = [r if isinstance(r, APIRouter) else r(registry) for r in context.routers]
        waited = {
            view
            for router in routers
            for route in router.routes
            if isinstance(route, APIRoute)
            for view in waited_for(route.dependant)
        }
        missing = [v.name for v in context.views if v not in waited]
        assert missing == [], f"{context.name}: no route waits for {missing}"


def test_the_default_snapshot_intervals_are_the_documented_ones() -> None:
    intervals = Registry(CONTEXTS).snapshot_intervals({})
    assert {cls.__name__: n for cls, n in intervals.items()} == {
        "Client": 50,
        "StaffUser": 20,
        "Fund": 10,
        "Ticket": 50,
        "TicketNumbers": 50,
        "Supplier": 20,
        "CQPPlan": 20,
        "FileImport": 50,
        "Portfolio": 100,
        "Inbox": 50,
        "Article": 20,
    }


def test_a_setting_overrides_a_declared_interval_and_may_not_name_an_unknown_aggregate() -> None:
    registry = Registry(CONTEXTS)
    client = registry.by_kind["clients"].cls
    assert registry.snapshot_intervals({"Client": 2})[client] == 2
    assert client not in registry.snapshot_intervals({"Client": 0})
    with pytest.raises(ValueError, match="Clint"):
        registry.snapshot_intervals({"Clint": 2})


def test_every_view_is_configured_by_the_settings() -> None:
    settings = Settings(env="test")
    for view in Registry(CONTEXTS).views:
        assert isinstance(view.configured(settings), view)


def noop(_: Any, __: Any) -> int:
    return 0


@pytest.mark.parametrize(
    ("twice", "message"),
    [
        (BoundedContext("a", views=(StaffView,)), "view declared twice: staff"),
        (BoundedContext("a", jobs=(Job("assessments", noop),)), "job declared twice: assessments"),
        (
            BoundedContext("a", aggregates=(Aggregated(TicketNumbers, history="clients"),)),
            "declared twice",
        ),
        (BoundedContext("clients"), "context declared twice: clients"),
    ],
)
def test_a_part_declared_twice_is_refused(twice: BoundedContext, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Registry([*CONTEXTS, twice])
