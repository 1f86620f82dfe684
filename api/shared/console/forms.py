"""Forms on pages: the posted fields read into the API's own request models, and every
refusal turned into a message by the field it concerns (a catalog key, or the domain's
words when no key says it better)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from application.shared.common import CommandResult, Idempotency
from domain.shared.errors import Conflict, InvalidField, InvalidFields

if TYPE_CHECKING:
    from api.shared.console.desk import Desk

M = TypeVar("M", bound=BaseModel)
FORM_ONLY = frozenset({"csrf", "form_key", "version"})

# Pydantic's error types, as the catalog's keys (templates/macros.html).
KEYS = {
    "missing": "required",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "enum": "invalid",
    "literal_error": "invalid",
    "int_parsing": "invalid",
    "decimal_parsing": "invalid",
    "greater_than": "invalid",
    "greater_than_equal": "invalid",
    "less_than_equal": "invalid",
}


class Refusal(Exception):
    """A form refused field by field (the page shows it again with the messages)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def fields(form: Mapping[str, Any]) -> dict[str, Any]:
    """A posted form as the request model's fields: blank ones left out (optional), the
    form's own fields dropped."""
    return {
        name: value
        for name, value in form.items()
        if name not in FORM_ONLY and not (isinstance(value, str) and not value.strip())
    }


def one_of(value: str | None, allowed: Iterable[str], field: str) -> str | None:
    """A filter's chosen value: blank is none; one not offered names its field (422)."""
    if not value or not value.strip():
        return None
    offered = tuple(allowed)
    if value.strip() not in offered:
        raise InvalidField(field, f"must be one of {', '.join(offered)}")
    return value.strip()


def read(model: type[M], data: Mapping[str, Any]) -> M:
    """The request model from a form's fields, or a ``Refusal`` naming each field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as e:
        errors: dict[str, str] = {}
        for error in e.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(name, KEYS.get(error["type"], error["msg"]))
        raise Refusal(errors) from None


def refused(error: InvalidField) -> dict[str, str]:
    """A domain refusal by field, in the domain's words."""
    pairs = error.errors if isinstance(error, InvalidFields) else [(error.field, error.reason)]
    return dict(pairs)


def text(values: Mapping[str, Any], name: str, most: int = 2000) -> str:
    """A required line or paragraph of a form, trimmed (a refusal names the field)."""
    given = str(values.get(name, "")).strip()
    if not given:
        raise Refusal({name: "required"})
    if len(given) > most:
        raise Refusal({name: "too_long"})
    return given


def conflict(error: Conflict, _: Mapping[str, Any]) -> dict[str, Any]:
    """A refusal by a rule of the record's state, in the domain's words."""
    return {"kind": "rule", "detail": str(error)}


# How a page shows itself again after a refusal: status, then errors, refusal and values.
Again = Callable[..., Response]


async def attempt(
    desk: Desk,
    run: Callable[[dict[str, Any], Idempotency | None], CommandResult],
    again: Again,
    then: str,
    refusal: Callable[[Conflict, Mapping[str, Any]], dict[str, Any]] = conflict,
    lists: tuple[str, ...] = (),
) -> Response:
    """Run a command with a posted form's fields (``lists``: fields sent several times,
    as lists) and its idempotency, then go on to ``then``. A refused form is its page
    again: field errors as a 422, a rule of the record's state as a 409 with ``refusal``'s
    reading of it."""
    form = await desk.request.form()
    values: dict[str, Any] = fields(form)
    values.update({name: form.getlist(name) for name in lists})
    try:
        done = run(values, desk.once(form))
    except Refusal as e:
        return again(422, errors=e.errors, values=values)
    except InvalidField as e:
        return again(422, errors=refused(e), values=values)
    except Conflict as e:
        return again(409, refusal=refusal(e, values), values=values)
    return desk.redirect(then, done.position)
