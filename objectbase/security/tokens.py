"""Opaque tokens and keys: generated here, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["constant_time_equal", "new_hex_token", "new_key", "token_digest"]


def new_hex_token(nbytes: int = 20) -> str:
    """40 hex characters by default, like QuickBlox session tokens."""
    return secrets.token_hex(nbytes)


def new_key(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    # Tokens carry 160+ bits of entropy, so a fast unsalted hash is enough to make a stolen
    # table useless while keeping the per-request lookup a single indexed equality.
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
