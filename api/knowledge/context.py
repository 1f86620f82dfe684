"""The knowledge base, declared once."""

from __future__ import annotations

from api.knowledge import routes, tickets
from api.shared.context import Aggregated, BoundedContext
from application.knowledge import KnowledgeCommands
from domain.knowledge import Article
from projections.knowledge import KnowledgeView

CONTEXT = BoundedContext(
    name="knowledge",
    aggregates=(Aggregated(Article, history="kb-articles", snapshot_every=20),),
    views=(KnowledgeView,),
    handlers=(lambda e: KnowledgeCommands(e.store),),
    routers=(routes.router, tickets.router),
)
