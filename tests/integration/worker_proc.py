"""A projection worker in its own process, for the crash and standby tests.

Usage: python -m tests.integration.worker_proc SETTINGS_JSON MODE [ARG]
- ``kill-after N``: apply events slowly and SIGKILL itself in the middle of a batch, after
  applying N events (uncommitted).
- ``follow LEADER_FILE``: run the worker loop; write LEADER_FILE when it leads, and apply
  events slowly so that it can be killed mid-batch from outside.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from adapters.shared.settings import Settings
from api.contexts import build_engine
from domain.clients.registry import Client
from projections.clients.views import ClientsView
from projections.shared.worker import ProjectionWorker

applied = 0


class SlowClientsView(ClientsView):
    kill_after: int | None = None

    def _interactions(self, tx: Any, run: list[tuple[Client.InteractionLogged, int]]) -> None:
        """The view's own batched write, then as slow as one event at a time would be;
        killed once ``kill_after`` events are applied (and not yet committed)."""
        global applied  # noqa: PLW0603 - one counter for the whole process
        super()._interactions(tx, run)
        applied += len(run)
        time.sleep(0.002 * len(run))
        if self.kill_after is not None and applied >= self.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)


class ReportingLeadership:
    def __init__(self, inner: Any, leader_file: Path) -> None:
        self.inner = inner
        self.leader_file = leader_file

    def acquire(self) -> bool:
        leads = bool(self.inner.acquire())
        if leads and not self.leader_file.exists():
            self.leader_file.write_text(str(os.getpid()))
        return leads

    def release(self) -> None:
        self.inner.release()


def main() -> None:
    settings = Settings.model_validate_json(sys.argv[1])
    mode = sys.argv[2]
    engine = build_engine(settings)
    view = SlowClientsView()
    if mode == "kill-after":
        view.kill_after = int(sys.argv[3])
        ProjectionWorker(engine.store, engine.db, view, engine.worker_config).catch_up()
        sys.stdout.write(json.dumps({"finished": True}) + "\n")
        return
    leadership = ReportingLeadership(engine._leadership("projection:clients"), Path(sys.argv[3]))
    worker = ProjectionWorker(
        engine.store, engine.db, view, engine.worker_config, leadership=leadership
    )
    worker.run(threading.Event(), threading.Event())


if __name__ == "__main__":
    main()
