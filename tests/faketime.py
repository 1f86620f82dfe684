"""Run the suite on another day: ``TESTS_FAKE_NOW=2028-02-29T23:40:00+00:00 pytest``.

The test process and every process it starts (``python -m tests.faketime MODULE ...``) move
their clocks by the same offset from the real one (time-machine, ticking), so tokens,
events and "now" agree across processes. Without the variable nothing is changed.
"""

from __future__ import annotations

import os
import runpy
import sys
from datetime import UTC, datetime, timedelta

import time_machine

FAKE_NOW = "TESTS_FAKE_NOW"
OFFSET = "TESTS_CLOCK_OFFSET_SECONDS"


def start() -> None:
    """Move this process's clock if asked; the first process fixes the offset for all."""
    if FAKE_NOW not in os.environ and OFFSET not in os.environ:
        return
    real = datetime.now(UTC)
    if OFFSET not in os.environ:
        fake = datetime.fromisoformat(os.environ[FAKE_NOW])
        os.environ[OFFSET] = str((fake - real).total_seconds())
    offset = timedelta(seconds=float(os.environ[OFFSET]))
    time_machine.travel(real + offset, tick=True).start()


def python_module(module: str, *args: str) -> list[str]:
    """The command line that runs ``python -m module args`` on the suite's clock."""
    if OFFSET in os.environ:
        return [sys.executable, "-m", "tests.faketime", module, *args]
    return [sys.executable, "-m", module, *args]


if __name__ == "__main__":
    start()
    module, sys.argv = sys.argv[1], sys.argv[1:]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
