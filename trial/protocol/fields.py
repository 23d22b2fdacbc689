"""Reading one protocol table at a time while collecting every problem with its field path."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_MISSING = object()


class ProtocolError(ValueError):
    """The protocol is refused; `problems` names each field and what is wrong with it."""

    def __init__(self, problems: list[str], source: str = "protocol") -> None:
        self.problems = problems
        self.source = source
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} is refused ({len(problems)} problem{'s' * (len(problems) != 1)}):\n{listed}")


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")

    def raise_if_any(self, source: str) -> None:
        if self.items:
            raise ProtocolError(self.items, source)


class Fields:
    """Typed access to one TOML table at `path`; wrong or unknown keys become problems, not exceptions."""

    def __init__(self, data: Any, path: str, problems: Problems, allowed: set[str]) -> None:
        self.path, self.problems = path, problems
        if not isinstance(data, Mapping):
            problems.add(path, "must be a table")
            data = {}
        self.data: Mapping[str, Any] = data
        for key in sorted(set(data) - allowed):
            problems.add(f"{path}.{key}" if path else key, f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and required:
            self.problems.add(self.at(key), "is required")
        return value

    def text(self, key: str, required: bool = True, default: str | None = None) -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or not value.strip():
            self.problems.add(self.at(key), "must be a non-empty string")
            return default
        return value.strip()

    def code(self, key: str, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and not CODE.match(value):
            self.problems.add(self.at(key), f"{value!r} is not a valid code (lower-case letters, digits, - and _)")
            return None
        return value

    def localized(self, key: str, languages: tuple[str, ...], required: bool = True) -> dict[str, str] | None:
        """A text in every language: a plain string serves all of them, a table gives one per language."""
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and value.strip():
            return {lang: value.strip() for lang in languages}
        if isinstance(value, Mapping) and value:
            missing = [lang for lang in languages if not isinstance(value.get(lang), str) or not value[lang].strip()]
            extra = sorted(set(value) - set(languages))
            if missing or extra:
                self.problems.add(self.at(key), f"needs a text for {', '.join(languages)}"
                                  + (f"; unknown language {', '.join(extra)}" if extra else ""))
                return None
            return {lang: value[lang].strip() for lang in languages}
        self.problems.add(self.at(key), "must be a string or a table of texts per language")
        return None

    def integer(self, key: str, required: bool = True, default: int | None = None,
                minimum: int | None = None) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(self.at(key), f"must be a whole number, not {value!r}")
            return default
        if minimum is not None and value < minimum:
            self.problems.add(self.at(key), f"must be at least {minimum}, not {value}")
            return default
        return value

    def boolean(self, key: str, required: bool = True, default: bool | None = None) -> bool | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.problems.add(self.at(key), f"must be true or false, not {value!r}")
            return default
        return value

    def day(self, key: str, required: bool = True) -> date | None:
        """A date: a TOML date, or an ISO string as stored in a trial version's definition."""
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problems.add(self.at(key), f"{value!r} is not a valid date (YYYY-MM-DD)")
        return None

    def table_list(self, key: str, required: bool = True) -> list[Any]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not value:
            self.problems.add(self.at(key), "must be a non-empty list")
            return []
        return value

    def string_list(self, key: str, required: bool = True, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problems.add(self.at(key), "must be a list of strings")
            return default
        if len(set(value)) != len(value):
            self.problems.add(self.at(key), "lists the same value twice")
        return tuple(value)

    def int_list(self, key: str, required: bool = True, minimum: int = 1) -> tuple[int, ...]:
        value = self._get(key, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            self.problems.add(self.at(key), f"must be a list of whole numbers, not {value!r}")
            return ()
        if not value and required:
            self.problems.add(self.at(key), "must not be empty")
        if any(v < minimum for v in value):
            self.problems.add(self.at(key), f"every value must be at least {minimum}")
        if len(set(value)) != len(value):
            self.problems.add(self.at(key), "lists the same value twice")
        return tuple(value)


def unique_codes(items: list[Any], attr: str, path: str, problems: Problems) -> None:
    seen: dict[Any, int] = {}
    for n, item in enumerate(items):
        value = getattr(item, attr)
        if value is None:
            continue
        if value in seen:
            problems.add(f"{path}[{n}].{attr}", f"duplicate {attr} {value!r} (also {path}[{seen[value]}])")
        seen.setdefault(value, n)
