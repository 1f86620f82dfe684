"""Staff and access, api layer: what other contexts use."""

from api.staff.people import People, PeopleDep
from api.staff.signin import sign_in

__all__ = ["People", "PeopleDep", "sign_in"]
