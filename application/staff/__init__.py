"""Staff and access, application layer: what other contexts use."""

from application.staff.commands import StaffCommands

__all__ = ["StaffCommands"]
