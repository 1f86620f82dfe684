"""One hierarchy of business errors; the API maps each family to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business rule violation."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        # Machine-readable facts for the caller (the API adds them to the problem).
        self.details = details


class NotFound(DomainError):
    """The named thing does not exist (404)."""


class Conflict(DomainError):
    """The command conflicts with what is recorded (409)."""


class DuplicateFound(Conflict):
    """A unique value (identity number, username) is already taken."""


class ConcurrentWrite(Conflict):
    """Another command changed the aggregate between load and save."""


class StaleVersion(DomainError):
    """The caller's expected version (If-Match) is not the current one (412)."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected}, current version is {actual}")
        self.expected = expected
        self.actual = actual


class InvalidField(DomainError):
    """A field's value breaks a business rule (422, naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class InvalidFields(InvalidField):
    """Several fields break rules at once (422, each named)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        field, reason = errors[0]
        super().__init__(field, reason)
        self.errors = errors
        self.message = "; ".join(f"{f}: {m}" for f, m in errors)


class NotAuthenticated(DomainError):
    """Credentials are wrong or the account is disabled (401). ``why`` is for the record
    only: the caller is not told whether the username exists."""

    def __init__(self, message: str, why: str = "") -> None:
        super().__init__(message)
        self.why = why or message


class Throttled(DomainError):
    """Too many attempts: try again after ``retry_after`` seconds (429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidRows(DomainError):
    """Rows of an upload break rules (422, each with its line and field)."""

    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__(f"{len(errors)} invalid row(s): nothing was imported")
        self.errors = errors
