"""The knowledge base, domain layer: what other contexts use."""

from domain.knowledge.article import LANGUAGES, Article, Audience, Content, Stage

__all__ = ["LANGUAGES", "Article", "Audience", "Content", "Stage"]
