"""Short-lived signed links: an HMAC over (purpose, fields, expiry), verified in constant time.

The key is derived from an app's secret, so every worker can check a link another worker issued
(nothing lives in one worker's memory) and a link of one app is worthless in another. `purpose`
keeps an upload grant from being replayed as a download link, and the other way round.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

__all__ = ["format_expiry", "parse_expiry", "sign_link", "verify_link"]

_EXPIRY_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
_KEY_LABEL = b"objectbase/signed-links/v1"


def _link_key(secret: str) -> bytes:
    # A derived key, so the app secret itself (used for session signatures) is never the HMAC key here.
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def _message(purpose: str, fields: tuple[str, ...], expires: str) -> bytes:
    # Length-prefixed, so no two different field lists can produce the same message.
    parts = (purpose, *fields, expires)
    return b"".join(len(p.encode()).to_bytes(4, "big") + p.encode() for p in parts)


def sign_link(secret: str, purpose: str, fields: tuple[str, ...], expires: str) -> str:
    return hmac.new(_link_key(secret), _message(purpose, fields, expires), hashlib.sha256).hexdigest()


def verify_link(secret: str, purpose: str, fields: tuple[str, ...], expires: str, signature: str,
                now: float) -> bool:
    """True only for an untampered signature whose expiry is readable and still ahead of `now`."""
    expected = sign_link(secret, purpose, fields, expires)
    # Compare first, always: the answer must not depend on how much of the signature was right.
    valid = hmac.compare_digest(expected.encode(), signature.strip().lower().encode("utf-8", "replace"))
    deadline = parse_expiry(expires)
    return valid and deadline is not None and now <= deadline


def format_expiry(seconds: float) -> str:
    """`2020-07-29 12:06:31 UTC`, the form QuickBlox's upload URLs carry."""
    return datetime.fromtimestamp(int(seconds), timezone.utc).strftime(_EXPIRY_FORMAT)


def parse_expiry(text: str) -> float | None:
    try:
        return datetime.strptime(text, _EXPIRY_FORMAT).replace(tzinfo=timezone.utc).timestamp()
    except (ValueError, TypeError):
        return None
