"""The FastAPI application: middleware, error handlers, routers."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response

from api import errors
from api.engine import Engine
from api.routes import clients, ops, staff

log = structlog.get_logger(__name__)
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def create_app(engine: Engine) -> FastAPI:
    """Build the app around an engine; the lifespan starts and closes it."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        engine.start()
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(
        title="Assure",
        version="0.1.0",
        lifespan=lifespan,
        description="Event-sourced assurance engine: client registry and more.",
    )
    app.state.engine = engine
    errors.install(app)
    app.middleware("http")(_correlate)
    for router in (staff.router, clients.router, ops.router):
        app.include_router(router)
    return app


async def _correlate(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Give every request a correlation id (kept from the caller when well-formed)."""
    given = request.headers.get("X-Correlation-ID", "")
    correlation_id = given if SAFE_ID.match(given) else str(uuid.uuid4())
    request.state.correlation_id = correlation_id
    request.state.request_id = str(uuid.uuid4())
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
    started = time.perf_counter()
    try:
        response = await call_next(request)
    finally:
        structlog.contextvars.unbind_contextvars("correlation_id")
    response.headers["X-Correlation-ID"] = correlation_id
    log.info(
        "request",
        method=request.method,
        path=request.url.path,
        status=response.status_code,
        correlation_id=correlation_id,
        ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return response
