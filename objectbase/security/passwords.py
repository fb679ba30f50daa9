"""Argon2id password hashing (argon2-cffi's defaults are Argon2id, RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "needs_rehash", "verify_password"]

_hasher = PasswordHasher()
# A fixed hash to verify against when the user does not exist, so timing does not reveal logins.
_DUMMY_HASH = _hasher.hash("objectbase-dummy-password")


def _bytes(password: str) -> bytes:
    # The UTF-8 argon2 would take itself, except that a lone surrogate (JSON can carry one) is kept
    # rather than failing the request.
    return password.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    return _hasher.hash(_bytes(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, _bytes(password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
