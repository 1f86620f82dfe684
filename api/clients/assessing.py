"""The console's risk-assessment pages: the current questionnaire as a form answered for a
client, the result (printable, with the answers as recorded), and confirming an unchanged
profile."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.clients.scope import check_client
from api.shared.console.desk import Desk, staff
from api.shared.console.forms import refused
from application.clients.commands import ClientCommands
from application.clients.risk import RiskCommands
from application.compliance import History
from domain.clients.registry import Client
from domain.clients.risk import RiskAssessment
from domain.shared.errors import InvalidField, NotFound
from domain.staff import Role
from projections.clients.views import ClientsView

router = APIRouter(include_in_schema=False)
Advisors = Annotated[Desk, Depends(staff(Role.ADMIN, Role.ADVISOR))]
Readers = Annotated[
    Desk,
    Depends(staff(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE, reads=(ClientsView,))),
]
Service = Annotated[Desk, Depends(staff(Role.ADMIN, Role.ADVISOR, Role.AGENT))]


@router.get("/clients/{client_id}/assessment")
def questionnaire(desk: Advisors, client_id: UUID) -> Response:
    """The current questionnaire, to answer with the client."""
    return _form(desk, check_client(desk.engine, desk.me, client_id), {}, {})


def _form(desk: Desk, client: Client, answers: dict[str, str], errors: dict[str, str]) -> Response:
    return desk.page(
        "clients/assessment.html",
        422 if errors else 200,
        client=client,
        questionnaire=desk.engine.handler(RiskCommands).current,
        answers=answers,
        errors={k.removeprefix("answers."): v for k, v in errors.items()},
    )


@router.post("/clients/{client_id}/assessment")
async def assess(desk: Advisors, client_id: UUID) -> Response:
    """Score the answers; the result page follows."""
    client = check_client(desk.engine, desk.me, client_id)
    form = await desk.request.form()
    answers = {k.removeprefix("q_"): str(v) for k, v in form.items() if k.startswith("q_") and v}
    version = str(form.get("questionnaire_version", ""))
    try:
        taken = desk.engine.handler(RiskCommands).assess(
            desk.context(), client_id, version, answers, desk.once(form)
        )
    except InvalidField as e:
        return _form(desk, client, answers, refused(e))
    return desk.redirect(
        f"/clients/{client_id}/assessments/{taken.result.id}", taken.result.position
    )


@router.get("/clients/{client_id}/assessments/{assessment_id}")
def result(desk: Readers, client_id: UUID, assessment_id: UUID) -> Response:
    """An assessment's result with the answers as recorded, ready to print and sign."""
    client = check_client(desk.engine, desk.me, client_id)
    engine = desk.engine
    events = engine.handler(History).events(RiskAssessment, assessment_id)
    taken = events[0].data
    if taken["client_id"] != str(client_id):
        raise NotFound(f"assessment {assessment_id} not found")
    now = engine.handler(ClientCommands).load(RiskAssessment, assessment_id)
    version = taken["questionnaire_version"]
    asked = engine.handler(RiskCommands).questionnaires[version]
    answered: list[dict[str, Any]] = [
        {"question": q.text, "answer": (q.option(taken["answers"].get(q.id, "")) or q).text}
        for q in asked.questions
    ]
    return desk.page(
        "clients/assessment_result.html",
        client=client,
        taken=taken,
        assessed_at=events[0].at,
        review_due_at=now.review_due_at,
        answered=answered,
        current=client.assessment_id == assessment_id,
    )


@router.post("/clients/{client_id}/assessment/confirm")
async def confirm(desk: Service, client_id: UUID) -> Response:
    """The client confirms an unchanged profile: the next review moves."""
    check_client(desk.engine, desk.me, client_id)
    form = await desk.request.form()
    done = desk.engine.handler(RiskCommands).confirm(desk.context(), client_id, desk.once(form))
    return desk.redirect(f"/clients/{client_id}#risk", done.position)
