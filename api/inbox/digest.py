"""The inbox's daily digest by e-mail: with ``ASSURE_SMTP_URL`` set, each person with an
address and unread notifications gets one message a day, from the digest hour in their
time zone, in their language. Sending comes first and its record after: a crash between
the two sends that day's digest again (at least once, never lost)."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog

from adapters.shared.mail import MailError, send
from api.engine import Engine
from api.inbox.routes import shown
from api.shared.console.i18n import LOCALES, translations
from api.shared.console.render import Formats
from api.shared.context import Job
from application.inbox import InboxCommands
from application.staff import Account, StaffCommands
from domain.shared.base import Context
from projections.inbox import InboxView, Reader
from projections.staff import StaffView

log = structlog.get_logger(__name__)
DIGEST_MAX = 50  # notifications listed in one message; the inbox has the rest
SUBJECT = ("Assure: %(num)d unread notification", "Assure: %(num)d unread notifications")
OPENING = "Your unread notifications, newest first:"
MORE = "… and %(n)d more in the console's inbox."


def digest_job(engine: Engine, ctx: Context) -> int:
    """Send each person's digest due today; answers how many were sent."""
    settings = engine.settings
    if settings.smtp_url is None:
        return 0
    staff, sent = engine.handler(StaffCommands), 0
    for row in engine.view(StaffView).all(engine.db):
        account = staff.account(UUID(row["id"])) if row["enabled"] else None
        if account is not None and account.email and _digest(engine, ctx, account):
            sent += 1
    return sent


def _digest(engine: Engine, ctx: Context, account: Account) -> bool:
    settings = engine.settings
    zone = account.time_zone or settings.time_zone
    local = ctx.at.astimezone(ZoneInfo(zone))
    inbox = engine.handler(InboxCommands)
    last = inbox.digest_on(account.id)
    if local.hour < settings.digest_hour or (last is not None and last >= local.date()):
        return False
    reader = Reader(str(account.id), account.username, account.role.value, account.branch)
    view = engine.view(InboxView)
    rows, _ = view.notifications(engine.db, reader, True, DIGEST_MAX, None)
    if not rows:
        return False
    unread = view.unread_count(engine.db, reader)
    subject, body = message(engine, account, rows, unread, zone)
    assert settings.smtp_url is not None
    try:
        url = settings.smtp_url.get_secret_value()
        send(url, settings.mail_from, account.email or "", subject, body)
    except MailError as e:
        log.warning("inbox.digest_not_sent", error=str(e))
        return False
    return inbox.sent_digest(ctx, account.id, local.date(), unread)


def message(
    engine: Engine, account: Account, rows: list[dict[str, Any]], unread: int, zone: str
) -> tuple[str, str]:
    """The digest's subject and text in the person's language."""
    locale = account.language if account.language in LOCALES else LOCALES[0]
    words, formats = translations(locale), Formats(locale, zone)
    lines = shown(engine, rows, translate=words.gettext, day=formats.day, when=formats.when)
    subject = words.ngettext(*SUBJECT, unread) % {"num": unread}
    items = [f"- {n['text']} ({formats.when(n['created_at'])})" for n in lines]
    more = unread - len(lines)
    if more > 0:
        items.append(words.gettext(MORE) % {"n": more})
    return subject, "\n".join([words.gettext(OPENING), "", *items, ""])


DIGEST_JOB = Job("digest", digest_job)
