"""Secrets at rest: app secrets are stored sealed with the server's key (Fernet: AES-128-CBC plus
HMAC-SHA256, so a changed or foreign value is refused, never misread).

Several keys are accepted, for rotation: the first seals, every one opens (MultiFernet)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["KEY_FILE_NAME", "SecretBox", "SecretKeyError", "generate_key", "parse_keys", "read_or_create_key_file",
           "write_key_file"]

KEY_FILE_NAME = "secret.key"


class SecretKeyError(ValueError):
    """The server key is malformed, or does not open the stored secrets (the wrong key)."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def parse_keys(text: str) -> list[str]:
    """Keys separated by commas or newlines (a key file holds one a line); malformed ones refused."""
    keys = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
    if not keys:
        raise SecretKeyError("no secret key given")
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise SecretKeyError("a secret key must be 32 url-safe base64-encoded bytes "
                                 "(make one with `objectbase secret-key generate`)") from None
    return keys


class SecretBox:
    """Seals and opens short secrets. Opened values are cached: a Tracy request opens its app's
    secret on every call, and the plaintext is in this process's memory anyway."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = parse_keys(",".join(keys))
        self._fernet = MultiFernet([Fernet(key) for key in self.keys])
        self._opened: dict[str, str] = {}

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        plain = self._opened.get(sealed)
        if plain is None:
            try:
                plain = self._fernet.decrypt(sealed.encode()).decode()
            except InvalidToken:
                raise SecretKeyError(
                    "the secret key does not open the secrets stored in this database: start with the key "
                    "they were sealed with (--secret-key / OBJECTBASE_SECRET_KEY, or the data folder's "
                    f"{KEY_FILE_NAME})") from None
            if len(self._opened) < 10_000:
                self._opened[sealed] = plain
        return plain

    def reseal(self, sealed: str) -> str:
        """`sealed` under the first key (opened with any of them)."""
        self.open(sealed)
        return self._fernet.rotate(sealed.encode()).decode()


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the key file atomically, readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(keys) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def read_or_create_key_file(path: Path) -> list[str]:
    """The keys of the data folder's key file, generated on first run."""
    if not path.exists():
        write_key_file(path, [generate_key()])
    return parse_keys(path.read_text())
