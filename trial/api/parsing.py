"""Reading a JSON request body field by field; every bad field is named in a 422 answer."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from ..errors import BadRequest, InvalidInput


class Body:
    def __init__(self) -> None:
        data = request.get_json(silent=True) if request.content_length else {}
        if request.content_length and data is None:
            raise BadRequest("the body is not valid JSON (send Content-Type: application/json)")
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        self.data: dict[str, Any] = data
        self.errors: dict[str, str] = {}

    def text(self, key: str, required: bool = True, max_length: int = 500) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.errors[key] = "is required"
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > max_length:
            self.errors[key] = f"must be a non-empty string of at most {max_length} characters"
            return None
        return value.strip()

    def day(self, key: str, required: bool = True) -> date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.errors[key] = "is required (YYYY-MM-DD)"
            return None
        try:
            return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad()
        except ValueError:
            self.errors[key] = f"{value!r} is not a date (YYYY-MM-DD)"
            return None

    def integer(self, key: str, required: bool = True) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.errors[key] = "is required"
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[key] = "must be a whole number"
            return None
        return value

    def mapping(self, key: str, required: bool = True) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.errors[key] = "is required"
            return {}
        if not isinstance(value, dict):
            self.errors[key] = "must be an object"
            return {}
        return value

    def done(self) -> None:
        """Raise 422 naming every bad field, if any."""
        if self.errors:
            raise InvalidInput("the request has invalid fields", errors=self.errors)


def _bad() -> date:
    raise ValueError("not a date")
