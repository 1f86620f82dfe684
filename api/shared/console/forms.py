"""Forms on pages: the posted fields read into the API's own request models, and every
refusal turned into a message by the field it concerns (a catalog key, or the domain's
words when no key says it better)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from domain.shared.errors import InvalidField, InvalidFields

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
