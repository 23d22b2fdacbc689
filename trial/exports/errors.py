"""The domain exceptions of the export writers; a view turns them into HTTP answers."""
from __future__ import annotations


class ExportError(ValueError):
    """A dataset that cannot be exported as given: the message says what to change."""


class IdentifierRefused(ExportError):
    """A variable or value that looks like a direct identifier (name, identity number, contact)."""
