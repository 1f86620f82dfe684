"""Tables of refusals: a command, the error it must raise, the field it names (None for a
refusal that is not about one field) and the exact words."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from domain.shared.errors import DomainError, InvalidField

Command = Callable[[], object]
Refusal = tuple[str, Command, type[DomainError], str | None, str]


def each_refusal(refusals: Sequence[Refusal]) -> pytest.MarkDecorator:
    """Parametrize a test with one case per refusal, named by its first column."""
    return pytest.mark.parametrize(
        ("command", "error", "field", "message"),
        [r[1:] for r in refusals],
        ids=[r[0] for r in refusals],
    )


def assert_refused(
    command: Command, error: type[DomainError], field: str | None, message: str
) -> None:
    """The command raises the error, naming the field, in exactly these words."""
    with pytest.raises(error) as refused:
        command()
    if field is None:
        assert refused.value.message == message
    else:
        assert isinstance(refused.value, InvalidField)
        assert (refused.value.field, refused.value.reason) == (field, message)
