"""Access tokens as JWTs (HS256), for the Tracy dialect's `Authorization: Bearer`.

The signing key of an app is derived from the app's secret, which lives in the database: every
worker computes the same key with nothing to distribute, and the secret itself never signs."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import jwt

__all__ = ["InvalidJwtError", "decode_jwt", "encode_jwt", "signing_key", "unverified_claims"]

_ALGORITHM = "HS256"
_PURPOSE = b"objectbase access token"


class InvalidJwtError(ValueError):
    """Forged, expired or malformed."""


def signing_key(app_secret: str) -> bytes:
    return hmac.new(app_secret.encode(), _PURPOSE, hashlib.sha256).digest()


def encode_jwt(claims: dict[str, Any], key: bytes) -> str:
    return jwt.encode(claims, key, algorithm=_ALGORITHM)


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims before the signature is checked: only to find which app's key to check it with."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise InvalidJwtError(str(error)) from None
    return claims


def decode_jwt(token: str, key: bytes, now: float) -> dict[str, Any]:
    try:
        # `now` rather than the clock, so expiry is testable; exp and iat are required.
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=[_ALGORITHM],
                                            options={"require": ["exp", "iat"], "verify_exp": False})
    except jwt.PyJWTError as error:
        raise InvalidJwtError(str(error)) from None
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now:
        raise InvalidJwtError("expired")
    return claims
