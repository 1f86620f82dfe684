"""Supplier and CQP document views on each store: the view holds exactly the state the
aggregate has, whether built a batch at a time or an event at a time."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal
from typing import Any

from api.engine import Engine
from application.cqp.commands import CQPCommands
from application.suppliers.commands import SupplierCommands
from domain.cqp.measures import Cpk
from domain.cqp.milestones import MILESTONES, DeliverableKind, Milestone, Waiver
from domain.cqp.phases import Criterion, Member
from domain.shared.base import Context, Snapshot
from domain.suppliers.audits import SECTIONS, AssessmentKind, Severity
from domain.suppliers.avl import AvlDecision
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import Site, Stage
from domain.suppliers.sqs import SqsStep
from projections.cqp.views import CQPPlansView
from projections.shared.worker import ProjectionWorker
from projections.suppliers.views import SuppliersView


def _history(engine: Engine, ctx: Context) -> tuple[Any, Any]:
    s = engine.handler(SupplierCommands)
    supplier = s.register(
        ctx, "Delta", [Site(name="Kunshan", country="CN", city="Kunshan")], ["connectors"]
    ).id
    s.move(ctx, supplier, Stage.SURVEY, "visit")
    scores = {k: [3] * n for k, n in SECTIONS.items()}
    s.assess(
        ctx,
        supplier,
        kind=AssessmentKind.ONSITE,
        site="Kunshan",
        on=ctx.at.date(),
        auditors=["sqe"],
        scores=scores,
        findings=[],
    )
    s.decide_avl(ctx, supplier, "connectors", AvlDecision.APPROVE, "passed")
    s.rate_sqs(ctx, supplier, SqsStep.PREVENTION, 3, "FMEA")
    _, ca = s.open_corrective_action(ctx, supplier, "burrs", None, Severity.MAJOR)
    s.advance_corrective_action(ctx, supplier, ca, CaStep.ANALYSED, "die")
    c = engine.handler(CQPCommands)
    plan_dates = {m: ctx.at.date() - timedelta(days=100 - 10 * i) for i, m in enumerate(MILESTONES)}
    plan = c.create(
        ctx,
        programme="Falcon",
        component="Receptacle",
        supplier_id=supplier,
        criteria=[Criterion.NEW_SUPPLIER],
        milestone_plan=plan_dates,
    ).id
    c.evaluate(ctx, plan, True, "new supplier")
    c.review(ctx, plan, [Member(name="Lin", role="SQE")])
    c.agree(ctx, plan)
    c.set_team(ctx, plan, [Member(name="Wang", role="MPL")])
    c.set_targets(ctx, plan, [Cpk(value=Decimal("1.33"))])
    c.record_actuals(ctx, plan, [Cpk(value=Decimal("1.2"))])
    c.record_deliverable(ctx, plan, DeliverableKind.DFMEA, "D-1", "sqe")
    waiver = Waiver(
        missing=[DeliverableKind.KEY_COMPONENT_LIST], reason="follows", approved_by="sqm"
    )
    c.pass_milestone(ctx, plan, Milestone.A0, ctx.at.date(), None, waiver)
    return supplier, plan


def test_document_views_hold_the_aggregates_state_in_batches_or_one_by_one(
    engine: Engine, ctx: Context
) -> None:
    # Given a supplier and a CQP plan with every kind of event
    supplier, plan = _history(engine, ctx)
    for suffix, size in (("_one", 1), ("_all", 10_000)):
        # When a copy of each view is built with that batch size
        for view, aggregate_id in ((SuppliersView(suffix), supplier), (CQPPlansView(suffix), plan)):
            view.create(engine.db)
            config = dataclasses.replace(engine.worker_config, batch_size=size)
            ProjectionWorker(engine.store, engine.db, view, config).catch_up()
            # Then the view's state is the aggregate's, as the repository loads it
            found = view.load(engine.db, str(aggregate_id))
            assert found is not None
            held, _ = found
            stored: Any = engine.store.repository.get(aggregate_id)
            assert Snapshot.take(held).state == Snapshot.take(stored).state
            assert held.version == stored.version > 5
    with engine.db.read() as tx:
        [row] = tx.query("SELECT * FROM view_supplier_categories_all")
    assert row["avl_status"] == "approved"
