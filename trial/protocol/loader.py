"""Reading a protocol file and the documents it names from disk."""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .fields import ProtocolError
from .schema import Protocol, parse


@dataclass(frozen=True)
class LoadedProtocol:
    protocol: Protocol
    # (consent version, language) -> document text
    consent_texts: dict[tuple[str, str], str]
    source_name: str


def load_file(path: str | Path) -> LoadedProtocol:
    """Read and validate a protocol file; raise ProtocolError naming every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProtocolError([f"{path}: no such file"], str(path)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError([f"not valid TOML: {exc}"], str(path)) from exc
    data = _inline_custom_instruments(data, path.parent)
    protocol = parse(data, source=str(path))
    texts, problems = {}, []
    documents = {}
    for n, consent in enumerate(protocol.consent):
        hashes = {}
        for lang, relative in consent.documents.items():
            text, problem = _read_document(path.parent, relative)
            if problem:
                problems.append(f"consent[{n}].document: {problem}")
                continue
            texts[(consent.version, lang)] = text
            hashes[lang] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        documents[consent.version] = replace(consent, sha256=hashes)
    if problems:
        raise ProtocolError(problems, str(path))
    protocol = replace(protocol, consent=tuple(documents[c.version] for c in protocol.consent))
    return LoadedProtocol(protocol=protocol, consent_texts=texts, source_name=path.name)


def _read_document(base: Path, relative: str) -> tuple[str, str | None]:
    target = (base / relative).resolve()
    if not target.is_relative_to(base.resolve()):
        return "", f"{relative!r} is outside the protocol's folder"
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", f"consent document {relative!r} is missing (looked for {target})"
    except UnicodeDecodeError:
        return "", f"consent document {relative!r} is not UTF-8 text"
    if not text.strip():
        return "", f"consent document {relative!r} is empty"
    return text, None


def _inline_custom_instruments(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """`[custom_instruments.x] file = "instruments/x.toml"` is replaced by that file's contents."""
    custom = data.get("custom_instruments")
    if not isinstance(custom, dict):
        return data
    inlined: dict[str, Any] = {}
    for code, entry in custom.items():
        if isinstance(entry, dict) and set(entry) == {"file"} and isinstance(entry["file"], str):
            try:
                entry = tomllib.loads((base / entry["file"]).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ProtocolError([f"custom_instruments.{code}.file: cannot be read: {exc}"], str(base)) from exc
        inlined[code] = entry
    return {**data, "custom_instruments": inlined}
