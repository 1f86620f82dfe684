"""Demo supplier quality: suppliers with sites along the lifecycle, self-assessments and
on-site audits, AVL entries, 3SQS ratings, corrective actions, and CQP plans at various
milestones (some passed with waivers, some overdue)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from application.cqp import CQPCommands
from application.suppliers import SupplierCommands
from domain.cqp import (
    MILESTONES,
    Cpk,
    CQPPlan,
    Criterion,
    DeliverableKind,
    DpmAgainstSpecification,
    DpmInApplication,
    Fit,
    Member,
    Waiver,
)
from domain.shared.base import Context
from domain.shared.errors import Conflict
from domain.suppliers import (
    NEXT,
    SECTIONS,
    AssessmentKind,
    AvlDecision,
    CaStep,
    Finding,
    FindingArea,
    Severity,
    Site,
    SqsStep,
    Stage,
)

SUPPLIERS = [
    ("Delta Precision Connectors", ["connectors", "cables"]),
    ("Kunshan Everbright PCB", ["pcb"]),
    ("Tianjin Hongda Plastics", ["plastic_parts"]),
    ("Taoyuan Sunrise Passive Components", ["capacitors", "resistors"]),
    ("Suzhou Mingtai Metal Stamping", ["metal_parts", "shields"]),
    ("Dongguan Greatwall Batteries", ["batteries"]),
    ("Xiamen Bluesky Displays", ["displays"]),
    ("Shenzhen Fastlink Modules", ["rf_modules", "antennas"]),
    ("Hsinchu Lumen Semiconductors", ["ics"]),
    ("Ningbo Orient Packaging", ["packaging"]),
    ("Wuxi Crest Magnetics", ["inductors", "transformers"]),
    ("Chengdu Apex Cable Assemblies", ["cables"]),
]
CITIES = [
    ("Kunshan", "CN"),
    ("Tianjin", "CN"),
    ("Taoyuan", "TW"),
    ("Suzhou", "CN"),
    ("Dongguan", "CN"),
    ("Shenzhen", "CN"),
    ("Penang", "MY"),
]
PROGRAMMES = ["Falcon", "Heron", "Kestrel"]
COMPONENTS = ["USB-C receptacle", "Main PCB", "Battery pack", "Display module", "RF front end"]
PROBLEMS = [
    ("Burrs on connector pins", Severity.MAJOR),
    ("Solder mask misregistration", Severity.MINOR),
    ("Short shots in housing", Severity.MAJOR),
    ("Wrong reel labels", Severity.MINOR),
    ("Cell swelling at incoming inspection", Severity.CRITICAL),
]


class Clock:
    """A demo actor's time, moving forward a few days per step (never past now)."""

    def __init__(self, actor: str, start: datetime, now: datetime) -> None:
        self.actor, self.at, self.now = actor, start, now

    def __call__(self, days: float = 0) -> Context:
        self.at = min(self.now, self.at + timedelta(days=days))
        return Context(actor=self.actor, at=self.at, correlation_id="demo:suppliers")


def load_suppliers(
    suppliers: SupplierCommands,
    cqp: CQPCommands,
    rng: random.Random,
    actor: str,
    now: datetime,
) -> dict[str, int]:
    """Suppliers over the past two years and a CQP plan for most of the advanced ones."""
    made, plans = 0, 0
    for n, (name, categories) in enumerate(SUPPLIERS):
        ctx = Clock(actor, now - timedelta(days=rng.randint(200, 700)), now)

        city, country = CITIES[n % len(CITIES)]
        second, second_country = CITIES[(n + 3) % len(CITIES)]
        sites = [Site(name=city, country=country, city=city)]
        if rng.random() < 0.5:
            sites.append(Site(name=second, country=second_country, city=second))
        supplier = suppliers.register(ctx(), name, sites, categories).id
        made += 1
        target = list(Stage).index(Stage.DELIVERY) if n < 8 else rng.randint(1, 5)
        for stage in list(Stage)[1 : target + 1]:
            suppliers.move(ctx(rng.randint(5, 20)), supplier, stage, None)
            if stage is Stage.SAMPLE:
                suppliers.assess(
                    ctx(),
                    supplier,
                    kind=AssessmentKind.SELF,
                    site=city,
                    on=ctx.at.date(),
                    auditors=[],
                    scores=_scores(rng, 3.2),
                    findings=[],
                )
            if stage is Stage.AVL:
                _audit_and_list(suppliers, rng, ctx, supplier, city, categories, n)
        if target >= list(Stage).index(Stage.DELIVERY) and rng.random() < 0.6:
            suppliers.move(ctx(rng.randint(60, 200)), supplier, NEXT[Stage.DELIVERY][0], None)
        _quality_records(suppliers, rng, ctx, supplier)
        if n == 9:
            suppliers.suspend(ctx(1), supplier, "Late deliveries three months running")
        if n < 8 and rng.random() < 0.85:
            plans += _plan(cqp, rng, ctx, supplier, n)
    return {"suppliers": made, "cqp_plans": plans}


def _scores(rng: random.Random, level: float) -> dict[str, list[int]]:
    return {
        section: [max(0, min(4, round(rng.gauss(level, 0.6)))) for _ in range(count)]
        for section, count in SECTIONS.items()
    }


def _audit_and_list(
    suppliers: SupplierCommands,
    rng: random.Random,
    at: Clock,
    supplier: UUID,
    site: str,
    categories: list[str],
    n: int,
) -> None:
    level = 3.7 if n % 4 == 0 else 3.2
    if n == 5:  # this one fails first and is audited again
        suppliers.assess(
            at(3),
            supplier,
            kind=AssessmentKind.ONSITE,
            site=site,
            on=at().at.date(),
            auditors=["sqe.lin", "sqm.zhou"],
            scores=_scores(rng, 2.0),
            findings=[
                Finding(area=FindingArea.PLATING, severity=Severity.MAJOR, text="Bath not logged")
            ],
        )
    suppliers.assess(
        at(30 if n == 5 else 3),
        supplier,
        kind=AssessmentKind.ONSITE,
        site=site,
        on=at().at.date(),
        auditors=["sqe.lin", "sqm.zhou"],
        scores={s: [max(2, i) for i in v] for s, v in _scores(rng, level).items()},
        findings=[
            Finding(
                area=rng.choice(list(FindingArea)),
                severity=Severity.MINOR,
                text="Calibration labels missing on two gauges",
            )
        ],
    )
    for category in categories:
        decision = AvlDecision.APPROVE if rng.random() < 0.75 else AvlDecision.APPROVE_CONDITIONAL
        try:
            suppliers.decide_avl(at(1), supplier, category, decision, "On-site audit passed")
        except Conflict:  # the audit did not pass after all: not listed
            return


def _quality_records(
    suppliers: SupplierCommands, rng: random.Random, at: Clock, supplier: UUID
) -> None:
    for step in SqsStep:
        if rng.random() < 0.7:
            suppliers.rate_sqs(at(1), supplier, step, rng.randint(1, 4), "Reviewed at QBR")
    for _ in range(rng.randint(0, 2)):
        problem, severity = rng.choice(PROBLEMS)
        _, action = suppliers.open_corrective_action(at(2), supplier, problem, None, severity)
        for ca_step, text in (
            (CaStep.ANALYSED, "Root cause found by 5-why"),
            (CaStep.ACTION_TAKEN, "Process changed and operators trained"),
            (CaStep.VERIFIED, "Three lots clean"),
            (CaStep.CLOSED, "Closed at the QBR"),
        ):
            if rng.random() < 0.3:
                break
            effective = True if ca_step is CaStep.VERIFIED else None
            suppliers.advance_corrective_action(at(5), supplier, action, ca_step, text, effective)


def _plan(cqp: CQPCommands, rng: random.Random, at: Clock, supplier: UUID, n: int) -> int:
    begin = at(2).at.date()
    dates = {m: begin + timedelta(days=25 * (i + 1)) for i, m in enumerate(MILESTONES)}
    plan = cqp.create(
        at(),
        programme=PROGRAMMES[n % len(PROGRAMMES)],
        component=COMPONENTS[n % len(COMPONENTS)],
        supplier_id=supplier,
        criteria=rng.sample(list(Criterion), rng.randint(1, 3)),
        milestone_plan=dates,
    ).id
    cqp.evaluate(at(1), plan, True, "Meets the CQP criteria")
    cqp.review(
        at(2),
        plan,
        [Member(name="Lin Tao", role="SQE"), Member(name="Zhao Min", role="PM")],
    )
    cqp.agree(at(1), plan)
    cqp.set_team(
        at(1),
        plan,
        [
            Member(name="Wang Fang", role="MPL"),
            Member(name="Lin Tao", role="SQE"),
            Member(name="Guo Hui", role="R&D"),
        ],
    )
    cqp.set_targets(
        at(1),
        plan,
        [
            DpmInApplication(value=Decimal(50)),
            DpmAgainstSpecification(value=Decimal(200)),
            Cpk(value=Decimal("1.33")),
            Fit(value=Decimal(10)),
        ],
    )
    policy = cqp.policy
    for milestone in MILESTONES[: rng.randint(0, len(MILESTONES))]:
        day = dates[milestone] + timedelta(days=rng.randint(-5, 10))
        if day > at.now.date():
            break
        at.at = max(at.at, datetime.combine(day, at.at.timetz()))
        for kind in policy.required.get(milestone, ()):
            if rng.random() < 0.85:
                cqp.record_deliverable(at(), plan, kind, f"{kind.value.upper()}-{n:03d}", "sqe.lin")
        missing = cqp.load(CQPPlan, plan).missing_for(milestone, policy)
        waiver = (
            Waiver(missing=missing, reason="Agreed at the gate review", approved_by="sqm.zhou")
            if missing
            else None
        )
        cqp.pass_milestone(at(), plan, milestone, day, None, waiver)
        if milestone.value == "E2":
            cqp.record_actuals(
                at(),
                plan,
                [Cpk(value=Decimal(str(round(rng.uniform(1.1, 1.6), 2)))), Fit(value=Decimal(8))],
            )
            cqp.record_deliverable(
                at(), plan, DeliverableKind.PROCESS_ASSESSMENT, f"PA-{n:03d}", "sqe.lin"
            )
    return 1
