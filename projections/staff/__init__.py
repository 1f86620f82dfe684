"""Staff and access, projections layer: what other contexts use."""

from projections.staff.branches import BranchesView
from projections.staff.views import StaffView

__all__ = ["BranchesView", "StaffView"]
