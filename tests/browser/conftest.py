"""The console in a real browser: Debian's chromium driven by Playwright, against the app
served by uvicorn on a free local port (workers on), with one account per role.

Screenshots go to ``var/screenshots/`` (not committed) for a reviewer to open."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from adapters.shared.settings import Settings
from api.app import create_app
from api.contexts import build_engine
from api.engine import Engine
from application.staff.commands import StaffCommands
from domain.shared.base import Context
from domain.staff.users import Role
from tests.conftest import open_branches
from tests.e2e.conftest import BRANCHES, PASSWORD
from tests.e2e.console import until

CHROMIUM = os.environ.get("ASSURE_TEST_BROWSER", "/usr/bin/chromium")
# As the machine's probe starts it: without the background-networking flags Chromium tries
# hosts this closed network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@dataclass
class Console:
    url: str
    engine: Engine

    def reached(self, position: int) -> None:
        """Until every view has applied ``position`` (a write's, made over the API): a
        page opened next shows it. A wait on the condition; the bound turns a hang into a
        failure."""
        until(
            self.engine.projector.status,
            lambda views: all(v["position"] >= position for v in views),
        )

    def shot(self, page: Page, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def console(settings: Settings) -> Iterator[Console]:
    """The app on a local port, with an account per role (their password: PASSWORD)."""
    engine = open_branches(build_engine(settings.model_copy(update={"run_workers": True})))
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="browser")
    staff = engine.handler(StaffCommands)
    for role in Role:
        staff.add_user(ctx, role.value, role, PASSWORD, branch=BRANCHES.get(role))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.02)
    assert server.started, "the server did not start"
    yield Console(url=f"http://127.0.0.1:{port}", engine=engine)
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Per module: Playwright's event loop runs in this thread while it lives, and the other
    tests run their own loops here."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium; a missing browser fails the tests (``make test`` installs it)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield browser
    browser.close()


# Each store in one of the two languages: both stores and both languages are covered, and
# a flow runs twice rather than four times.
STORE_AND_LANGUAGE = pytest.mark.parametrize(
    ("store_kind", "locale"), [("sqlite", "en-US"), ("postgres", "zh-CN")]
)
