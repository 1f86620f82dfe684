"""structlog: JSON in production, console otherwise; correlation ids from contextvars.

No personal data in logs: callers log ids, names of things and error types, never values;
and an exception is logged with its type and stack but without its message, which may
quote data (a database error's DETAIL names the duplicate key's values, a validation error
the input).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from adapters.shared.settings import Settings


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.env == "production"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            exception_without_message,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def exception_without_message(
    _: Any, __: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Render ``exc_info`` as the stack and the exception types of its chain, no messages."""
    exc_info = event.pop("exc_info", None)
    if exc_info is None or exc_info is False:
        return event
    if exc_info is True:
        exc_info = sys.exc_info()
    error = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    if not isinstance(error, BaseException):
        return event
    lines: list[str] = []
    seen: BaseException | None = error
    while seen is not None:
        frames = traceback.format_list(traceback.extract_tb(seen.__traceback__))
        lines[:0] = [
            "Traceback (most recent call last):\n",
            *frames,
            f"{type(seen).__qualname__}\n",
        ]
        seen = seen.__cause__ or seen.__context__
    event["exception"] = "".join(lines).rstrip()
    return event
