"""What the backup and restore steps report their progress to; the command line draws it."""

from __future__ import annotations

import contextlib
from typing import Callable, ContextManager, Iterator, Protocol

__all__ = ["Advance", "Progress", "Silent"]

Advance = Callable[[int], None]


class Progress(Protocol):
    def step(self, name: str, total: int, *, unit: str) -> ContextManager[Advance]:
        """A step of `total` units; the block calls the advance with each unit done."""


class Silent:
    @contextlib.contextmanager
    def step(self, name: str, total: int, *, unit: str) -> Iterator[Advance]:
        yield lambda _n: None
