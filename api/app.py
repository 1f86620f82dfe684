"""The FastAPI application: middleware, error handlers, routers."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.engine import Engine
from api.shared import errors, openapi, ops
from api.shared.console import pages as console
from api.shared.limits import BodyLimit
from api.shared.waits import PositionWaits

log = structlog.get_logger(__name__)
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
DESCRIPTION = """Event-sourced assurance engine: client registry, risk assessment, fund
catalogue, suitability, service desk, supplier quality and CQP.

Sign in with ``POST /api/v1/auth/token`` (the demo's accounts: ``assure demo users``) and send
``Authorization: Bearer <token>``. Every write answers its ``position``; a read given
``?min_position=`` waits until its views have reached it (read-your-writes). Lists answer
``{items, next_cursor}``: pass ``next_cursor`` as ``cursor`` for the next page. Every error is
``application/problem+json``; a 422 names each field in ``errors``."""


def create_app(engine: Engine) -> FastAPI:
    """Build the app around an engine; the lifespan starts and closes it."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        engine.start()
        try:
            yield
        finally:
            engine.close()

    # /docs and /redoc with their scripts served from here, never from a CDN.
    app = FastAPIOffline(
        title="Assure",
        version="0.1.0",
        lifespan=lifespan,
        description=DESCRIPTION,
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.engine = engine
    # Logins wait here for a password-hashing slot without holding a thread.
    app.state.hashing = asyncio.Semaphore(engine.settings.hash_slots)
    app.state.waits = PositionWaits(
        engine.projector.positions, engine.settings.max_waiting_reads, head=engine.store.head
    )
    errors.install(app)
    openapi.install(app)
    app.add_middleware(
        BodyLimit,
        limit=engine.settings.max_body_bytes,
        upload_limit=engine.settings.max_upload_bytes,
        uploads=engine.registry.uploads,
    )
    app.add_middleware(Correlation)
    for router in (*engine.registry.routers(), ops.router, console.router, *engine.registry.pages):
        app.include_router(router)
    app.mount("/static", console.static, name="static")
    return app


class Correlation:
    """Give every request a correlation id (kept from the caller when well-formed), bind
    it to every log line of the request, echo it, and log one line per request.

    Plain ASGI rather than ``@app.middleware``: that wrapper costs a task per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-correlation-id", b"").decode("latin-1")
        correlation_id = given if SAFE_ID.match(given) else str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state["correlation_id"] = correlation_id
        state["request_id"] = str(uuid.uuid4())
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-correlation-id", correlation_id.encode()))
                message["headers"] = headers
            await send(message)

        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("correlation_id")
