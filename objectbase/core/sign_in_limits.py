"""The rule on guessing: too many failed sign-in attempts from one client address, or for one login,
and the next attempt is refused (RateLimitedError) before any password is checked.

Only failures count: a user who signs in often is never slowed, and a guesser is (nearly every guess
fails). The client address is set once per request by the server (`client_address`), so every
password check (sessions, logins, tokens, e-mail codes, a password change) sees it without each
dialect passing it on; the CLI sets none, and only the per-login rule applies there."""

from __future__ import annotations

import hashlib
from contextvars import ContextVar

from objectbase.core.errors import RateLimitedError, UnavailableError
from objectbase.security.rate_limits import AttemptCounter, CounterUnavailable

__all__ = ["SignInLimits", "client_address"]

client_address: ContextVar[str] = ContextVar("client_address", default="")


class SignInLimits:
    """Counts failed attempts per address and per (app, login); `counter=None` limits nothing."""

    def __init__(self, counter: AttemptCounter | None = None) -> None:
        self.counter = counter

    @staticmethod
    def _login_key(app_id: int, login: str) -> str:
        # A digest: the login is unchecked input (any length, NUL bytes) and the key may reach SQL.
        return f"{app_id}:{hashlib.sha256(login.strip().lower().encode('utf-8', 'replace')).hexdigest()}" \
            if login else ""

    def check(self, app_id: int, login: str) -> None:
        """Raise RateLimitedError when this address or login has used up its attempts."""
        if self.counter is None:
            return
        try:
            wait = self.counter.retry_after(client_address.get(), self._login_key(app_id, login))
        except CounterUnavailable:
            # Closed, not open: without its counts the limit cannot be kept, so nobody signs in.
            raise UnavailableError("The sign-in attempt counters cannot be reached") from None
        if wait is not None:
            raise RateLimitedError(wait)

    def failed(self, app_id: int, login: str) -> None:
        if self.counter is not None:
            try:
                self.counter.failed(client_address.get(), self._login_key(app_id, login))
            except CounterUnavailable:
                raise UnavailableError("The sign-in attempt counters cannot be reached") from None
