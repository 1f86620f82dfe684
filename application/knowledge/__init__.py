"""The knowledge base, application layer: what other contexts use."""

from application.knowledge.commands import KnowledgeCommands

__all__ = ["KnowledgeCommands"]
