"""A1 and A4 bodies -> the core's typed session request and login credentials.

QuickBlox signs `application_id`, `auth_key`, `nonce`, `timestamp` and `user[…]` with the app's
secret (security/signatures.py); the core only asks the proof built here whether the secret fits.
"""

from __future__ import annotations

from typing import Any, Mapping

from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.sessions import SessionRequest
from objectbase.core.users import LoginCredentials
from objectbase.security.signatures import verify_signature

__all__ = ["login_credentials", "session_request"]


def _int_param(params: Mapping[str, Any], name: str) -> int:
    value = params.get(name)
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.lstrip("-").isdigit():
        raise ValidationError.single(name, "invalid" if value not in (None, "") else "blank",
                                     "is invalid" if value not in (None, "") else "can't be blank")
    return int(text)


def _text_param(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationError.single(name, "blank", "can't be blank")
    return value


def login_credentials(data: Mapping[str, Any]) -> LoginCredentials:
    """`login` or `email`, and `password`; a value that is not text counts as not given."""
    def text(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) and value else None
    password = data.get("password")
    return LoginCredentials(str(password or ""), text("login"), text("email"))


def session_request(params: Mapping[str, Any]) -> SessionRequest:
    """`params` are the request's parameters as sent (one nesting level, e.g. `user[login]`)."""
    app_id = _int_param(params, "application_id")
    nonce = _int_param(params, "nonce")
    timestamp = _int_param(params, "timestamp")
    auth_key = _text_param(params, "auth_key")
    signature = _text_param(params, "signature")
    user = params.get("user")
    if user is not None and not isinstance(user, Mapping):
        raise ValidationError.single("user", "invalid", "must hold login or email and password")
    if any(key in params for key in ("provider", "firebase_phone")):
        message = "Only login/email and password sessions are supported"
        raise ValidationError({"base": [FieldError("unsupported_provider", message)]}, message,
                              code="unsupported_provider")
    return SessionRequest(app_id, auth_key, nonce, timestamp,
                          proof=lambda secret: verify_signature(params, secret, signature),
                          login=login_credentials(user) if user else None)
