"""The console's session: a token in an HttpOnly, SameSite=Strict cookie (Secure over
HTTPS), checked on every page like a bearer token; and a CSRF token bound to it."""

from __future__ import annotations

import hmac

from fastapi import Request, Response

from adapters.staff import TokenService

SESSION = "assure_session"
LANGUAGE = "assure_lang"
SEEN = "assure_seen"  # when the session was last used, signed: the idle clock


def csrf_token(tokens: TokenService, session: str) -> str:
    """The token every form of this session carries back."""
    return tokens.companion(session, "csrf")


def seen(tokens: TokenService, session: str, stamp: int) -> str:
    """The signed mark of a session used at ``stamp`` (seconds since the epoch)."""
    return f"{stamp}.{tokens.companion(session, f'seen {stamp}')}"


def csrf_ok(tokens: TokenService, session: str | None, given: str | None) -> bool:
    """Whether a form's token is this session's (a form before login has none)."""
    if not session or not given:
        return False
    return hmac.compare_digest(csrf_token(tokens, session), given)


def keep(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
