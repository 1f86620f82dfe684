"""Staff and access, api layer: what other contexts use."""

from api.staff.people import People, PeopleDep

__all__ = ["People", "PeopleDep"]
