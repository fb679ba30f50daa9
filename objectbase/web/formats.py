"""How pages show times and sizes: times in UTC (the server's one zone; the forms' time fields are UTC
too), sizes in binary units with the exact byte count kept for a title."""

from __future__ import annotations

from datetime import datetime, timezone

from objectbase.core.models import User

__all__ = ["byte_size", "iso_time", "user_label", "utc_time"]

_UNITS = ("KiB", "MiB", "GiB", "TiB")


def utc_time(at: float | int | None) -> str:
    if at is None:
        return ""
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso_time(at: float | int) -> str:
    """For a `<time datetime>`: the machine-readable instant."""
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="seconds")


def byte_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def user_label(user: User) -> str:
    """A user as people know them: login, else email, else full name, else the id."""
    return user.login or user.email or user.full_name or f"User #{user.id}"
