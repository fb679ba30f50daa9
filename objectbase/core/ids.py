"""24-hex time-ordered record ids, shaped like MongoDB ObjectIds (as in the QuickBlox seeds)."""

from __future__ import annotations

import itertools
import os
import re
import threading
import time

__all__ = ["is_object_id", "new_object_id"]

_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
# Per-process random part plus a counter: two workers never collide, and ids made within one
# second by one process still sort in creation order.
_process_random = os.urandom(5)
_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
_lock = threading.Lock()


def new_object_id(now: float | None = None) -> str:
    seconds = int(time.time() if now is None else now)
    with _lock:
        count = next(_counter) & 0xFFFFFF
    return (seconds.to_bytes(4, "big") + _process_random + count.to_bytes(3, "big")).hex()


def is_object_id(value: str) -> bool:
    return bool(_OBJECT_ID.match(value))
