"""Every user-facing text has a Norwegian translation, and the compiled catalogues are up to date."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from trial.i18n import DOMAINS

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "trial" / "translations" / "nb" / "LC_MESSAGES"
METHODS = [("trial/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _po(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and not m.fuzzy}


def test_every_message_in_the_code_has_a_norwegian_translation() -> None:
    translated = {msgid for po in CATALOGS.glob("*.po") for msgid, text in _po(po).items() if text}
    missing = sorted(_source_messages() - translated)
    assert not missing, f"add these to a catalogue in {CATALOGS} (then `make translations`): {missing}"


@pytest.mark.parametrize("po", sorted(CATALOGS.glob("*.po")), ids=lambda p: p.stem)
def test_each_catalogue_is_a_known_domain_and_compiled(po: Path) -> None:
    assert po.stem in DOMAINS, f"{po.name}: add {po.stem!r} to trial.i18n.DOMAINS"
    with po.with_suffix(".mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == _po(po), f"{po.with_suffix('.mo').name} is stale: run `make translations`"
