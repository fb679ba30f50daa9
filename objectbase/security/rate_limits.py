"""Counting failed sign-in attempts with the `limits` library: one rule per client address, one per
login. No HTTP and no SQL here: the counter store is handed in (memory, Redis, or the database's
`rate_limit_counters` table, storage/rate_limits.py)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

__all__ = ["AttemptCounter", "CounterUnavailable", "is_rate", "parse_rate", "store_from_url"]


def parse_rate(text: str) -> RateLimitItem | None:
    """`"10/minute"` in the `limits` syntax; `""` or `"0"` means no limit."""
    text = text.strip()
    if text in ("", "0"):
        return None
    return parse(text)


def is_rate(text: str) -> bool:
    try:
        parse_rate(text)
    except ValueError:
        return False
    return True


def store_from_url(url: str) -> Storage:
    """A `limits` storage URI (`memory://`, `redis://host:6379`, …)."""
    store = storage_from_string(url, wrap_exceptions=True)
    if not isinstance(store, Storage):  # an `async+…` URI: its storage cannot serve synchronous checks
        raise ValueError(f"not a synchronous limits storage: {url!r}")
    return store


class CounterUnavailable(Exception):
    """The counter store (Redis, the database) could not be reached."""


class AttemptCounter:
    """Fixed windows (one counter row per key and window, the cheapest shared store to keep)."""

    def __init__(self, per_address: str, per_login: str, store: Storage | None = None) -> None:
        self.per_address = parse_rate(per_address)
        self.per_login = parse_rate(per_login)
        self.limiter = FixedWindowRateLimiter(store if store is not None else MemoryStorage())

    def _rules(self, address: str, login: str) -> list[tuple[RateLimitItem, str]]:
        rules = []
        if self.per_address is not None and address:
            rules.append((self.per_address, "address:" + address))
        if self.per_login is not None and login:
            rules.append((self.per_login, "login:" + login))
        return rules

    def retry_after(self, address: str, login: str) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        try:
            waits = [self.limiter.get_window_stats(rule, key).reset_time - time.time()
                     for rule, key in self._rules(address, login) if not self.limiter.test(rule, key)]
        except StorageError as error:
            raise CounterUnavailable() from error
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, address: str, login: str) -> None:
        try:
            for rule, key in self._rules(address, login):
                self.limiter.hit(rule, key)
        except StorageError as error:
            raise CounterUnavailable() from error
