"""Replay of recorded decisions, for compliance: the inputs rebuilt from the aggregates as
they stood, the recorded rule run on them again, and the verdict of today's rule beside it.

Versions, not timestamps, say which state a decision read: a command reads the current
version of each aggregate, whatever instants earlier events carry.

A replay reads only the event store. It never trusts the decision event's own copy of its
inputs: it rebuilds them from the assessment, fund and client at their recorded versions,
so a decision that no longer follows from the recorded facts shows up as inconsistent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from application.compliance.history import History, Recorded
from application.shared.store import Store
from domain.clients import Client, RiskAssessment
from domain.cqp import CQPPlan, CQPPolicy, Milestone
from domain.funds import Fund, fund_id
from domain.shared.errors import DomainError, NotFound
from domain.suitability import (
    RULE_VERSION,
    AssessmentInput,
    Decision,
    FundInput,
    Inputs,
    Purchase,
    decide,
)
from domain.suppliers import Supplier, SupplierPolicy

Rule = Callable[[Inputs], Decision]
RULES: dict[str, Rule] = {RULE_VERSION: decide}


class Verdict(BaseModel):
    """A decision's outcome as the replay compares it."""

    rule_version: str
    outcome: str
    mismatches: list[dict[str, str]]
    warning_text: str | None

    @classmethod
    def of(cls, decision: Decision) -> Verdict:
        return cls(
            rule_version=decision.rule_version,
            outcome=decision.outcome.value,
            mismatches=[_json(m) for m in decision.mismatches],
            warning_text=decision.warning_text,
        )


class PurchaseReplay(BaseModel):
    timeline: list[Recorded]
    inputs: dict[str, Any]
    recorded: Verdict
    recomputed: Verdict | None
    consistent: bool
    differences: list[str]
    under_current_rules: Verdict


class CommandReplay(BaseModel):
    """A supplier or CQP decision re-executed on the aggregate as it stood just before it,
    with the policy it was taken under, and again with today's policy."""

    timeline: list[Recorded]
    inputs: dict[str, Any]
    recorded: dict[str, Any]
    recomputed: dict[str, Any]
    consistent: bool
    differences: list[str]
    under_current_rules: dict[str, Any]


class DecisionReplay:
    def __init__(
        self,
        store: Store,
        supplier_policy: SupplierPolicy,
        cqp_policy: CQPPolicy,
        rules: dict[str, Rule] | None = None,
        current_rule: str = RULE_VERSION,
    ) -> None:
        self.store = store
        self.history = History(store)
        self.supplier_policy = supplier_policy
        self.cqp_policy = cqp_policy
        self.rules = rules or RULES
        self.current_rule = current_rule

    # -- purchases ----------------------------------------------------------------------

    def purchase(self, purchase_id: Any) -> PurchaseReplay:
        timeline = self.history.events(Purchase, purchase_id)
        requested: Any = next(iter(self.store.events.get(purchase_id, lte=1)))  # pragma: no mutate
        recorded_inputs: Inputs = requested.inputs
        rebuilt = self.rebuilt_inputs(requested)
        recorded = Verdict.of(requested.decision)
        rule = self.rules.get(requested.decision.rule_version)
        recomputed = Verdict.of(rule(rebuilt)) if rule is not None else None
        differences = [
            f"input {name} was recorded as {was}, the aggregates now give {now}"
            for name, was, now in _changed(_json(recorded_inputs), _json(rebuilt))
        ]
        if rule is None:
            differences.append(f"rule version {requested.decision.rule_version} is unknown")
        elif recomputed != recorded:
            differences.append("the recorded rule, run again, decides otherwise")
        return PurchaseReplay(
            timeline=timeline,
            inputs=self.inputs_report(rebuilt, requested),
            recorded=recorded,
            recomputed=recomputed,
            consistent=not differences,
            differences=differences,
            under_current_rules=Verdict.of(self.rules[self.current_rule](rebuilt)),
        )

    def rebuilt_inputs(self, requested: Purchase.Requested) -> Inputs:
        """The decision's inputs from the aggregates at the versions it recorded (the client
        as of the request)."""
        recorded = requested.inputs
        if recorded.client_version is not None:
            client = self.history.at_version(Client, requested.client_id, recorded.client_version)
        else:  # older records: the client as of the request
            client = self.history.as_of(Client, requested.client_id, requested.timestamp)
        assessment = None
        if recorded.assessment is not None:
            a = self.history.at_version(
                RiskAssessment, recorded.assessment.id, recorded.assessment.version
            )
            assessment = AssessmentInput(
                id=a.id,
                version=a.version,
                level=a.level,
                horizon=a.horizon,
                varieties=a.varieties,
                lowest_category=a.lowest_category,
                expires_at=a.expires_at,
            )
        f = self.history.at_version(Fund, fund_id(recorded.fund.code), recorded.fund.version)
        return Inputs(
            investor_type=client.investor_type.value,
            exempt=client.exempt,
            assessment=assessment,
            fund=FundInput(
                code=f.code,
                version=f.version,
                risk_rating=f.risk_rating,
                horizon=f.horizon,
                variety=f.variety,
            ),
            at=recorded.at,
            client_version=recorded.client_version,
        )

    def inputs_report(self, inputs: Inputs, requested: Purchase.Requested) -> dict[str, Any]:
        assessment = None
        if inputs.assessment is not None:
            first = self.store.events.get(inputs.assessment.id, lte=1)  # pragma: no mutate
            assessed: Any = next(iter(first))
            assessment = {
                **_json(inputs.assessment),
                "answers": assessed.answers,
                "questionnaire_version": assessed.questionnaire_version,
            }
        return {
            "assessment": assessment,
            "fund": _json(inputs.fund),
            "rule_version": requested.decision.rule_version,
            "client": {
                "version": inputs.client_version,
                "investor_type": inputs.investor_type,
                "exemption": inputs.exempt,
            },
            "at": inputs.at.isoformat(),
        }

    # -- supplier AVL decisions ---------------------------------------------------------

    def avl(self, supplier_id: Any, category: str) -> CommandReplay:
        """The latest AVL decision on a category of the supplier."""
        timeline = self.history.events(Supplier, supplier_id)
        event = self._last(
            supplier_id,
            Supplier.AvlDecided,
            lambda e: e.entry.category == category,
            f"no AVL decision on {category}",
        )
        version = event.originator_version - 1
        before = self.history.at_version(Supplier, supplier_id, version)
        policy = event.policy or _known(self.supplier_policy, event.policy_version)

        def run(policy: SupplierPolicy | None) -> dict[str, Any]:
            if policy is None:
                return {"error": f"policy version {event.policy_version} is unknown"}
            return _rerun(
                self.history.at_version(Supplier, supplier_id, version),
                lambda s, ctx: s.decide_avl(
                    ctx, category, event.decision, event.entry.reason, policy
                ),
                event,
            )

        audit = before.last_onsite()
        inputs = {
            "category": category,
            "decision": event.decision.value,
            "status": before.status.value,
            "last_onsite_audit": _json(audit) if audit else None,
            "reaudit_due_at": before.reaudit_due_at.isoformat() if before.reaudit_due_at else None,
            "policy_version": event.policy_version,
            "policy": _json(policy) if policy else None,
        }
        return _command_replay(timeline, inputs, event, run(policy), run(self.supplier_policy))

    # -- CQP milestone passes -----------------------------------------------------------

    def milestone(self, plan_id: Any, milestone: Milestone) -> CommandReplay:
        """The pass of one milestone of a plan, with its waiver if any."""
        timeline = self.history.events(CQPPlan, plan_id)
        event = self._last(
            plan_id,
            CQPPlan.MilestonePassed,
            lambda e: e.passage.milestone is milestone,
            f"milestone {milestone.value} has not passed",
        )
        version = event.originator_version - 1
        before = self.history.at_version(CQPPlan, plan_id, version)
        policy = event.policy or _known(self.cqp_policy, event.passage.policy_version)
        passage = event.passage

        def run(policy: CQPPolicy | None) -> dict[str, Any]:
            if policy is None:
                return {"error": f"policy version {passage.policy_version} is unknown"}
            return _rerun(
                self.history.at_version(CQPPlan, plan_id, version),
                lambda p, ctx: p.pass_milestone(
                    ctx, milestone, passage.date, passage.note, passage.waiver, policy
                ),
                event,
            )

        inputs = {
            "milestone": milestone.value,
            "deliverables": [_json(d) for d in before.deliverables],
            "missing": [k.value for k in before.missing_for(milestone, policy)] if policy else None,
            "waiver": _json(passage.waiver) if passage.waiver else None,
            "passed_before": [p.milestone.value for p in before.passed],
            "policy_version": passage.policy_version,
            "policy": _json(policy) if policy else None,
        }
        return _command_replay(timeline, inputs, event, run(policy), run(self.cqp_policy))

    def _last(
        self, aggregate_id: Any, kind: type[Any], chosen: Callable[[Any], bool], missing: str
    ) -> Any:
        events: Iterable[Any] = self.store.events.get(aggregate_id, desc=True)
        found = next((e for e in events if isinstance(e, kind) and chosen(e)), None)
        if found is None:
            raise NotFound(missing)
        return found


def _json(model: BaseModel) -> dict[str, Any]:
    """A model as the plain JSON a report holds."""
    data: dict[str, Any] = model.model_dump(mode="json")
    return data


def _changed(
    recorded: dict[str, Any], rebuilt: dict[str, Any], prefix: str = ""
) -> list[tuple[str, Any, Any]]:
    """Each input whose rebuilt value differs from the recorded one, by its dotted name."""
    found: list[tuple[str, Any, Any]] = []
    for key in dict.fromkeys([*recorded, *rebuilt]):
        was, now = recorded.get(key), rebuilt.get(key)
        if isinstance(was, dict) and isinstance(now, dict):
            found += _changed(was, now, f"{prefix}{key}.")
        elif was != now:
            found.append((f"{prefix}{key}", was, now))
    return found


def _known(current: Any, version: str) -> Any:
    """A policy recorded only by its version (older events): the current one if it is that
    version, else the default of that version, else unknown."""
    if current.version == version:
        return current
    default = type(current)()
    return default if default.version == version else None


def _rerun(before: Any, command: Callable[[Any, Any], None], event: Any) -> dict[str, Any]:
    """Run the command again on a copy of the aggregate as it stood, at the recorded instant
    by the recorded actor: the event it records now, or the refusal."""
    from domain.shared.base import Context  # noqa: PLC0415 - only replays build contexts

    ctx = Context(
        actor=event.meta.actor,
        at=event.timestamp,
        correlation_id=event.meta.correlation_id,
    )
    try:
        command(before, ctx)
    except DomainError as e:
        return {"outcome": "refused", "error": e.message}
    recorded = before.collect_events()
    if not recorded:  # unreachable while every replayed command records or refuses
        return {"outcome": "nothing recorded"}  # pragma: no mutate
    return {"outcome": "recorded", "event": _decision(recorded[-1])}


def _decision(event: Any) -> dict[str, Any]:
    data: dict[str, Any] = event.model_dump(mode="json", exclude={"meta", "originator_id"})
    return data


def _command_replay(
    timeline: list[Recorded],
    inputs: dict[str, Any],
    event: Any,
    recomputed: dict[str, Any],
    current: dict[str, Any],
) -> CommandReplay:
    recorded: dict[str, Any] = {"outcome": "recorded", "event": _decision(event)}
    if event.policy is None:  # an older record kept only the policy's version, not the policy
        for result in (recorded, recomputed, current):
            result.get("event", {}).pop("policy", None)
    differences = (
        [] if recomputed == recorded else ["re-executed, the decision comes out otherwise"]
    )
    return CommandReplay(
        timeline=timeline,
        inputs=inputs,
        recorded=recorded,
        recomputed=recomputed,
        consistent=not differences,
        differences=differences,
        under_current_rules=current,
    )
