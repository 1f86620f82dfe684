"""Staff and access, domain layer: what other contexts use."""

from domain.staff.users import Role

__all__ = ["Role"]
