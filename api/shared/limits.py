"""The request body limit: a larger body answers 413 before it is parsed."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.shared.errors import problem


class BodyLimit:
    """Refuse a body over ``limit`` bytes (``upload_limit`` on the ``uploads`` paths): at
    once when its Content-Length says so, else as soon as the bytes received pass it. The
    app never holds more than the limit of a body."""

    def __init__(
        self, app: ASGIApp, limit: int, upload_limit: int, uploads: frozenset[str]
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] in self.uploads else self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(scope, receive, send, limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _detail(limit))
            return message

        await self.app(scope, limited, send)


def _detail(limit: int) -> str:
    size = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 1024} KiB"
    return f"the request body is larger than {size}"


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem(413, "Content too large", _detail(limit), Request(scope))
    await response(scope, receive, send)
