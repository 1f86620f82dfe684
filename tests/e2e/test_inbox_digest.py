"""The inbox's daily digest over a real SMTP connection (a local aiosmtpd sink): one
message a day per person with an address and unread notifications, in their language,
from the digest hour; none without ``ASSURE_SMTP_URL``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from adapters.shared.clock import Clock
from adapters.shared.settings import Settings
from application.clients.commands import ClientCommands
from application.staff import StaffCommands
from domain.shared.base import Context
from domain.staff import StaffUser
from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields
from tests.e2e.console import EN, post_form, sign_in

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    with socket.socket() as probe:  # a free port (the controller checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def clock() -> Clock:
    return lambda: NOW


@pytest.fixture
def settings(settings: Settings, sink: tuple[Sink, int]) -> Settings:
    url = SecretStr(f"smtp://127.0.0.1:{sink[1]}")
    return settings.model_copy(update={"smtp_url": url, "mail_from": "assure@broker.example"})


def given_overdue_clients(api: Api, n: int) -> None:
    clients = api.engine.handler(ClientCommands)
    ctx = Context(actor="system:test", at=NOW - timedelta(days=200), correlation_id="given")
    for _ in range(n):
        clients.register(ctx, **client_fields())


def test_each_person_gets_one_digest_a_day_in_their_language(
    api: Api, sink: tuple[Sink, int]
) -> None:
    messages = sink[0].messages
    # Given the advisor's address, in Chinese, and two clients overdue for contact
    advisor = api.users["advisor"]
    done = api.call("POST", "/api/v1/auth/email", "advisor", json={"email": "li.na@broker.cn"})
    assert done.status_code == 200, done.text
    ctx = Context(actor=str(advisor), at=NOW, correlation_id="c")
    api.engine.handler(StaffCommands).prefer(ctx, advisor, "zh_CN", None)
    given_overdue_clients(api, 2)
    assert api.engine.tick(NOW - timedelta(hours=2))["digest"] == 0  # 07:00: too early
    api.engine.projector.catch_up()
    # When the scheduler ticks at 09:00, and again
    assert api.engine.tick(NOW)["digest"] == 1
    assert api.engine.tick(NOW + timedelta(hours=3))["digest"] == 0
    # Then the advisor got one message, in Chinese, listing the four unread
    [mail] = messages
    assert (mail["To"], mail["From"]) == ("li.na@broker.cn", "assure@broker.example")
    assert str(make_header(decode_header(mail["Subject"]))) == "Assure：4 条未读通知"
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert body.count("Chen Jing 应于") == 2
    assert "须在" in body
    # And the next day, with nothing new unread... still unread: another digest
    assert api.engine.tick(NOW + timedelta(days=1))["digest"] == 1
    # When everything is read, no digest comes the day after
    api.call("POST", "/api/v1/inbox/read-all", "advisor")
    api.engine.projector.catch_up()
    assert api.engine.tick(NOW + timedelta(days=2))["digest"] == 0
    assert len(messages) == 2
    # And a bad address is refused, naming the field; null removes it
    bad = api.call("POST", "/api/v1/auth/email", "advisor", json={"email": "not an address"})
    assert invalid_fields(bad) == ["email"]
    assert (
        api.call("POST", "/api/v1/auth/email", "advisor", json={"email": None}).status_code == 200
    )


def test_a_digest_the_server_refuses_is_sent_at_a_later_tick(
    api: Api, sink: tuple[Sink, int]
) -> None:
    # Given an address and an unread notification, and the mail server down
    api.call("POST", "/api/v1/auth/email", "advisor", json={"email": "li.na@broker.cn"})
    given_overdue_clients(api, 1)
    api.engine.tick(NOW - timedelta(hours=2))
    api.engine.projector.catch_up()
    up = api.engine.settings.smtp_url
    closed = SecretStr("smtp://127.0.0.1:9")  # nothing listens on the discard port
    api.engine.settings = api.engine.settings.model_copy(update={"smtp_url": closed})
    # When the scheduler ticks, nothing is sent nor recorded as sent
    assert api.engine.tick(NOW)["digest"] == 0
    # Then, the server back, the next tick sends the day's digest
    api.engine.settings = api.engine.settings.model_copy(update={"smtp_url": up})
    assert api.engine.tick(NOW + timedelta(minutes=1))["digest"] == 1
    assert len(sink[0].messages) == 1


def test_the_digest_address_is_kept_in_ones_preferences(api: Api) -> None:
    sign_in(api, "advisor")
    page = api.http.get("/preferences", headers=EN).text
    assert "E-mail for the daily digest of your inbox" in page
    assert "This service sends no e-mail yet." not in page  # ASSURE_SMTP_URL is set
    # A bad address is refused inline, and nothing else of the form is kept
    bad = post_form(api, "/preferences", "/preferences", {"email": "li.na", "zone": "UTC"})
    assert bad.status_code == 422
    assert 'id="email-error"' in bad.text
    account = api.engine.handler(StaffCommands).load(StaffUser, api.users["advisor"])
    assert (account.email, account.time_zone) == (None, None)
    # A good one is kept
    done = post_form(api, "/preferences", "/preferences", {"email": " li.na@broker.cn "})
    assert done.status_code == 303, done.text
    account = api.engine.handler(StaffCommands).load(StaffUser, api.users["advisor"])
    assert account.email == "li.na@broker.cn"
