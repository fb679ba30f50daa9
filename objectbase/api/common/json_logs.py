"""Structured logs (`--log-format json`): one JSON object a line, carrying the request id of the
request being answered (set by the pipeline), so every error a client sees can be found by the
`X-Request-Id` of its response."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

import orjson

__all__ = ["JsonFormatter", "current_request_id", "log_config"]

# The request id of the request this task or thread answers; "-" outside a request.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("objectbase_request_id", default="-")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
            "logger": record.name, "message": record.getMessage(), "request_id": current_request_id.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def log_config(log_format: str) -> dict[str, Any] | None:
    """uvicorn's `log_config` for the format: None keeps uvicorn's own text logs."""
    if log_format != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": "objectbase.api.common.json_logs.JsonFormatter"}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": "INFO"},
        "loggers": {name: {"handlers": [], "propagate": True} for name in
                    ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
