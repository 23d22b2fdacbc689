"""A ZIP written the same way every time, with a manifest of every file's SHA-256.

Every entry gets the lock's timestamp, fixed permissions and DEFLATE at the default level, in the
order written. The archive is always written as a stream (local headers followed by data
descriptors), so its bytes do not depend on whether the caller gives a seekable file or a pipe.
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

MANIFEST = "MANIFEST.sha256"
MANIFEST_JSON = "manifest.json"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ManifestEntry:
    """One file of an archive: its name, SHA-256 (hex) and size in bytes."""

    name: str
    sha256: str
    size: int


class _StreamOnly:
    """Hides seek and tell, so zipfile writes the same streamed layout to any sink."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        written = self._out.write(data)
        return len(data) if written is None else written

    def flush(self) -> None:
        flush = getattr(self._out, "flush", None)
        if flush is not None:
            flush()


class _Hashing(io.RawIOBase):
    """Passes bytes on to a ZIP entry while counting and hashing them."""

    def __init__(self, dest: IO[bytes]) -> None:
        self._dest = dest
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        self.sha256.update(data)
        self._dest.write(data)
        self.size += size
        return size


class ArchiveWriter:
    """Writes entries into a deterministic ZIP and ends it with manifest.json and MANIFEST.sha256."""

    def __init__(self, out: IO[bytes], timestamp: datetime) -> None:
        self._zip = zipfile.ZipFile(_StreamOnly(out), "w")  # type: ignore[call-overload]  # a write-only sink
        self._date_time = timestamp.timetuple()[:6]
        self.entries: list[ManifestEntry] = []

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, whatever machine writes it
        info.external_attr = 0o100644 << 16
        return info

    @contextmanager
    def open_binary(self, name: str, large: bool = False) -> Iterator[BinaryIO]:
        """A binary stream into a new entry; it is hashed for the manifest as it is written."""
        with self._zip.open(self._info(name), "w", force_zip64=large) as dest:
            hashing = _Hashing(dest)
            buffered = io.BufferedWriter(hashing, buffer_size=_CHUNK)
            try:
                yield buffered
            finally:  # also on failure, so nothing flushes into a closed entry later
                buffered.close()
        self.entries.append(ManifestEntry(name, hashing.sha256.hexdigest(), hashing.size))

    @contextmanager
    def open_text(self, name: str) -> Iterator[TextIO]:
        """A UTF-8 text stream into a new entry (newlines written as given)."""
        with self.open_binary(name) as binary:
            text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
            try:
                yield text
            finally:
                text.flush()
                text.detach()

    def write_bytes(self, name: str, data: bytes) -> None:
        with self.open_binary(name) as binary:
            binary.write(data)

    def copy_file(self, name: str, path: Path) -> None:
        """Copy a file into a new entry in chunks."""
        large = path.stat().st_size > zipfile.ZIP64_LIMIT
        with path.open("rb") as source, self.open_binary(name, large=large) as dest:
            shutil.copyfileobj(source, dest, _CHUNK)

    def close(self, description: dict[str, Any]) -> tuple[ManifestEntry, ...]:
        """Add manifest.json (description plus files) and MANIFEST.sha256, then end the ZIP."""
        files = [{"name": e.name, "sha256": e.sha256, "bytes": e.size} for e in self.entries]
        document = json.dumps({**description, "files": files}, ensure_ascii=False, indent=2) + "\n"
        self.write_bytes(MANIFEST_JSON, document.encode("utf-8"))
        # sha256sum's format, so `sha256sum -c MANIFEST.sha256` checks an unpacked export.
        lines = "".join(f"{e.sha256}  {e.name}\n" for e in self.entries)
        self.write_bytes(MANIFEST, lines.encode("utf-8"))
        self._zip.close()
        return tuple(e for e in self.entries if e.name != MANIFEST)

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        # After a failure, end the ZIP anyway so nothing writes to the caller's sink later (the
        # half-written archive is the caller's to discard); after close() this does nothing.
        self._zip.close()


def verify_manifest(archive: bytes | IO[bytes] | Path | str) -> list[str]:
    """Check an export against its manifest; return the problems found (empty when it verifies).

    Every entry but MANIFEST.sha256 must be listed there with a matching SHA-256, and manifest.json
    must agree with it on names and hashes and give the right sizes.
    """
    source = io.BytesIO(archive) if isinstance(archive, bytes) else archive
    try:
        with zipfile.ZipFile(source) as zf:
            return _problems(zf)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        return [f"not a readable ZIP archive: {error}"]


def _problems(zf: zipfile.ZipFile) -> list[str]:
    names = zf.namelist()
    problems = [f"{n} occurs more than once" for n in sorted(set(names)) if names.count(n) > 1]
    if MANIFEST not in names:
        return [*problems, f"{MANIFEST} is missing"]
    listed: dict[str, str] = {}
    for number, line in enumerate(zf.read(MANIFEST).decode("utf-8", "replace").splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            problems.append(f"{MANIFEST} line {number} is not '<sha256>  <name>'")
            continue
        listed[name] = digest
    actual = {n: _digest(zf, n) for n in dict.fromkeys(names) if n != MANIFEST}
    for name, digest in listed.items():
        if name not in actual:
            problems.append(f"{name} is in the manifest but not in the archive")
        elif actual[name][0] != digest:
            problems.append(f"{name}: SHA-256 does not match the manifest")
    problems += [f"{n} is not in the manifest" for n in actual if n not in listed]
    return problems + _json_problems(zf, listed, actual)


def _json_problems(zf: zipfile.ZipFile, listed: dict[str, str],
                   actual: dict[str, tuple[str, int]]) -> list[str]:
    if MANIFEST_JSON not in actual:
        return [f"{MANIFEST_JSON} is missing"]
    try:
        files = json.loads(zf.read(MANIFEST_JSON))["files"]
        described = {f["name"]: (f["sha256"], f["bytes"]) for f in files}
    except (ValueError, KeyError, TypeError):
        return [f"{MANIFEST_JSON} cannot be read"]
    expected = {n: actual[n] for n in listed if n in actual and n != MANIFEST_JSON}
    problems = [f"{MANIFEST_JSON} does not list {n}" for n in expected if n not in described]
    for name, (digest, size) in described.items():
        if name not in expected:
            problems.append(f"{MANIFEST_JSON} lists {name}, which {MANIFEST} does not")
        elif (digest, size) != expected[name]:
            problems.append(f"{name}: SHA-256 or size does not match {MANIFEST_JSON}")
    return problems


def _digest(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    sha256, size = hashlib.sha256(), 0
    with zf.open(name) as entry:
        while chunk := entry.read(_CHUNK):
            sha256.update(chunk)
            size += len(chunk)
    return sha256.hexdigest(), size
