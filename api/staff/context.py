"""Staff accounts and access, declared once."""

from __future__ import annotations

from adapters.staff.auth import Argon2Hasher
from api.shared.context import Aggregated, BoundedContext
from api.staff import routes
from application.staff.commands import StaffCommands
from domain.staff.users import StaffUser
from projections.staff.views import StaffView

CONTEXT = BoundedContext(
    name="staff",
    aggregates=(Aggregated(StaffUser, history=None, snapshot_every=20),),
    views=(StaffView,),
    handlers=(lambda e: StaffCommands(e.store, Argon2Hasher(fast=e.settings.env == "test")),),
    routers=(routes.router,),
)
