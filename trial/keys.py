"""Key rotation: re-encrypt every encrypted value under the active key (the first of ENCRYPTION_KEYS).

The encrypted places are found from the models' metadata: every `*_enc` column (its row's `uid` is in
the ciphertext's context, see trial.sealing), plus the trial's allocation secret. Rows are read in
batches by primary key and each batch is committed with its audit entry, so an interrupted run keeps
what it finished; values already under the active key are skipped, so running it again completes
the job. An update applies only if the value is still the one read, so a concurrent edit is never
overwritten with an older value.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Column, Table, select, update
from sqlalchemy.orm import Session

from . import audit
from .crypto import DecryptionError, KeyRing
from .models import Base, Trial
from .protocol.store import secret_context

ENCRYPTED_SUFFIX = "_enc"
DEFAULT_BATCH = 500


class RotationError(RuntimeError):
    """A value could not be decrypted (its key is not configured, or it was damaged); names the place."""


@dataclass(frozen=True)
class EncryptedColumn:
    """One place holding ciphertext, and how to name a row's context for it."""

    table: Table
    column: str
    context: Callable[[dict[str, object]], str]
    context_column: str

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column}"


@dataclass
class Outcome:
    column: str
    rotated: int = 0
    current: int = 0          # already under the active key


def _sealed_context(table: Table, column: str) -> Callable[[dict[str, object]], str]:
    field = column.removesuffix(ENCRYPTED_SUFFIX)
    return lambda row: f"{table.name}.{field}|{row['uid']}"


def encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted column of every model, in a stable order."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not column.name.endswith(ENCRYPTED_SUFFIX):
                continue
            if "uid" not in table.columns:
                raise RuntimeError(f"{table.name}.{column.name} is encrypted but the table has no uid "
                                   "for its context")
            found.append(EncryptedColumn(table, column.name, _sealed_context(table, column.name), "uid"))
    trials = Trial.__table__
    found.append(EncryptedColumn(trials, "allocation_secret",  # type: ignore[arg-type]  # a Table
                                 lambda row: secret_context(str(row["code"])), "code"))
    return found


def _batches(session: Session, place: EncryptedColumn, size: int) -> Iterator[list[dict[str, object]]]:
    table, pk = place.table, place.table.c.id
    value: Column[bytes] = table.c[place.column]
    last = None
    while True:
        query = (select(pk, table.c[place.context_column], value).where(value.is_not(None))
                 .order_by(pk).limit(size))
        rows = [dict(r._mapping) for r in session.execute(query if last is None else query.where(pk > last))]
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def rotate_column(session: Session, keyring: KeyRing, place: EncryptedColumn, actor: str,
                  batch_size: int = DEFAULT_BATCH) -> Outcome:
    """Re-encrypt one column; commits after each batch (with an audit entry naming it and the key)."""
    outcome = Outcome(place.name)
    value = place.table.c[place.column]
    for rows in _batches(session, place, batch_size):
        rotated = 0
        for row in rows:
            token = bytes(row[place.column])  # type: ignore[arg-type]  # LargeBinary: bytes or memoryview
            if KeyRing.key_id_of(token) == keyring.active:
                outcome.current += 1
                continue
            context = place.context(row)
            try:
                fresh = keyring.encrypt(keyring.decrypt(token, context), context)
            except DecryptionError as exc:
                raise RotationError(f"{place.name}, row id {row['id']}: {exc}") from exc
            session.execute(update(place.table).where(place.table.c.id == row["id"], value == token)
                            .values({place.column: fresh}))
            rotated += 1
        if rotated:
            audit.record(session, actor=actor, action="keys.rotated", entity=place.name,
                         details={"key": keyring.active, "values": rotated, "up_to_id": rows[-1]["id"]})
        session.commit()
        outcome.rotated += rotated
    return outcome


def rotate_all(session: Session, keyring: KeyRing, actor: str, batch_size: int = DEFAULT_BATCH,
               progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    outcomes = []
    for place in encrypted_columns():
        outcome = rotate_column(session, keyring, place, actor, batch_size)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    audit.record(session, actor=actor, action="keys.rotation_completed",
                 details={"key": keyring.active, "rotated": sum(o.rotated for o in outcomes),
                          "current": sum(o.current for o in outcomes)})
    session.commit()
    return outcomes
