"""Staff and access, domain layer: what other contexts use."""

from domain.staff.branches import Branch, branch_id
from domain.staff.logins import LoginPolicy
from domain.staff.users import Role

__all__ = ["Branch", "LoginPolicy", "Role", "branch_id"]
