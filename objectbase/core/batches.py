"""Batch modes: how a batch write treats a failing item (DreamFactory's `continue` and `rollback`).

A batch runs in one transaction with one SAVEPOINT per item, so an item's failure undoes that item
only (its rows and its event-history entries) and the transaction commits exactly what the mode
keeps. Without a mode, core batch operations keep their original all-or-nothing behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Generic, Sequence, TypeVar

from objectbase.core.errors import ObjectbaseError
from objectbase.core.schema import ClassDef
from objectbase.core.unit_of_work import Committing

__all__ = ["BatchAbortedError", "BatchMode", "ItemOutcome", "MAX_ITEMIZED_BATCH", "run_items"]

# Most items a batch with a mode may hold (DreamFactory's cap, contract §11).
MAX_ITEMIZED_BATCH = 1000

T = TypeVar("T")
R = TypeVar("R")


class BatchMode(Enum):
    # The first failure undoes every item and raises `BatchAbortedError`.
    ALL_OR_NOTHING = "all_or_nothing"
    # The first failure stops the batch; the items before it are kept (committed).
    STOP_KEEP_PREFIX = "stop_keep_prefix"
    # Every item is tried; the successful ones are kept.
    CONTINUE = "continue"


@dataclass(frozen=True)
class ItemOutcome(Generic[R]):
    """One item of a batch, by its index in the request: what it wrote, or why it failed."""

    index: int
    result: R | None = None
    error: ObjectbaseError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class BatchAbortedError(ObjectbaseError):
    """An all-or-nothing batch failed at one item and nothing was kept. Carries every outcome up
    to the failure (the earlier results were written, then rolled back); the cause is the item's error."""

    default_code = "batch_aborted"

    def __init__(self, cls: ClassDef, outcomes: Sequence[ItemOutcome[Any]]) -> None:
        failed = next(o for o in outcomes if o.error is not None)
        assert failed.error is not None
        super().__init__(failed.error.message)
        self.cls = cls
        self.outcomes = tuple(outcomes)
        self.__cause__ = failed.error


def run_items(tx: Committing, cls: ClassDef, mode: BatchMode, items: Sequence[T],
              write_one: Callable[[T], R]) -> list[ItemOutcome[R]]:
    """Write the items in order, each in its own savepoint, as the mode says; raises
    `BatchAbortedError` (which rolls the transaction back) for a failed all-or-nothing batch."""
    outcomes: list[ItemOutcome[R]] = []
    for index, item in enumerate(items):
        try:
            # Also for all-or-nothing: the savepoint translates driver errors into the item's error.
            with tx.savepoint():
                result = write_one(item)
        except ObjectbaseError as error:
            outcomes.append(ItemOutcome(index, error=error))
            if mode is BatchMode.CONTINUE:
                continue
            if mode is BatchMode.ALL_OR_NOTHING:
                raise BatchAbortedError(cls, outcomes) from error
            break
        outcomes.append(ItemOutcome(index, result))
    return outcomes
