"""The knowledge base, projections layer: what other contexts use."""

from projections.knowledge.views import Filters, KnowledgeView

__all__ = ["Filters", "KnowledgeView"]
