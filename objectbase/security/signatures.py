"""The QuickBlox session signature: HMAC-SHA1 (or SHA-256) over sorted `name=value` pairs."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Mapping

__all__ = ["sign_params", "signing_string", "verify_signature"]


def _flat_pairs(params: Mapping[str, Any]) -> list[str]:
    pairs: list[str] = []
    for name, value in params.items():
        if name == "signature":
            continue
        if isinstance(value, Mapping):
            pairs.extend(f"{name}[{inner}]={_plain(v)}" for inner, v in value.items())
        else:
            pairs.append(f"{name}={_plain(value)}")
    return pairs


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def signing_string(params: Mapping[str, Any]) -> str:
    """Every parameter but `signature`, one nesting level flattened, raw values, sorted, `&`-joined."""
    return "&".join(sorted(_flat_pairs(params)))


def sign_params(params: Mapping[str, Any], secret: str, algorithm: str = "sha1") -> str:
    digest = hashlib.sha1 if algorithm == "sha1" else hashlib.sha256
    # surrogatepass: a lone surrogate (JSON can carry one) is signed as it came, not a crash.
    message = signing_string(params).encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), message, digest).hexdigest()


def verify_signature(params: Mapping[str, Any], secret: str, signature: str) -> bool:
    # The SDK picks SHA-256 when initialised with hash: "sha256"; the length tells which.
    algorithm = {40: "sha1", 64: "sha256"}.get(len(signature))
    if algorithm is None:
        return False
    return hmac.compare_digest(sign_params(params, secret, algorithm), signature.lower())
