"""Staff and access, adapters layer: what other contexts use."""

from adapters.staff.auth import InvalidToken, TokenClaims, TokenService

__all__ = ["InvalidToken", "TokenClaims", "TokenService"]
