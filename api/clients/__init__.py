"""Client registry and risk assessment, api layer: what other contexts use."""

from api.clients.scope import ClientId, check_client

__all__ = ["ClientId", "check_client"]
