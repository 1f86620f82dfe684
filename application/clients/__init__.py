"""Client registry and risk assessment, application layer: what other contexts use."""

from application.clients.commands import ClientCommands
from application.clients.risk import RiskCommands

__all__ = ["ClientCommands", "RiskCommands"]
