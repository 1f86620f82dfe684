"""The knowledge base, domain layer: what other contexts use."""

from domain.knowledge.article import LANGUAGES, Article, Audience, Content, Stage
from domain.knowledge.macros import PLACEHOLDERS, Actions, Macro, MacroText, render

__all__ = [
    "LANGUAGES",
    "PLACEHOLDERS",
    "Actions",
    "Article",
    "Audience",
    "Content",
    "Macro",
    "MacroText",
    "Stage",
    "render",
]
