"""Every user-facing text has a Norwegian translation, and the compiled catalogue is up to date."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "trial" / "translations" / "nb" / "LC_MESSAGES"
METHODS = [("trial/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_the_code_has_a_norwegian_translation() -> None:
    with (CATALOG / "messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(_source_messages() - translated)
    assert not missing, f"add these to {CATALOG / 'messages.po'} (then `make translations`): {missing}"


def test_the_compiled_catalogue_matches_the_translations() -> None:
    with (CATALOG / "messages.po").open("rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id}
    with (CATALOG / "messages.mo").open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert po == mo, "messages.mo is stale: run `make translations`"
