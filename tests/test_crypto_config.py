"""Encryption keys and configuration."""
from __future__ import annotations

import base64

import pytest

from trial import create_app
from trial.config import ConfigError
from trial.crypto import DecryptionError, KeyConfigError, KeyRing, generate_key_entry

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()


def test_a_value_decrypts_only_in_its_own_place() -> None:
    ring = KeyRing.parse(KEY_A)
    token = ring.encrypt_text("Kari Nordmann", "participant.name|7")
    assert b"Kari" not in token
    assert ring.decrypt_text(token, "participant.name|7") == "Kari Nordmann"
    with pytest.raises(DecryptionError, match="tampered or moved"):
        ring.decrypt_text(token, "participant.name|8")


def test_an_old_key_still_decrypts_after_a_new_key_becomes_active() -> None:
    old = KeyRing.parse(KEY_A).encrypt(b"secret", "ctx")
    rotated = KeyRing.parse(f"{KEY_B},{KEY_A}")
    assert rotated.active == "b"
    assert rotated.decrypt(old, "ctx") == b"secret"
    assert KeyRing.key_id_of(rotated.encrypt(b"x", "ctx")) == "b"
    with pytest.raises(DecryptionError, match="key 'a'"):
        KeyRing.parse(KEY_B).decrypt(old, "ctx")


def test_a_damaged_ciphertext_is_refused() -> None:
    ring = KeyRing.parse(KEY_A)
    token = bytearray(ring.encrypt(b"value", "ctx"))
    token[-1] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt(bytes(token), "ctx")
    with pytest.raises(DecryptionError, match="not a ciphertext"):
        ring.decrypt(b"plain text", "ctx")


@pytest.mark.parametrize(("value", "message"), [
    ("", "not set"),
    ("nokey", "expected 'keyid:base64key'"),
    ("a:!!!", "not valid base64"),
    ("a:" + base64.b64encode(b"short").decode(), "must be 32 bytes"),
    (f"{KEY_A},{KEY_A}", "appears twice"),
])
def test_malformed_keys_are_refused_with_a_reason(value: str, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message):
        KeyRing.parse(value)


def test_generated_key_entries_parse() -> None:
    assert KeyRing.parse(generate_key_entry("k9")).active == "k9"


def test_production_config_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("TRIAL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "ENCRYPTION_KEYS": KEY_A,
                    "INSTANCE_PATH": str(tmp_path)})


def test_production_config_requires_encryption_keys(tmp_path) -> None:
    with pytest.raises(KeyConfigError, match="ENCRYPTION_KEYS is not set"):
        create_app({"SECRET_KEY": "s", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "INSTANCE_PATH": str(tmp_path)})


def test_environment_variables_with_the_trial_prefix_configure_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAL_DATABASE_URL", "sqlite:////tmp/from-env.db")
    monkeypatch.setenv("TRIAL_SECRET_KEY", "from-env")
    monkeypatch.setenv("TRIAL_ENCRYPTION_KEYS", KEY_A)
    app = create_app({"INSTANCE_PATH": "/nonexistent-instance"})
    assert app.config["DATABASE_URL"] == "sqlite:////tmp/from-env.db"
    assert app.config["KEYRING"].active == "a"
    overridden = create_app({"DATABASE_URL": "sqlite:////tmp/t.db", "INSTANCE_PATH": "/nonexistent-instance"})
    assert overridden.config["DATABASE_URL"] == "sqlite:////tmp/t.db"


def test_the_default_database_is_sqlite_in_the_instance_folder(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("TRIAL_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/trial.db"


def test_the_instance_settings_file_is_read_and_the_environment_overrides_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / "settings.py").write_text(f"SECRET_KEY = 'from-file'\nENCRYPTION_KEYS = {KEY_A!r}\n")
    monkeypatch.delenv("TRIAL_SECRET_KEY", raising=False)
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"] == "from-file"
    monkeypatch.setenv("TRIAL_SECRET_KEY", "from-env")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"] == "from-env"
