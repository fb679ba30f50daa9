"""Bulk import and export of a class's records (the `import` and `export` commands).

Import goes through `RecordService.create_records`, so casting, required fields, references,
permissions and the event history apply as for any client write. Unlike a client write, a key the
class does not have is an error here: a file's column that matches no field is a mistake to report,
not a value to drop silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from objectbase.core.actor import Actor
from objectbase.core.batches import MAX_ITEMIZED_BATCH, BatchMode, ItemOutcome
from objectbase.core.errors import FieldError, ObjectbaseError, ValidationError
from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.records import NewRecord, RecordService
from objectbase.core.schema import ClassDef
from objectbase.core.unit_of_work import writes

__all__ = ["EXPORT_PAGE", "IMPORT_BATCH", "ImportAbortedError", "export_pages", "import_records", "record_json",
           "unknown_fields"]

# Records per batch of an import: five times a client's batch; per batch the class is read, references
# checked and rows written (a COPY on PostgreSQL), so bigger batches cost less per record (500: 3,000
# records/s on PostgreSQL where 100 gave 2,000, bench/export_import.py).
IMPORT_BATCH = 500
assert IMPORT_BATCH <= MAX_ITEMIZED_BATCH  # a failing batch is retried item by item

# Records read per page of an export (one short read transaction each, so writers never wait long).
EXPORT_PAGE = 1000

# What a batch's outcomes are reported to: (outcomes by index in the batch).
BatchReport = Callable[[Sequence[NewRecord], list[ItemOutcome[Record]]], None]


class ImportAbortedError(ObjectbaseError):
    """An all-or-nothing import had failing items: nothing was kept."""

    default_code = "import_aborted"
    default_message = "Import rolled back: some records were not valid"


def record_json(cls: ClassDef, record: Record) -> dict[str, Any]:
    """The record as an export line: its system columns, then every field as canonical JSON."""
    data: dict[str, Any] = {"_id": record.id, "user_id": record.user_id, "created_at": record.created_at,
                            "updated_at": record.updated_at, "_parent_id": record.parent_id}
    for name, field_def in cls.fields.items():
        data[name] = field_def.type.to_json(record.values.get(name))
    return data


def export_pages(records: RecordService, actor: Actor, class_name: str,
                 page: int = EXPORT_PAGE) -> Iterator[tuple[ClassDef, list[Record]]]:
    """Every record of the class the actor may read, in `_id` order, a page per read (keyset paging,
    so each page costs the same however deep the export is)."""
    after: str | None = None
    while True:
        where: ast.Node = ast.TRUE if after is None else ast.Compare("_id", "gt", after)
        found = records.find_records(actor, class_name, ast.Query(where=where, sort=(ast.SortKey("_id"),),
                                                                  limit=page))
        if found.records:
            yield found.cls, found.records
        if len(found.records) < page:
            return
        after = found.records[-1].id


def unknown_fields(cls: ClassDef, values: Mapping[str, Any]) -> ValidationError | None:
    unknown = [name for name in values if name not in cls.fields]
    if not unknown:
        return None
    return ValidationError({name: [FieldError("unknown", f"{name} is not a field of {cls.name}")] for name in unknown})


def _create_batch(records: RecordService, actor: Actor, class_name: str,
                  items: Sequence[NewRecord]) -> list[ItemOutcome[Record]]:
    """Every item's outcome. The whole batch is tried first as one bulk insert; only a batch with
    a failing item is retried item by item (a savepoint each), so good files import at bulk speed."""
    with records.storage.transaction(write=True) as tx:
        try:
            with tx.savepoint():
                created = records.create_records(actor, class_name, items, most=IMPORT_BATCH)
            return [ItemOutcome(i, r) for i, r in enumerate(created.records)]
        except ObjectbaseError:
            # Some item failed and the savepoint undid the batch: try each item on its own below,
            # which reports every failure with its index.
            pass
        itemized = records.create_records(actor, class_name, items, mode=BatchMode.CONTINUE)
        return list(itemized.outcomes)


def _checked_batch(records: RecordService, actor: Actor, cls: ClassDef, items: Sequence[NewRecord],
                   report: BatchReport) -> bool:
    """Write one batch (its items with unknown fields are failures up front); whether all were written."""
    outcomes: list[ItemOutcome[Record] | None] = []
    good: list[tuple[int, NewRecord]] = []
    for index, item in enumerate(items):
        error = unknown_fields(cls, item.values)
        outcomes.append(None if error is None else ItemOutcome(index, error=error))
        if error is None:
            good.append((index, item))
    if good:
        for (index, _item), outcome in zip(good, _create_batch(records, actor, cls.name, [i for _, i in good])):
            outcomes[index] = ItemOutcome(index, outcome.result, outcome.error)
    done = [o for o in outcomes if o is not None]
    report(items, done)
    return all(o.ok for o in done)


@writes
def import_records(records: RecordService, actor: Actor, class_name: str, batches: Iterable[Sequence[NewRecord]],
                   report: BatchReport, *, all_or_nothing: bool) -> None:
    """Create the records of every batch (each at most IMPORT_BATCH items), reporting each batch's outcomes.

    By default each batch is its own transaction and the good items are kept. `all_or_nothing`: every
    batch runs in one transaction, which is rolled back (`ImportAbortedError`) when any item failed,
    after every item was tried, so the report names every bad item, not only the first."""
    def run() -> bool:
        cls = records.classes.get_class(actor, class_name)
        ok = True
        for items in batches:
            if len(items) > IMPORT_BATCH:
                raise ValueError(f"a batch holds at most {IMPORT_BATCH} records")
            ok = _checked_batch(records, actor, cls, items, report) and ok
        return ok

    if not all_or_nothing:
        run()
        return
    with records.storage.transaction(write=True):
        if not run():
            raise ImportAbortedError()
