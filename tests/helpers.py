"""Small builders shared by tests."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from flask import Flask

from trial.extensions import db
from trial.protocol import LoadedProtocol, load_file, store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PROTOCOL = ROOT / "protocols" / "ips-norway.toml"


def example_data() -> dict[str, Any]:
    return copy.deepcopy(tomllib.loads(EXAMPLE_PROTOCOL.read_text(encoding="utf-8")))


def write_protocol(folder: Path, data: dict[str, Any], name: str = "protocol.toml") -> Path:
    """Write `data` as a protocol file beside copies of the example consent documents."""
    consent = folder / "consent"
    consent.mkdir(exist_ok=True)
    for doc in (ROOT / "protocols" / "consent").iterdir():
        (consent / doc.name).write_text(doc.read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / name
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def load_example(app: Flask) -> LoadedProtocol:
    loaded = load_file(EXAMPLE_PROTOCOL)
    store(db.session, loaded, actor="test", keyring=app.config["KEYRING"])
    db.session.commit()
    return loaded


def to_toml(data: dict[str, Any]) -> str:
    """A minimal TOML writer for protocol-shaped data (tables, arrays of tables, scalars, inline tables)."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not _is_table(v) and not _is_table_array(v)}
    lines += [f"{k} = {_value(v)}" for k, v in scalars.items()]
    for key, value in data.items():
        if _is_table(value):
            _table(lines, key, value)
        elif _is_table_array(value):
            for item in value:
                _table(lines, key, item, array=True)
    return "\n".join(lines) + "\n"


def _table(lines: list[str], name: str, table: dict[str, Any], array: bool = False) -> None:
    lines.append(f"[[{name}]]" if array else f"[{name}]")
    nested = {}
    for k, v in table.items():
        if _is_table_array(v) or (_is_table(v) and any(_is_table(x) for x in v.values())):
            nested[k] = v
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in nested.items():
        if _is_table_array(v):
            for item in v:
                _table(lines, f"{name}.{_key(k)}", item, array=True)
        else:
            _table(lines, f"{name}.{_key(k)}", v)


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else f'"{k}"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    return v.isoformat()  # dates


def api_user(email: str, role: str, trial_code: str = "ips-norway", sites: tuple[str, ...] = ()) -> str:
    """A user with a role in the trial and a fresh API token (returned)."""
    from sqlalchemy import select

    from trial import tokens
    from trial.cli import add_member
    from trial.models import Role, Site, Trial

    trial = db.session.scalars(select(Trial).where(Trial.code == trial_code)).one()
    chosen = [s for s in db.session.scalars(select(Site).where(Site.trial_id == trial.id)) if s.code in sites]
    user, _ = add_member(email, Role(role), trial, chosen)
    token = tokens.issue(db.session, user, "test")
    db.session.commit()
    return token


BASELINE = {
    "hads": {str(i): i % 4 for i in range(1, 15)},
    "eq5d5l": {"MO": 1, "SC": 2, "UA": 1, "PD": 2, "AD": 3, "VAS": 70},
    "whodas12": {f"S{i}": 2 for i in range(1, 13)},
}


def sign_in_session(client, user, language: str = "en") -> None:  # noqa: ANN001 - FlaskClient, User
    """Sign `user` in on `client` as the two-factor sign-in leaves the session (for page tests that are
    not about signing in; tests/security/auth.py signs in through the pages)."""
    from trial import accounts, clock

    now = clock.now().timestamp()
    with client.session_transaction() as session:
        session.update({"_user_id": str(user.id), "_fresh": True, "signed_in_at": now, "seen": now,
                        "stamp": accounts.session_stamp(user), "language": language})
