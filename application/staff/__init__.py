"""Staff and access, application layer: what other contexts use."""

from application.staff.branches import BranchCommands
from application.staff.commands import Account, StaffCommands

__all__ = ["Account", "BranchCommands", "StaffCommands"]
