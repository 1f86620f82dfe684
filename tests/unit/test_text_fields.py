"""Every text field a request can carry refuses NUL and the other control characters; only
the multi-line ones take line breaks and tabs."""

from __future__ import annotations

import importlib
import json
import pkgutil
import types
import typing
from collections.abc import Iterator
from enum import Enum
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import api
from api.shared.schemas import MultiLine, Strict

HOLE = "@@"  # where the text goes in a field's JSON value


def request_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(api.__path__, "api."):
        if info.name.endswith(".schemas"):
            importlib.import_module(info.name)
    found: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [Strict]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def text_paths(model: type[BaseModel]) -> Iterator[tuple[str, Any, bool]]:
    """Each text field as (name, a value holding ``x`` there, whether it is multi-line)."""
    for name, info in model.model_fields.items():
        yield from _texts(name, info.annotation, info.metadata)


def _texts(name: str, annotation: Any, metadata: list[Any]) -> Iterator[tuple[str, Any, bool]]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *more = typing.get_args(annotation)
        yield from _texts(name, inner, [*metadata, *more])
    elif annotation is str:
        yield name, HOLE, any(isinstance(m, MultiLine) for m in metadata)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                yield from _texts(name, arg, metadata)
    elif origin is list:
        [item] = typing.get_args(annotation)
        for sub, template, multi in _texts(name, item, []):
            yield sub, f"[{template}]", multi
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for field, info in annotation.model_fields.items():
            for sub, template, multi in _texts(field, info.annotation, info.metadata):
                yield (
                    f"{name}.{sub}",
                    json.dumps({sub.split(".")[0]: HOLE}).replace(json.dumps(HOLE), template),
                    multi,
                )
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        return


# Passwords are never shown, only hashed: any character may be in one.
SECRETS = {"password", "new_password", "current_password"}
CASES = [
    (f"{m.__module__.split('.')[1]}.{m.__name__}.{path}", m, path, template, multi)
    for m in request_models()
    for path, template, multi in text_paths(m)
    if path not in SECRETS
]


def refused(model: type[BaseModel], path: str, template: str, text: str) -> bool:
    """Whether ``text`` placed at ``path`` is refused there (other fields may be missing)."""
    value = json.loads(template.replace(HOLE, json.dumps(text)))
    try:
        model.model_validate({path.split(".", maxsplit=1)[0]: value})
    except ValidationError as e:
        return any(
            ".".join(str(p) for p in err["loc"] if not isinstance(p, int)) == path
            for err in e.errors()
            if err["type"] != "missing"
        )
    return False


@pytest.mark.parametrize(
    ("name", "model", "path", "template", "multi"), CASES, ids=[c[0] for c in CASES]
)
def test_a_control_character_is_refused_naming_the_field(
    name: str, model: type[BaseModel], path: str, template: str, multi: bool
) -> None:
    for char in ("\x00", "\x07", "\x1b", "\x7f", "\x85"):
        assert refused(model, path, template, f"a{char}b"), (name, repr(char))
    assert refused(model, path, template, "line one\nline two\tend") is not multi, name
