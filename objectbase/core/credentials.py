"""What a request presents to prove who it is, already read from the wire by its dialect."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Credentials"]


@dataclass(frozen=True)
class Credentials:
    """A session token, or an API key (optionally acting for a user id), or only the app's public
    key (`app_key`: the application itself, no user; the API key given there acts as admin)."""

    session_token: str = ""
    api_key: str = ""
    on_behalf_of: int | None = None
    app_key: str = ""
    # A signed access token (JWT) of a user; wins over every other credential.
    access_token: str = ""
    # A dashboard session's token and the app it acts on (core/operators.py): the app's administrator.
    dashboard_token: str = ""
    app_id: int | None = None
