"""The knowledge base, application layer: what other contexts use."""

from application.knowledge.commands import KnowledgeCommands
from application.knowledge.macros import MacroCommands

__all__ = ["KnowledgeCommands", "MacroCommands"]
