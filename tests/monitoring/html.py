"""Read pages as a person (or a screen reader) would: tables by caption, charts, links."""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.headers: list[dict[str, str | None]] = []     # every <th>'s attributes
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._name = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows is not None:
            self._cell = []
            if tag == "th":
                self.headers.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._name, self._caption = _clean("".join(self._caption)), None
        elif tag in ("th", "td") and self._cell is not None and self._rows:
            self._rows[-1].append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def _clean(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def tables(page: str) -> dict[str, list[list[str]]]:
    """Caption -> rows of cell texts (header rows included), for every table on the page."""
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def table_headers(page: str) -> list[dict[str, str | None]]:
    parser = _Tables()
    parser.feed(page)
    return parser.headers


def row(table: list[list[str]], header: str) -> list[str]:
    """The cells after the row header `header`."""
    for cells in table:
        if cells and cells[0] == header:
            return cells[1:]
    raise AssertionError(f"no row {header!r} in {[c[0] for c in table if c]}")


def column(table: list[list[str]], header: str) -> dict[str, str]:
    """Row header -> the cell under the column `header`."""
    index = table[0].index(header)
    return {cells[0]: cells[index] for cells in table[1:] if len(cells) > index}


def charts(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.S)


def text(page: str) -> str:
    """The page's text, whitespace collapsed, without tags."""
    return _clean(unescape(re.sub(r"<[^>]+>", " ", page)))
