"""Tracy's one timestamp form, `YYYY-MM-DDTHH:mm:ss.sssZ` in UTC (contract §1.1)."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["timestamp"]


def timestamp(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
