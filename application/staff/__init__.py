"""Staff and access, application layer: what other contexts use."""

from application.staff.branches import BranchCommands
from application.staff.commands import MIN_PASSWORD_LENGTH, Account, StaffCommands

__all__ = ["MIN_PASSWORD_LENGTH", "Account", "BranchCommands", "StaffCommands"]
