"""Argon2id password hashing. The defaults are argon2-cffi's: Argon2id with RFC 9106's
low-memory profile (64 MiB, 3 passes, 4 lanes); the settings `argon2_*` tune them for a
small machine (or for a test run). Each hash carries its own parameters, so hashes made with
other settings still verify."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["Passwords"]


def _bytes(password: str) -> bytes:
    # The UTF-8 argon2 would take itself, except that a lone surrogate (JSON can carry one) is kept
    # rather than failing the request.
    return password.encode("utf-8", "surrogatepass")


class Passwords:
    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        # A fixed hash to verify against when the user does not exist, so timing does not reveal logins.
        self._dummy_hash = self._hasher.hash("objectbase-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(_bytes(password))

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, _bytes(password)) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
