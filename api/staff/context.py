"""Staff accounts and access, and the firm's branches, declared once."""

from __future__ import annotations

from adapters.staff.auth import Argon2Hasher
from api.shared.console.menu import MenuItem
from api.shared.context import Aggregated, BoundedContext
from api.staff import admin_pages, routes
from application.staff.branches import BranchCommands
from application.staff.commands import StaffCommands
from application.staff.logins import LoginCommands
from domain.staff.branches import Branch, branch_id
from domain.staff.logins import LoginAttempt
from domain.staff.users import Role, StaffUser
from projections.staff.branches import BranchesView
from projections.staff.logins import LoginsView
from projections.staff.views import StaffView

CONTEXT = BoundedContext(
    name="staff",
    aggregates=(
        Aggregated(StaffUser, history=None, snapshot_every=20),
        Aggregated(Branch, history="branches", ref=branch_id),
        Aggregated(LoginAttempt, history=None),
    ),
    views=(StaffView, BranchesView, LoginsView),
    handlers=(
        lambda e: StaffCommands(
            e.store,
            Argon2Hasher(fast=e.settings.env == "test", slots=e.settings.hash_slots),
            e.settings.account_cache_seconds,
        ),
        lambda e: BranchCommands(e.store),
        lambda e: LoginCommands(e.store, e.settings.login_policy),
    ),
    routers=(routes.router,),
    pages=(admin_pages.router,),
    menu=(
        MenuItem("Accounts", "/admin/accounts", frozenset({Role.ADMIN}), order=80),
        MenuItem("Login log", "/admin/logins", frozenset({Role.COMPLIANCE}), order=85),
        MenuItem("Operations", "/admin/operations", frozenset({Role.ADMIN}), order=90),
    ),
)
