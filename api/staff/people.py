"""People as people read them: events record an account's id as the actor; a reply shows
its username, with the id beside it, and a filter takes either."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends

from api.engine import Engine
from api.shared.deps import EngineDep
from application.staff.commands import StaffCommands
from domain.shared.errors import InvalidField


def _uuid(ref: str) -> UUID | None:
    try:
        return UUID(ref)
    except ValueError:
        return None


class People:
    def __init__(self, staff: StaffCommands) -> None:
        self.staff = staff

    @classmethod
    def of(cls, engine: Engine) -> People:
        return cls(engine.handler(StaffCommands))

    def usernames(self, refs: Iterable[str | None]) -> dict[str, str]:
        """The username of each reference that is an account's id. Other actors (the
        scheduler's ``system:…``, a login's ``login:…``, a name recorded before accounts
        were checked) are shown as they are recorded."""
        ids = {ref: u for ref in refs if ref and (u := _uuid(ref)) is not None}
        names = self.staff.usernames(ids.values())
        return {ref: names[u] for ref, u in ids.items() if u in names}

    def named(self, rows: Iterable[Mapping[str, Any]], *fields: str) -> list[dict[str, Any]]:
        """Each row with ``field`` the person's username and ``field_id`` what the event
        recorded (an id, or a system actor's name)."""
        rows = list(rows)
        names = self.usernames(r[f] for r in rows for f in fields)
        return [
            {
                **row,
                **{f: names.get(row[f], row[f]) for f in fields},
                **{f"{f}_id": row[f] for f in fields},
            }
            for row in rows
        ]

    def one(self, row: Mapping[str, Any], *fields: str) -> dict[str, Any]:
        return self.named([row], *fields)[0]

    def id_of(self, ref: str, field: str) -> str:
        """The recorded form of a person a filter names: an account's id for its username
        or id; a system actor as given. An unknown username is a 422 naming ``field``."""
        if ":" in ref:
            return ref
        if (user_id := _uuid(ref)) is not None:
            if user_id in self.staff.usernames([user_id]):
                return str(user_id)
            raise InvalidField(field, "no account has this id")
        user = self.staff.find_user(ref)
        if user is None:
            raise InvalidField(field, "no account has this username")
        return str(user.id)


def people(engine: EngineDep) -> People:
    return People.of(engine)


PeopleDep = Annotated[People, Depends(people)]
