"""Staff and access, api layer: what other contexts use."""

from api.staff.people import People, PeopleDep
from api.staff.signin import renewed, sign_in

__all__ = ["People", "PeopleDep", "renewed", "sign_in"]
