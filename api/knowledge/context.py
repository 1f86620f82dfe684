"""The knowledge base, declared once."""

from __future__ import annotations

from api.knowledge import macros, pages, routes, tickets
from api.knowledge.routes import READ_ROLES
from api.shared.console.menu import MenuItem
from api.shared.context import Aggregated, BoundedContext
from application.knowledge import KnowledgeCommands, MacroCommands
from domain.knowledge import Article, Macro
from domain.staff import Role
from projections.knowledge import KnowledgeView

CONTEXT = BoundedContext(
    name="knowledge",
    aggregates=(
        Aggregated(Article, history="kb-articles", snapshot_every=20),
        Aggregated(Macro, history="macros"),
    ),
    views=(KnowledgeView,),
    handlers=(lambda e: KnowledgeCommands(e.store), lambda e: MacroCommands(e.store)),
    routers=(routes.router, tickets.router, macros.router),
    pages=(pages.router,),
    menu=(
        MenuItem(
            "Knowledge base",
            "/kb",
            frozenset(READ_ROLES),
            order=35,
            home_for=frozenset({Role.EDITOR}),
        ),
    ),
)
