"""The command line's output helpers: progress bars with counts and rates on a terminal,
nothing when standard error is not one; instants in the machine's own zone."""

from __future__ import annotations

import io
import sys
import time
from datetime import UTC, datetime

import pytest

from api import terminal
from domain.shared.progress import quiet


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_task_shows_its_bar_with_count_and_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given standard error is a terminal
    screen = Tty()
    monkeypatch.setattr(sys, "stderr", screen)
    # When a task reports its progress
    with terminal.progress() as track:
        track("clients", 0, 300)
        time.sleep(0.01)
        track("clients", 150, 300)
        track("clients", 300, 300)
    # Then its bar shows what it is, how far it got, and how fast
    shown = screen.getvalue()
    assert "clients" in shown
    assert "300/300" in shown
    assert "/s" in shown


def test_no_bar_when_not_on_a_terminal_or_asked_for_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with terminal.progress() as track:
        assert track is quiet
    monkeypatch.setattr(sys, "stderr", Tty())
    with terminal.progress(shown=False) as track:
        assert track is quiet


def test_instants_are_shown_in_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert terminal.local(datetime(2026, 12, 1, 1, 30, tzinfo=UTC)) == "2026-12-01 09:30 CST"
        assert terminal.local("2026-12-01T01:30:00+00:00") == "2026-12-01 09:30 CST"
        assert terminal.local(None) == ""
    finally:
        monkeypatch.undo()
        time.tzset()
