"""Staff and access, projections layer: what other contexts use."""

from projections.staff.views import StaffView

__all__ = ["StaffView"]
