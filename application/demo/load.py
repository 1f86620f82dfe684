"""A realistic demo data set: branches, staff, clients with history, funds, tickets,
suppliers and CQP plans."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.clients import ClientCommands, RiskCommands
from application.cqp import CQPCommands
from application.demo.funds import load_funds, load_purchases
from application.demo.holdings import load_holdings
from application.demo.knowledge import load_knowledge
from application.demo.suppliers import load_suppliers
from application.demo.tickets import load_tickets
from application.funds import FundCommands
from application.holdings import HoldingsCommands
from application.knowledge import KnowledgeCommands, MacroCommands
from application.service_desk import TicketCommands
from application.staff import BranchCommands, StaffCommands
from application.suitability import PurchaseCommands
from application.suppliers import SupplierCommands
from domain.clients import AssessmentExpired, Channel, Client, InvestorType
from domain.service_desk import Priority, TicketChannel, TicketType
from domain.shared.base import Context
from domain.shared.errors import DuplicateFound
from domain.shared.progress import Progress, quiet
from domain.shared.vocab import RiskRating
from domain.staff import Role

BRANCH_NAMES = {
    "SH-LUJIAZUI": "Shanghai Lujiazui",
    "SH-XUJIAHUI": "Shanghai Xujiahui",
    "BJ-JINRONGJIE": "Beijing Financial Street",
    "SZ-FUTIAN": "Shenzhen Futian",
    "GZ-TIANHE": "Guangzhou Tianhe",
    "HZ-QIANJIANG": "Hangzhou Qianjiang New Town",
}
BRANCHES = list(BRANCH_NAMES)
SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Gao",
    "Luo",
]
GIVEN = [
    "Wei",
    "Fang",
    "Na",
    "Min",
    "Jing",
    "Lei",
    "Qiang",
    "Yan",
    "Jie",
    "Tao",
    "Ming",
    "Chao",
    "Xiu Ying",
    "Hui",
    "Jun",
    "Li Na",
    "Hao",
    "Yu",
    "Xin",
    "Bo",
]
STREETS = ["Century", "Nanjing", "Renmin", "Zhongshan", "Jiefang"]
TAGS = [
    "high-net-worth",
    "retiree",
    "young-professional",
    "dividend-seeker",
    "new-client",
    "prefers-phone",
    "prefers-wechat",
    "family-account",
]
SUMMARIES = {
    Channel.CALL: "Quarterly portfolio review call",
    Channel.EMAIL: "Sent the monthly statement explanation",
    Channel.SMS: "Reminder of the upcoming branch seminar",
    Channel.VISIT: "Visited the branch to update contact details",
    Channel.ONLINE: "Asked about money-market fund redemption times",
}


@dataclass(frozen=True)
class DemoCommands:
    clients: ClientCommands
    staff: StaffCommands
    branches: BranchCommands
    risk: RiskCommands
    funds: FundCommands
    holdings: HoldingsCommands
    purchases: PurchaseCommands
    tickets: TicketCommands
    suppliers: SupplierCommands
    cqp: CQPCommands
    knowledge: KnowledgeCommands
    macros: MacroCommands


def load_demo(
    commands: DemoCommands,
    now: datetime,
    client_count: int = 300,
    seed: int = 7,
    fund_count: int = 200,
    nav_years: int = 3,
    ticket_count: int = 3000,
    progress: Progress = quiet,
) -> dict[str, int]:
    """Load the demo set as the ``system:demo`` actor; returns what it created."""
    counts, _ = load_demo_and_truth(
        commands, now, client_count, seed, fund_count, nav_years, ticket_count, progress
    )
    return counts


def load_demo_and_truth(
    commands: DemoCommands,
    now: datetime,
    client_count: int = 300,
    seed: int = 7,
    fund_count: int = 200,
    nav_years: int = 3,
    ticket_count: int = 3000,
    progress: Progress = quiet,
) -> tuple[dict[str, int], list[UUID]]:
    """Load the demo set; returns what it created, and the clients the demo makes leave
    (the churn warning's ground truth)."""
    rng = random.Random(seed)
    ctx = Context(actor="system:demo", at=now, correlation_id=f"demo:{now.isoformat()}")
    for code, name in BRANCH_NAMES.items():
        if not commands.branches.known(code):
            commands.branches.open(ctx, code, name)
    users = _staff(commands.staff, ctx)
    events = 0
    homes: list[tuple[UUID, str]] = []  # each client and their branch
    for n in range(client_count):
        loaded = _client(commands, rng, ctx, now, n)
        if loaded is not None:
            homes.append(loaded[:2])
            events += loaded[2]
        progress("clients", n + 1, client_count)
    created = [client_id for client_id, _ in homes]
    progress("funds and NAVs", 0, 1)
    codes = load_funds(commands.funds, ctx, rng, fund_count, nav_years)
    bought, held = (
        load_purchases(commands.purchases, ctx, rng, created, codes, now) if codes else (0, [])
    )
    if held:  # a held fund's strategy changed: its holders are flagged for review
        commands.funds.rate_risk(ctx, held[0], RiskRating.R5, "Strategy now uses leverage")
    progress("funds and NAVs", 1, 1)
    progress("positions", 0, 1)
    positions = load_holdings(
        commands.holdings, commands.funds, ctx, rng, created, codes, nav_years
    )
    events += _keep_in_touch(commands, rng, ctx, created, positions.churners)
    progress("positions", 1, 1)
    desk = commands.tickets
    progress("tickets", 0, 1)
    registered = [commands.clients.load(Client, c) for c in created]
    tickets = load_tickets(
        desk.store,
        desk.policy,
        rng,
        ctx.actor,
        now,
        homes,
        ticket_count,
        tiers={c.id: c.tier for c in registered},
        people={c.id: (c.name, c.phone) for c in registered},
    )
    progress("tickets", 1, 1)
    progress("suppliers and CQP", 0, 1)
    quality = load_suppliers(commands.suppliers, commands.cqp, rng, ctx.actor, now)
    progress("suppliers and CQP", 1, 1)
    articles, macros = load_knowledge(
        commands.knowledge,
        commands.macros,
        _as(commands.staff, ctx, "agent.zhao"),
        _as(commands.staff, ctx, "editor.qian"),
        now,
    )
    erased = created[:1]  # a former client who asked for erasure: records stay, data goes
    for client_id in erased:
        commands.clients.erase_personal_data(
            ctx, client_id, "Former client's written erasure request"
        )
        events += 1
    counts = {
        "users": users,
        "clients": len(created),
        "funds": len(codes),
        "purchases": bought,
        "position_days": positions.days,
        "churners": len(positions.churners),
        "tickets": tickets,
        "articles": articles,
        "macros": macros,
        "erased": len(erased),
        **quality,
        "events": events,
    }
    return counts, [c for c in positions.churners if c not in erased]


def _keep_in_touch(
    commands: DemoCommands,
    rng: random.Random,
    ctx: Context,
    clients: list[UUID],
    leaving: list[UUID],
) -> int:
    """Most clients were in touch with their advisor in the last two months, and some
    rated the service during the year; the ones leaving were not, most of them complained
    and many rated the service low."""
    events = 0
    for client_id in clients:
        at = _days_ago(ctx, rng.randint(1, 60))
        if rng.random() < (0.6 if client_id in leaving else 0.3):
            low = client_id in leaving
            commands.clients.record_feedback(
                at if low else _days_ago(ctx, rng.randint(1, 365)),
                client_id,
                rng.randint(1, 2) if low else rng.choices((2, 3, 4, 5), (1, 3, 6, 6))[0],
                "",
                topic=rng.choice(("fees", "service_hours", "advisor") if low else TOPICS),
            )
            events += 1
        if client_id in leaving:
            if rng.random() < 0.75:
                commands.tickets.open(
                    at,
                    client_id=client_id,
                    type=TicketType.COMPLAINT,
                    priority=Priority.P3,
                    channel=TicketChannel.PHONE,
                    subject=rng.choice(COMPLAINTS),
                    description="The client called to complain and asked how to transfer out.",
                )
                events += 2
        elif rng.random() < 0.75:
            channel = rng.choice(list(Channel))
            commands.clients.log_interaction(at, client_id, channel, SUMMARIES[channel], at.at)
            events += 1
    return events


TOPICS = ("fees", "advisor", "products", "platform", "service_hours", "other")


def _days_ago(ctx: Context, days: int) -> Context:
    return Context(
        actor=ctx.actor, at=ctx.at - timedelta(days=days), correlation_id=ctx.correlation_id
    )


COMPLAINTS = (
    "Fees are higher than at other brokers",
    "Redemption took too long",
    "Advisor did not call back",
)


# The demo's staff: username, role, branch (advisors work for one).
DEMO_STAFF: tuple[tuple[str, Role, str | None], ...] = (
    ("advisor.wang", Role.ADVISOR, "SH-LUJIAZUI"),
    ("advisor.li", Role.ADVISOR, "BJ-JINRONGJIE"),
    ("advisor.chen", Role.ADVISOR, "SZ-FUTIAN"),
    ("agent.zhao", Role.AGENT, None),
    ("agent.sun", Role.AGENT, None),
    ("compliance.zhou", Role.COMPLIANCE, None),
    ("sqe.lin", Role.QUALITY, None),
    ("sqm.zhou", Role.QUALITY, None),
    ("mpl.wang", Role.MPL, None),
    ("editor.qian", Role.EDITOR, None),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    branch: str | None
    password: str


def _as(staff: StaffCommands, ctx: Context, username: str) -> Context:
    """The demo's context acting as one of its accounts (their id recorded as the actor)."""
    user = staff.find_user(username)
    return ctx.model_copy(update={"actor": str(user.id)}) if user else ctx


def _staff(staff: StaffCommands, ctx: Context) -> int:
    """The demo's staff accounts (each with a random password nobody knows yet:
    ``demo_logins`` gives each a new one to show)."""
    users = 0
    for name, role, branch in DEMO_STAFF:
        if staff.find_user(name) is None:
            staff.add_user(ctx, name, role, secrets.token_urlsafe(18), branch=branch)
            users += 1
    return users


def demo_logins(staff: StaffCommands, ctx: Context) -> list[DemoLogin]:
    """A new password for each demo account there is, to show once: how to sign in as
    each demo role."""
    logins = []
    for name, role, branch in DEMO_STAFF:
        user = staff.find_user(name)
        if user is None:
            continue
        password = secrets.token_urlsafe(12)
        staff.change_password(ctx, user.id, password)
        logins.append(DemoLogin(name, role.value, branch, password))
    return logins


def _client(
    commands: DemoCommands, rng: random.Random, ctx: Context, now: datetime, n: int
) -> tuple[UUID, str, int] | None:
    """One client with tags, interactions, feedback and an assessment: their id, branch and
    how many events they took (None when a run with the same seed loaded them already)."""
    clients = commands.clients
    registered_at = now - timedelta(days=rng.randint(30, 2000))
    at = Context(actor=ctx.actor, at=registered_at, correlation_id=ctx.correlation_id)
    name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
    professional = rng.random() < 0.1
    branch = rng.choice(BRANCHES)
    try:
        result = clients.register(
            at,
            name=name,
            id_number=f"{rng.randint(110000, 659999)}19{rng.randint(50, 99)}"
            f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{n:04d}",
            phone=f"+86 13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            email=f"{name.lower().replace(' ', '.')}.{n}@example.cn",
            address=f"{rng.randint(1, 999)} {rng.choice(STREETS)} Road",
            branch=branch,
            investor_type=InvestorType.PROFESSIONAL if professional else InvestorType.ORDINARY,
            tier=rng.choices(["standard", "gold", "platinum"], [70, 22, 8])[0],
        )
    except DuplicateFound:
        return None
    events = 2
    tags = rng.sample(TAGS, rng.randint(0, 2))
    if tags:
        clients.retag(at, result.id, tags, [])
        events += 1
    for _ in range(rng.randint(1, 3)):
        channel = rng.choice(list(Channel))
        when = registered_at + timedelta(days=rng.randint(1, 25))
        later = Context(actor=ctx.actor, at=when, correlation_id=ctx.correlation_id)
        clients.log_interaction(later, result.id, channel, SUMMARIES[channel], when)
        events += 1
    if rng.random() < 0.3:
        clients.record_feedback(
            ctx, result.id, rng.randint(3, 5), "Helpful advisor", topic="advisor"
        )
        events += 1
    events += _assess(commands.risk, rng, ctx, now, result.id)
    if professional and rng.random() < 0.5:
        commands.risk.exempt(ctx, result.id, "Qualified professional investor, documents on file")
        events += 1
    return result.id, branch, events


def _assess(
    risk: RiskCommands, rng: random.Random, ctx: Context, now: datetime, client_id: UUID
) -> int:
    """Most clients took the questionnaire in the last 14 months; a few never did."""
    if rng.random() < 0.08:
        return 0
    at = Context(
        actor=ctx.actor,
        at=now - timedelta(days=rng.randint(0, 420)),
        correlation_id=ctx.correlation_id,
    )
    appetite = rng.randint(0, 3)
    answers = {
        q.id: q.options[max(0, min(len(q.options) - 1, appetite + rng.choice((-1, 0, 0, 1))))].id
        for q in risk.current.questions
    }
    risk.assess(at, client_id, risk.current.version, answers)
    if rng.random() < 0.2:
        later = Context(
            actor=ctx.actor,
            at=min(now, at.at + timedelta(days=190)),
            correlation_id=ctx.correlation_id,
        )
        try:
            risk.confirm(later, client_id)
        except AssessmentExpired:
            return 2
        return 3
    return 2
