"""Assessments on each store: current assessment, view, confirmation, versions, policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.clients.questionnaires import SHIPPED
from adapters.shared.settings import Settings
from api.contexts import build_engine
from api.engine import Engine
from application.clients.commands import ClientCommands
from application.clients.risk import NoAssessment, RiskCommands
from domain.clients.policies import AssessmentPolicy
from domain.clients.registry import Client
from domain.clients.risk import RiskAssessment
from domain.shared.base import Context
from domain.shared.errors import InvalidField
from projections.clients.views import ClientsView
from tests.conftest import client_fields, open_branches


def all_answers(engine: Engine, pick: int = 1) -> dict[str, str]:
    return {
        q.id: q.options[min(pick, len(q.options) - 1)].id
        for q in engine.handler(RiskCommands).current.questions
    }


def test_when_assessed_then_client_points_to_it_and_view_shows_the_profile(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    taken = engine.handler(RiskCommands).assess(ctx, client.id, "2026-1", all_answers(engine))
    assert engine.store.repository.get(client.id).assessment_id == taken.result.id
    engine.projector.catch_up()
    row = engine.view(ClientsView).get(engine.db, client.id)
    assert row is not None
    assert row["risk"]["assessment_id"] == str(taken.result.id)
    assert row["risk"]["level"] == taken.assessed.level.value
    assert row["risk"]["score"] == taken.assessed.score
    assert row["version"] == 2  # the client's own version, not the assessment's


def test_given_assessment_when_confirmed_then_view_review_date_moves(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    taken = engine.handler(RiskCommands).assess(ctx, client.id, "2026-1", all_answers(engine))
    result = engine.handler(RiskCommands).confirm(ctx, client.id)
    assert result.id == taken.result.id
    assert result.version == 2
    engine.projector.catch_up()
    row = engine.view(ClientsView).get(engine.db, client.id)
    assert row is not None
    assert row["risk"]["expires_at"] == taken.assessed.expires_at.isoformat()


def test_given_no_assessment_when_confirming_then_conflict(engine: Engine, ctx: Context) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    with pytest.raises(NoAssessment):
        engine.handler(RiskCommands).confirm(ctx, client.id)


def test_given_new_assessment_then_the_older_one_keeps_its_record(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    first = engine.handler(RiskCommands).assess(ctx, client.id, "2026-1", all_answers(engine, 0))
    second = engine.handler(RiskCommands).assess(ctx, client.id, "2026-1", all_answers(engine, 3))
    assert engine.store.repository.get(client.id).assessment_id == second.result.id
    older: Any = engine.store.repository.get(first.result.id)
    assert isinstance(older, RiskAssessment)
    assert older.level == first.assessed.level


def test_when_exempting_a_professional_then_recorded_and_shown(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(
        ctx, **client_fields(investor_type="professional")
    )
    engine.handler(RiskCommands).exempt(ctx, client.id, "qualified institutional investor")
    aggregate: Any = engine.store.repository.get(client.id)
    assert isinstance(aggregate, Client)
    assert aggregate.exempt
    engine.projector.catch_up()
    row = engine.view(ClientsView).get(engine.db, client.id)
    assert row is not None
    assert row["suitability_exemption"] == {
        "exempt": True,
        "reason": "qualified institutional investor",
    }


def test_a_new_questionnaire_version_loads_from_a_directory_and_old_ones_stay(
    settings: Settings, ctx: Context, tmp_path: Path
) -> None:
    shipped = json.loads((SHIPPED / "2026-1.json").read_text())
    shipped["version"] = "2027-1"
    shipped["questions"][0]["text"] = "How old are you?"
    extra = tmp_path / "questionnaires"
    extra.mkdir()
    (extra / "2027-1.json").write_text(json.dumps(shipped))
    policy = AssessmentPolicy(retired_questionnaires=("2026-1",))
    engine = open_branches(
        build_engine(
            settings.model_copy(update={"questionnaire_dir": extra, "assessment_policy": policy})
        )
    )
    try:
        assert engine.handler(RiskCommands).current.version == "2027-1"
        client = engine.handler(ClientCommands).register(ctx, **client_fields())
        with pytest.raises(InvalidField) as err:
            engine.handler(RiskCommands).assess(ctx, client.id, "2026-1", all_answers(engine))
        assert err.value.field == "questionnaire_version"
        taken = engine.handler(RiskCommands).assess(ctx, client.id, "2027-1", all_answers(engine))
        assert taken.assessed.questionnaire_version == "2027-1"
        assert set(engine.handler(RiskCommands).questionnaires) == {"2026-1", "2027-1"}
    finally:
        engine.close()
