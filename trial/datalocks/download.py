"""Lock exports and linkage keys as downloads: who may have which, audited, streamed from a spool file.

Blinding: a role that may not see arms (statistician, administrator) gets only blinded exports;
asking for blinded=false is refused with 403 rather than silently masked, so nobody mistakes a
masked file for an unblinded one. Without the parameter every export is blinded. Only an
administrator may download the linkage key (participant_id -> national identity number).
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from typing import IO

from flask import Response
from sqlalchemy import select

from .. import audit
from ..enrollment.common import trial_secret
from ..errors import Forbidden, InvalidInput
from ..exports import FORMATS, ExportError, write_linkage_key, write_lock_export
from ..extensions import db
from ..masking import arm_masks
from ..models import DataLock, Participant, Screening
from ..policy import Access, Permission
from ..sealing import unseal
from .dataset import lock_dataset
from .service import locked_records, verify_lock

SPOOL_BYTES = 16 * 1024 * 1024   # kept in memory up to this size, then on disk
_CHUNK = 1 << 16


def export_options(access: Access, fmt: str | None, blinded: str | None) -> tuple[str, bool]:
    """Check who asks for what: (format, blinded); 403 for a role that may not have it."""
    if not (access.allows(Permission.EXPORT_DATA) or access.allows(Permission.MANAGE_TRIAL)):
        raise Forbidden(f"your role ({access.role}) cannot export locked data")
    fmt = fmt or "csv"
    errors = {}
    if fmt not in FORMATS:
        errors["format"] = f"one of {', '.join(FORMATS)}"
    if blinded not in (None, "true", "false"):
        errors["blinded"] = "true or false"
    if errors:
        raise InvalidInput("unknown export option", errors=errors)
    if blinded == "false" and not access.allows(Permission.SEE_ARMS):
        raise Forbidden(f"your role ({access.role}) sees allocated arms only as masked codes: "
                        "use blinded=true")
    return fmt, blinded != "false"


def export_masks(access: Access) -> dict[str, str]:
    """{arm code: masked code} for export: the letter of the trial's mask ("Arm B" -> "B")."""
    codes = tuple(a.code for a in access.trial.arms)
    letters = {arm: mask.split()[-1] for arm, mask in arm_masks(trial_secret(access), codes).items()}
    if {m.lower() for m in letters.values()} & {c.lower() for c in codes}:
        return {arm: f"Arm{letter}" for arm, letter in letters.items()}
    return letters


def send_export(access: Access, lock: DataLock, fmt: str, blinded: bool, channel: str) -> Response:
    """The lock's export as a ZIP download; the download is audited (the caller commits)."""
    _intact(lock)
    dataset = lock_dataset(lock, access.trial, export_masks(access) if blinded else None)
    out = _spool()
    try:
        write_lock_export(dataset.spec, dataset.participants, dataset.visits, out, format=fmt)  # type: ignore[arg-type]  # checked by export_options
        audit.record(db.session, actor=access.actor, action="lock.exported", trial_code=access.trial.code,
                     entity=f"lock:{lock.uid}", details={"version": lock.version, "format": fmt,
                                                         "blinded": blinded, "via": channel,
                                                         "zip_sha256": _sha256(out)})
    except BaseException as exc:
        out.close()
        if isinstance(exc, ExportError):
            raise InvalidInput(f"the lock cannot be exported: {exc}") from exc
        raise
    suffix = "-blinded" if blinded else ""
    return _send(out, f"{access.trial.code}-lock-v{lock.version}{suffix}-{fmt}.zip")


def send_linkage_key(access: Access, lock: DataLock, channel: str) -> Response:
    """participant_id -> national identity number for the lock's participants (administrators only)."""
    if not access.allows(Permission.MANAGE_TRIAL):
        raise Forbidden("only an administrator may download the linkage key")
    _intact(lock)
    codes = [key for _kind, key, _content in locked_records(lock, ("participant",))]
    out = _spool()
    try:
        write_linkage_key(_identities(access, codes), out, lock.created_at, trial_code=access.trial.code,
                          lock_label=lock.label)
        audit.record(db.session, actor=access.actor, action="lock.linkage_key_downloaded",
                     trial_code=access.trial.code, entity=f"lock:{lock.uid}",
                     details={"version": lock.version, "participants": len(codes), "via": channel,
                              "zip_sha256": _sha256(out)})
    except BaseException:
        out.close()
        raise
    return _send(out, f"{access.trial.code}-lock-v{lock.version}-linkage-key.zip")


def _identities(access: Access, codes: list[str]) -> list[tuple[str, str | None]]:
    # Read live: the lock never stores identity numbers. Unsealed one batch at a time.
    found: dict[str, str | None] = {}
    for start in range(0, len(codes), 500):
        rows = db.session.execute(select(Participant.code, Screening).join(Screening, Participant.screening)
                                  .where(Participant.trial_id == access.trial.id,
                                         Participant.code.in_(codes[start:start + 500])))
        found.update({code: unseal(screening, "national_id") for code, screening in rows})
    return [(code, found.get(code)) for code in codes]


def _intact(lock: DataLock) -> None:
    if not verify_lock(lock):
        raise InvalidInput(f"lock version {lock.version} does not match its SHA-256; it cannot be exported")


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="trial-lock-")  # noqa: SIM115 - the response closes it


def _sha256(out: IO[bytes]) -> str:
    digest = hashlib.sha256()
    out.seek(0)
    while chunk := out.read(_CHUNK):
        digest.update(chunk)
    out.seek(0)
    return digest.hexdigest()


def _send(out: IO[bytes], name: str) -> Response:
    size = out.seek(0, 2)
    out.seek(0)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    response = Response(_chunks(out), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{safe}"', "Content-Length": str(size),
        "Cache-Control": "no-store"})  # personal data: no copies in caches
    response.call_on_close(out.close)  # also when the client goes away before the end
    return response


def _chunks(out: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := out.read(_CHUNK):
            yield chunk
    finally:
        out.close()
