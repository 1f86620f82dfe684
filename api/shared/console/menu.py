"""The console's navigation, declared by the contexts."""

from __future__ import annotations

from dataclasses import dataclass

from domain.staff import Role


@dataclass(frozen=True)
class MenuItem:
    """One module in the console's navigation, for the roles it serves (``label`` is a
    catalog message)."""

    label: str
    href: str
    roles: frozenset[Role]
    order: int = 50
    home_for: frozenset[Role] = frozenset()  # the roles it is the first page of
