"""Domain errors: what went wrong in the trial's own words, turned into HTTP answers in one place."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused operation; nothing was changed. `status` is the HTTP status it maps to."""

    status = 422
    title = "Unprocessable request"

    def __init__(self, detail: str, *, errors: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra


class InvalidInput(DomainError):
    status, title = 422, "Invalid input"


class BadRequest(DomainError):
    status, title = 400, "Bad request"


class Conflict(DomainError):
    """The request does not fit the record's current state (e.g. randomizing an excluded person)."""

    status, title = 409, "Conflict"


class NotFound(DomainError):
    status, title = 404, "Not found"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"
