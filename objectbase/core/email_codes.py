"""E-mail sign-in codes (the Tracy dialect's A1–A2): a nine-digit code sent to an address, valid
15 minutes and 5 tries, stored only as a digest. Exchanging a confirmed code for tokens is
`AccessTokenService.sign_in_with_code`.

With no mail server configured, the code is written to the server log (development use)."""

from __future__ import annotations

import dataclasses
import logging
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Protocol

from objectbase.core.actor import Actor
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.events import make_event
from objectbase.core.models import EmailCode
from objectbase.core.sign_in_limits import SignInLimits
from objectbase.core.unit_of_work import Committing, EmailCodeRows, EventRows, Storage, writes
from objectbase.security.tokens import constant_time_equal, token_digest

__all__ = ["CODE_TTL_SECONDS", "MAX_TRIES", "Confirmation", "EmailCodeService", "code_digest", "usable_code"]

log = logging.getLogger(__name__)

CODE_TTL_SECONDS = 15 * 60
MAX_TRIES = 5
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

# Delivers (app id, address, code) after the code is committed.
SendCode = Callable[[int, str, str], None]


class EmailCodeTransaction(Committing, EmailCodeRows, EventRows, Protocol):
    """What e-mail codes read and write."""


@dataclass(frozen=True)
class Confirmation:
    code: EmailCode
    # False: the code was wrong (the try is counted and committed; the dialect answers 400).
    confirmed: bool


def code_digest(code_id: str, code: str) -> str:
    # Salted by the code's id, so equal codes of two tokens have different digests.
    return token_digest(f"{code_id}:{code}")


def _log_code(app_id: int, email: str, code: str) -> None:
    log.warning("no mail server configured: sign-in code for %s (app %s) is %s", email, app_id, code)


def usable_code(tx: EmailCodeRows, app_id: int, code_id: str, now: float) -> tuple[EmailCode, str]:
    """The code and its digest if it is of this app, unexpired, unspent and not void; else 404."""
    found = tx.select_email_code(code_id) if len(code_id) <= 36 else None
    if (found is None or found[0].app_id != app_id or found[0].expires_at <= now or found[0].used_at is not None
            or found[0].tries >= MAX_TRIES):
        raise NotFoundError("The e-mail validation token is unknown, expired or void", code="email_code_not_found")
    return found


class EmailCodeService:
    def __init__(self, storage: Storage[EmailCodeTransaction], send_code: SendCode = _log_code,
                 limits: SignInLimits | None = None) -> None:
        self.storage = storage
        self.send_code = send_code
        self.limits = limits or SignInLimits()

    @writes
    def create_code(self, actor: Actor, email: str, now: float | None = None) -> EmailCode:
        now = time.time() if now is None else now
        if len(email) > 255 or not _EMAIL.match(email):
            raise ValidationError.single("email", "invalid_email", "The value is not an e-mail address.")
        code = f"{secrets.randbelow(10**9):09d}"
        entry = EmailCode(str(uuid.uuid4()), actor.app_id, email, 0, now, now + CODE_TTL_SECONDS)
        with self.storage.transaction(write=True) as tx:
            tx.insert_email_code(entry, code_digest(entry.id, code))
            tx.insert_events([make_event(actor, "email_code.created", entry.id, at=now)])
            tx.after_commit(lambda: self.send_code(actor.app_id, email, code))
        return entry

    @writes
    def confirm_code(self, actor: Actor, code_id: str, code: str, now: float | None = None) -> Confirmation:
        now = time.time() if now is None else now
        with self.storage.transaction(write=True) as tx:
            entry, digest = usable_code(tx, actor.app_id, code_id, now)
            if entry.confirmed_at is not None:
                return Confirmation(entry, True)
            # A code is a password of sorts: guesses are limited like sign-ins, per address and e-mail.
            self.limits.check(actor.app_id, entry.email)
            if not constant_time_equal(digest, code_digest(code_id, code)):
                self.limits.failed(actor.app_id, entry.email)
                tx.update_email_code(code_id, tries=entry.tries + 1)
                return Confirmation(dataclasses.replace(entry, tries=entry.tries + 1), False)
            tx.update_email_code(code_id, confirmed_at=now)
            tx.insert_events([make_event(actor, "email_code.confirmed", code_id, at=now)])
            return Confirmation(dataclasses.replace(entry, confirmed_at=now), True)
