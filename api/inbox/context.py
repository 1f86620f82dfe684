"""The staff inbox, declared once."""

from __future__ import annotations

from api.inbox import pages, routes
from api.inbox.digest import DIGEST_JOB
from api.shared.context import Aggregated, BoundedContext
from application.inbox import InboxCommands
from domain.inbox import Inbox
from projections.inbox import InboxView

CONTEXT = BoundedContext(
    name="inbox",
    aggregates=(Aggregated(Inbox, history=None, snapshot_every=50),),
    views=(InboxView,),
    handlers=(lambda e: InboxCommands(e.store),),
    routers=(routes.router,),
    pages=(pages.router,),
    jobs=(DIGEST_JOB,),
)
