"""Staff and access, domain layer: what other contexts use."""

from domain.staff.branches import Branch, UnknownBranch, branch_id
from domain.staff.logins import LoginPolicy
from domain.staff.users import Role, StaffUser

__all__ = ["Branch", "LoginPolicy", "Role", "StaffUser", "UnknownBranch", "branch_id"]
