"""A notification in words: one sentence per kind, in English (the API) or translated by
the console, its facts filled in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

DAYS = ("due_on", "on", "planned")
MOMENTS = ("confirm_by",)

SENTENCES = {
    "assessment_review_due": "%(client)s: the risk assessment is due for review (%(on)s)",
    "assessment_expired": "%(client)s: the risk assessment expired (%(on)s)",
    "contact_due": "%(client)s is due for contact by %(due_on)s (%(tier)s)",
    "contact_overdue": "%(client)s was due for contact on %(due_on)s (%(tier)s)",
    "purchase_lapsing": "%(client)s's purchase of %(fund_code)s lapses at %(confirm_by)s "
    "unless confirmed",
    "sla_breached": "Ticket %(number)s breached its %(clock)s SLA",
    "ticket_escalated": "Ticket %(number)s was escalated to %(to_group)s",
    "reaudit_due": "%(supplier)s: the re-audit is due on %(due_on)s",
    "reaudit_overdue": "%(supplier)s: the re-audit was due on %(due_on)s",
    "milestone_overdue": "%(plan)s: milestone %(milestone)s was planned for %(planned)s",
    "churn_warning": "%(client)s may be leaving (churn score %(score)s)",
    "tier_suggested": "%(client)s qualifies for %(tier)s (now %(previous_tier)s)",
}


WORDS = (*SENTENCES.values(), "a client")


def sentence(
    notification: dict[str, Any],
    client_names: dict[str, str],
    translate: Callable[[str], str] = lambda s: s,
    day: Callable[[date], str] = date.isoformat,
    when: Callable[[datetime], str] = datetime.isoformat,
) -> str:
    """The notification's sentence, the client's name in place of their id (days and
    moments as ``day`` and ``when`` write them: ISO unless the console's)."""
    facts = dict(notification["facts"])
    for key in DAYS:
        if key in facts:
            facts[key] = day(date.fromisoformat(facts[key]))
    for key in MOMENTS:
        if key in facts:
            facts[key] = when(datetime.fromisoformat(facts[key]))
    facts["client"] = client_names.get(facts.get("client_id", ""), translate("a client"))
    for word in ("tier", "previous_tier", "to_group", "clock"):
        if word in facts:
            prefix = "group:" if word == "to_group" else "sla:" if word == "clock" else ""
            key = prefix + facts[word]
            told = translate(key)
            facts[word] = told if told != key else facts[word].replace("_", " ")
    template = translate(SENTENCES.get(notification["kind"], notification["kind"]))
    try:
        return template % facts
    except (KeyError, ValueError, TypeError):
        return template
