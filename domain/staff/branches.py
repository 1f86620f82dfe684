"""Branches: the firm's offices, reference data every client and advisor belongs to."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created
from domain.shared.errors import InvalidField
from domain.shared.keys import NAMESPACE

CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,31}")


def branch_id(code: str) -> UUID:
    """The id of the branch with this code: one branch per code, by construction."""
    return uuid5(NAMESPACE, f"branch:{code}")


class UnknownBranch(InvalidField):
    """A client or an account names a branch nobody registered (422 naming ``branch``)."""

    def __init__(self, code: str) -> None:
        super().__init__("branch", f"no branch has the code {code!r}")


class Branch(Aggregate):
    """One office of the firm, known by its code (e.g. ``SH-LUJIAZUI``)."""

    code: str
    name: str

    class Opened(Created):
        code: str
        name: str

        def apply(self, aggregate: Branch) -> None:
            aggregate.code = self.code
            aggregate.name = self.name

    @classmethod
    def open(cls, ctx: Context, code: str, name: str) -> Branch:
        """Register a branch; a second one with the same code fails to save."""
        if not CODE.fullmatch(code):
            raise InvalidField("code", "upper-case letters, digits and '-', at most 32")
        if not name.strip():
            raise InvalidField("name", "must not be blank")
        return cls._start(cls.Opened, ctx, branch_id(code), code=code, name=name.strip())
