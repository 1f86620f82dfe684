"""Old topics stay readable: each resolves to the class standing for it now."""

from __future__ import annotations

from eventsourcing.utils import get_topic, resolve_topic

from adapters.shared.topics import MOVED, old_topics, register_moved_topics
from domain.clients.registry import Client


def test_every_moved_topic_names_a_class_by_its_topic_of_today() -> None:
    stale = [now for now in MOVED.values() if get_topic(resolve_topic(now)) != now]
    assert stale == []


def test_an_old_topic_resolves_to_the_class_of_today() -> None:
    register_moved_topics()
    assert resolve_topic("domain.risk:RiskAssessment.Assessed").__qualname__ == (
        "RiskAssessment.Assessed"
    )
    assert resolve_topic("domain.clients:Client.Registered") is Client.Registered


def test_a_class_knows_its_old_topics() -> None:
    assert old_topics(get_topic(Client.Registered)) == ("domain.clients:Client.Registered",)
    assert old_topics("no.such:Topic") == ()
