"""The console's message catalogs: every message the pages can show, and both catalogs
brought up to it.

``python -m scripts.catalog`` adds each missing message to both ``.po`` files (with an
empty translation to fill in) and lists what still needs a translation; the catalog test
fails while any does. Messages come from the templates (``_()``, ``ngettext``), the
navigation, and the vocabularies pages show through a prefix (``_("risk:" ~ status)``):
those are listed here, from the domain's own enums.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from api.clients.coverage_pages import FEEDBACK_GROUPINGS, FEEDBACK_WORDS
from api.clients.pages import AUM_RANGES
from api.contexts import CONTEXTS
from api.cqp.pages import KINDS
from api.funds.pages import RANGES
from api.holdings import AUM_WORDS
from api.inbox.digest import MORE, OPENING, SUBJECT
from api.inbox.words import WORDS as INBOX_WORDS
from api.service_desk.pages import GROUPINGS, STATS_WORDS, VIEWS
from api.shared.charts import NAV_WORDS, RADAR_WORDS
from api.shared.console.i18n import LOCALES, catalog_path
from api.suppliers.pages import FORM_STEPS
from domain.clients import ClientPolicy
from domain.clients.churn import REASON_WORDS
from domain.clients.registry import Channel, InvestorType
from domain.clients.segments import DEFAULT_SEGMENTS
from domain.cqp.measures import Rag
from domain.cqp.milestones import DeliverableKind
from domain.cqp.phases import Criterion, Phase
from domain.funds.performance import Period
from domain.inbox import KINDS as NOTIFICATION_KINDS
from domain.knowledge import LANGUAGES, Audience
from domain.service_desk.workflow import LAYERS, Status, TicketChannel, TicketType
from domain.shared.base import DomainEvent
from domain.shared.vocab import FundType, Horizon, Variety
from domain.staff import Role
from domain.suitability.purchases import ConfirmationChannel, PurchaseStatus
from domain.suitability.rules import Outcome
from domain.suppliers.audits import AssessmentKind, Severity
from domain.suppliers.avl import AvlDecision, AvlStatus
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import Stage, SupplierStatus
from domain.suppliers.sqs import SqsStep
from projections.clients.views import RISK_STATUS

TEMPLATES = Path(__file__).resolve().parents[1] / "api" / "shared" / "console" / "templates"
FIXED = datetime(2026, 12, 1, tzinfo=UTC)
KEYWORDS = ("_", "gettext", "ngettext")
OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def vocabulary() -> Iterator[str]:
    """The words pages show by value: enums as they are, prefixed families as keys."""
    for enum in (Channel, InvestorType, Status, FundType, Horizon, Variety, Role):
        yield from (member.value for member in enum)
    yield from ("standard", "gold", "platinum")  # the default tiers (a policy)
    yield from (f"risk:{s}" for s in (*RISK_STATUS, "none"))
    yield from (f"outcome:{o.value}" for o in Outcome)
    yield from (f"purchase:{s.value}" for s in PurchaseStatus)
    yield from (f"segment:{s.name}" for s in DEFAULT_SEGMENTS)
    yield from (f"churn:{code}" for code in REASON_WORDS)
    yield from (f"topic:{t}" for t in ClientPolicy().feedback_topics)
    yield from (f"feedback-by:{g}" for g in FEEDBACK_GROUPINGS)
    yield from (f"confirmation:{c.value}" for c in ConfirmationChannel)
    yield from (f"period:{p.value}" for p in Period)
    yield from (f"range:{r}" for r in (*RANGES, *AUM_RANGES))
    yield from (f"mismatch:{d}" for d in ("risk", "horizon", "variety"))
    yield from (member.value for enum in (TicketType, TicketChannel) for member in enum)
    yield from (f"view:{v}" for v in VIEWS)
    yield from (f"group:{g}" for g in LAYERS)
    yield from (f"move:{s.value}" for s in Status if s is not Status.NEW)
    states = ("ok", "at_risk", "breached", "met", "missed", "paused")
    yield from (f"sla:{s}" for s in (*states, "first_response", "resolution"))
    yield from (f"grouping:{g}" for g in GROUPINGS)
    yield from (f"preset:{p}" for p in ("30d", "month", "year", "12m"))
    yield from (f"stage:{s.value}" for s in Stage)
    yield from (f"avl:{a}" for a in (*AvlStatus, "none"))
    yield from (f"supplier:{s.value}" for s in SupplierStatus)
    yield from (f"status:{w}" for w in ("suspend", "disqualify", "reinstate"))
    yield from (f"decision:{d.value}" for d in AvlDecision)
    yield from (f"sqs:{s.value}" for s in SqsStep)
    yield from (f"assessment:{k.value}" for k in AssessmentKind)
    yield from (f"severity:{s.value}" for s in Severity)
    yield from (f"ca:{s.value}" for s in CaStep)
    yield from (f"castep:{s}" for s in FORM_STEPS)
    yield from (f"phase:{p.value}" for p in Phase)
    yield from (f"criterion:{c.value}" for c in Criterion)
    yield from (f"deliverable:{d.value}" for d in DeliverableKind)
    yield from (f"measure:{k}" for k in KINDS)
    yield from (f"rag:{r.value}" for r in Rag)
    yield from (f"login:{o}" for o in ("failed", "throttled"))
    yield from (f"kind:{k}" for k in NOTIFICATION_KINDS)
    yield from (f"language:{language}" for language in LANGUAGES)
    yield from (f"kb:{s}" for s in ("published", "draft", "in_review", "archived", "none"))
    yield from (f"audience:{a.value}" for a in Audience)


def event_types() -> Iterator[str]:
    for context in CONTEXTS:
        for aggregated in context.aggregates:
            for value in vars(aggregated.cls).values():
                if isinstance(value, type) and issubclass(value, DomainEvent):
                    yield value.__qualname__


def from_templates() -> Iterator[str | tuple[str, str]]:
    for path in sorted(TEMPLATES.rglob("*.html")):
        with path.open("rb") as f:
            for _, function, message, _ in babel_extract(f, KEYWORDS, [], OPTIONS):
                # A call with keywords comes as a tuple, its unused places None.
                parts = [
                    str(p) for p in (message if isinstance(message, tuple) else (message,)) if p
                ]
                if not parts:
                    continue  # a message computed in the template: see vocabulary()
                if function == "ngettext":
                    yield (parts[0], parts[1])
                else:
                    yield parts[0]


def wanted() -> list[str | tuple[str, str]]:
    """Every message id the console can show, in a stable order."""
    found: dict[str | tuple[str, str], None] = {}
    for message in (
        *from_templates(),
        *(item.label for c in CONTEXTS for item in c.menu),
        *vocabulary(),
        *NAV_WORDS,
        *AUM_WORDS,
        *FEEDBACK_WORDS,
        *STATS_WORDS,
        *RADAR_WORDS,
        *INBOX_WORDS,
        OPENING,
        MORE,
        SUBJECT,
        "Capability",
        *event_types(),
        "%(n)d day",
        "%(h)d h %(m)02d min",
    ):
        found.setdefault(message, None)
    found.pop("%(n)d day", None)
    found[("%(n)d day", "%(n)d days")] = None
    return list(found)


def load(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def untranslated(catalog: Catalog, locale: str) -> list[str]:
    """Messages a reader in ``locale`` would see untranslated: every one in Chinese; in
    English, only the keys (``risk:valid``), whose id is not itself English."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        text = message.string if isinstance(message.string, str) else "".join(message.string or ())
        key = message.id if isinstance(message.id, str) else message.id[0]
        if not text and (locale != "en" or (":" in key and " " not in key)):
            missing.append(key)
    return missing


def main() -> int:
    ids = wanted()
    for locale in LOCALES:
        catalog = load(locale)
        catalog.creation_date = catalog.revision_date = FIXED  # no churn in the files
        for message_id in ids:
            if message_id not in catalog:
                catalog.add(message_id, "" if isinstance(message_id, str) else ("", ""))
        with catalog_path(locale).open("wb") as po:
            write_po(po, catalog, width=0, omit_header=False, include_previous=False)
        for key in untranslated(catalog, locale):
            print(f"{locale}: {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
