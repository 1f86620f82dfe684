"""The administrator's console: staff accounts (list, open with a role and branch, disable
and enable with a reason, a new password shown once), the login log, and operations (each
view's position, lag and parked events with a retry, a rebuild with its progress, the
scheduler's last runs and who leads, the hash chain, the settings in force)."""

from __future__ import annotations

import secrets
import threading
from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.shared.console.desk import Desk, staff
from api.shared.console.forms import Refusal, fields, one_of, read, refused
from api.staff.schemas import UserCreate
from application.staff import StaffCommands
from domain.shared.errors import Conflict, DuplicateFound, InvalidField, NotFound
from domain.staff import Role, UnknownBranch
from projections.compliance import chain_heads
from projections.staff import BranchesView, StaffView
from projections.staff.logins import LoginsView

router = APIRouter(include_in_schema=False)
Admins = Annotated[Desk, Depends(staff(Role.ADMIN, reads=(StaffView, BranchesView)))]
Auditors = Annotated[Desk, Depends(staff(Role.ADMIN, Role.COMPLIANCE, reads=(LoginsView,)))]
PAGE = 100


@router.get("/admin/accounts")
def accounts(desk: Admins) -> Response:
    """Staff accounts by username, filtered by role, branch, state and name."""
    q = desk.request.query_params
    chosen = {
        "role": one_of(q.get("role"), Role, "role"),
        "branch": (q.get("branch") or "").strip()[:32] or None,
        "state": one_of(q.get("state"), ("enabled", "disabled"), "state"),
        "q": (q.get("q") or "").strip()[:64] or None,
    }
    rows = [
        u
        for u in desk.engine.view(StaffView).all(desk.engine.db)
        if chosen["role"] in (None, u["role"])
        and chosen["branch"] in (None, u["branch"])
        and chosen["state"] in (None, "enabled" if u["enabled"] else "disabled")
        and (chosen["q"] is None or chosen["q"].lower() in u["username"].lower())
    ]
    return desk.page(
        "admin/accounts.html",
        rows=rows,
        chosen=chosen,
        roles=list(Role),
        branches=desk.engine.view(BranchesView).all(desk.engine.db),
        values={},
        errors={},
    )


@router.post("/admin/accounts/new")
async def open_account(desk: Admins) -> Response:
    """Open an account with a first password drawn here and shown once."""
    form = await desk.request.form()
    values = fields(form)
    password = secrets.token_urlsafe(12)
    try:
        body = read(UserCreate, {**values, "password": password})
        done = desk.engine.handler(StaffCommands).add_user(
            desk.context(), body.username, body.role, password, desk.once(form), body.branch
        )
    except Refusal as e:
        return _accounts_again(desk, values, e.errors)
    except UnknownBranch:  # an InvalidField: before it
        return _accounts_again(desk, values, {"branch": "unknown"})
    except InvalidField as e:
        return _accounts_again(desk, values, refused(e))
    except DuplicateFound:
        return _accounts_again(desk, values, {"username": "duplicate"})
    return _shown_once(desk, str(body.username), password, done.position)


def _accounts_again(desk: Desk, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return desk.page(
        "admin/accounts.html",
        422,
        rows=desk.engine.view(StaffView).all(desk.engine.db),
        chosen={},
        roles=list(Role),
        branches=desk.engine.view(BranchesView).all(desk.engine.db),
        values=values,
        errors=errors,
    )


def _shown_once(desk: Desk, username: str, password: str, position: int) -> Response:
    """The password, on this answer only: not in an address, not kept by the browser."""
    response = desk.page(
        "admin/password.html", username=username, password=password, position=position
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _account(desk: Desk, user_id: UUID) -> dict[str, Any]:
    user = desk.engine.view(StaffView).get(desk.engine.db, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


@router.post("/admin/accounts/{user_id}/disable")
async def disable(desk: Admins, user_id: UUID) -> Response:
    user = _account(desk, user_id)
    form = await desk.request.form()
    reason = str(form.get("reason", "")).strip()[:500]
    if not reason:
        return _accounts_again(desk, {"reason_for": str(user_id)}, {"reason": "required"})
    if str(user_id) == desk.me.user_id:
        return _accounts_again(desk, {"reason_for": str(user_id)}, {"reason": "own_account"})
    done = desk.engine.handler(StaffCommands).disable(desk.context(), user_id, reason)
    return desk.redirect(f"/admin/accounts?q={user['username']}", done.position)


@router.post("/admin/accounts/{user_id}/enable")
async def enable(desk: Admins, user_id: UUID) -> Response:
    user = _account(desk, user_id)
    done = desk.engine.handler(StaffCommands).enable(desk.context(), user_id)
    return desk.redirect(f"/admin/accounts?q={user['username']}", done.position)


@router.post("/admin/accounts/{user_id}/password")
async def reset_password(desk: Admins, user_id: UUID) -> Response:
    """A new password for the account, shown once, for its holder to change."""
    user = _account(desk, user_id)
    password = secrets.token_urlsafe(12)
    done = desk.engine.handler(StaffCommands).change_password(desk.context(), user_id, password)
    return _shown_once(desk, user["username"], password, done.position)


@router.get("/admin/logins")
def logins(desk: Auditors) -> Response:
    """Failed and throttled logins, newest first, by username, address and day."""
    q = desk.request.query_params
    start = _day(q.get("from"), "from")
    end = _day(q.get("to"), "to")
    chosen = {
        "username": (q.get("username") or "").strip()[:200] or None,
        "address": (q.get("address") or "").strip()[:200] or None,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }
    f = desk.formats
    rows, next_cursor = desk.engine.view(LoginsView).search(
        desk.engine.db,
        chosen["username"],
        chosen["address"],
        f.midnight(start) if start else None,
        f.midnight(end + timedelta(days=1)) if end else None,
        PAGE,
        q.get("cursor") or None,
    )
    return desk.page("admin/logins.html", rows=rows, chosen=chosen, next_cursor=next_cursor)


def _day(text: str | None, field: str) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidField(field, "a date as YYYY-MM-DD") from None


# -- operations ---------------------------------------------------------------------------


class Rebuilds:
    """The rebuilds this process runs, one at a time per view, with their progress."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs: dict[str, dict[str, Any]] = {}

    def start(self, desk: Desk, name: str) -> bool:
        """Start rebuilding ``name`` in the background; False if one is running."""
        engine = desk.engine
        with self.lock:
            if self.runs.get(name, {}).get("state") == "running":
                return False
            run: dict[str, Any] = {
                "state": "running",
                "done": 0,
                "total": engine.store.head(),
                "started_at": engine.clock(),
                "by": desk.me.username,
            }
            self.runs[name] = run

        def progress(_: str, done: int, total: int) -> None:
            run["done"], run["total"] = done, total

        def work() -> None:
            try:
                run["position"] = engine.rebuild(name, progress)
                run["state"] = "finished"
            except Exception as e:  # noqa: BLE001 - shown on the page; the live view is kept
                run["state"], run["error"] = "failed", type(e).__name__
            run["finished_at"] = engine.clock()

        threading.Thread(target=work, name=f"rebuild-{name}", daemon=True).start()
        return True


def _rebuilds(request: Request) -> Rebuilds:
    state = request.app.state
    if not hasattr(state, "rebuilds"):
        state.rebuilds = Rebuilds()
    rebuilds: Rebuilds = state.rebuilds
    return rebuilds


SETTINGS_SHOWN = (
    "time_zone",
    "session_idle_minutes",
    "token_ttl_hours",
    "read_wait_timeout",
    "scheduler_interval_seconds",
    "projection_batch_size",
    "projection_max_attempts",
)


def _policies(desk: Desk) -> list[tuple[str, Any]]:
    """The settings in force that say how the firm works: every policy, and the operating
    settings a person may ask about (never a secret or an address)."""
    settings = desk.engine.settings
    shown = [(name, getattr(settings, name)) for name in SETTINGS_SHOWN if hasattr(settings, name)]
    for name in sorted(type(settings).model_fields):
        if name.endswith("_policy"):
            shown.append((name, getattr(settings, name).model_dump(mode="json")))
    return shown


@router.get("/admin/operations")
def operations(desk: Admins) -> Response:
    """How the views, the scheduler and the chain stand; the settings in force."""
    return desk.page("admin/operations.html", **_operations(desk))


@router.get("/admin/operations/views")
def views_fragment(desk: Admins) -> Response:
    """The views' table alone (the page asks for it again while a rebuild runs)."""
    return desk.page("admin/_views.html", **_operations(desk))


def _operations(desk: Desk) -> dict[str, Any]:
    engine = desk.engine
    chain_head, store_head = chain_heads(engine.store)
    rebuilds = _rebuilds(desk.request).runs
    return {
        "views": engine.projector.status(),
        "rebuilds": rebuilds,
        "running": any(r["state"] == "running" for r in rebuilds.values()),
        "runs": engine.scheduler.journal.runs() if engine.scheduler.journal else [],
        "jobs": sorted(engine.scheduler.jobs),
        "leading_here": engine.scheduler.leading,
        "scheduler_on": engine.settings.run_scheduler,
        "chain_head": chain_head,
        "store_head": store_head,
        "last_verification": getattr(desk.request.app.state, "last_verification", None),
        "policies": _policies(desk),
        "now": engine.clock(),
    }


def _worker(desk: Desk, name: str) -> Any:
    worker = desk.engine.projector.workers.get(name)
    if worker is None:
        raise NotFound(f"view {name} not found")
    return worker


@router.post("/admin/operations/views/{name}/retry")
async def retry(desk: Admins, name: str) -> Response:
    """Apply a view's parked events again."""
    retried = _worker(desk, name).retry_parked()
    return desk.redirect(f"/admin/operations?retried={name}:{retried}#views")


@router.post("/admin/operations/views/{name}/rebuild")
async def rebuild(desk: Admins, name: str) -> Response:
    """Rebuild a view in the background (the live one serves meanwhile)."""
    _worker(desk, name)
    if not _rebuilds(desk.request).start(desk, name):
        raise Conflict(f"view {name} is being rebuilt already")
    return desk.redirect("/admin/operations#views")
