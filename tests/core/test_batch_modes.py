"""Batch modes in the core: one savepoint per item; the history follows exactly what was committed."""

from __future__ import annotations

import pytest

from objectbase.core.actor import Actor
from objectbase.core.batches import MAX_ITEMIZED_BATCH, BatchAbortedError, BatchMode
from objectbase.core.errors import LimitExceededError, NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.query import ast
from objectbase.core.records import NewRecord, RecordChange
from objectbase.core.unit_of_work import Transaction
from objectbase.core.updates import FieldChange
from tests.conftest import QB

CLASS = {"name": "Note", "fields": {"name": "String", "score": "Integer"}, "required": ["name"],
         "permissions": {"create": {"access": "open"}, "read": {"access": "open"},
                         "update": {"access": "owner"}, "delete": {"access": "owner"}}}
GOOD, BAD = NewRecord({"name": "a"}), NewRecord({"score": 1})
# Per mode: the indexes of the outcomes (a failure at index 1 of 3) and which ones succeeded.
EXPECTED = {
    BatchMode.STOP_KEEP_PREFIX: ([0, 1], [0]),
    BatchMode.CONTINUE: ([0, 1, 2], [0, 2]),
}


def _user(qb: QB, login: str) -> Actor:
    qb.make_user(login)
    actor, _ = qb.services.sessions.authenticate_token(qb.token(login))
    return actor


@pytest.fixture
def owner(qb: QB) -> Actor:
    qb.apply_class(CLASS)
    return _user(qb, "owner")


def _kinds(qb: QB) -> list[str]:
    return [e.kind for e in qb.events() if e.kind.startswith("record.")]


def _ids(qb: QB, actor: Actor, count: int) -> list[str]:
    created = qb.services.records.create_records(actor, "Note", [GOOD] * count)
    return [r.id for r in created.records]


@pytest.mark.parametrize("mode", list(EXPECTED), ids=lambda m: m.value)
def test_create_keeps_what_the_mode_says(qb: QB, owner: Actor, mode: BatchMode) -> None:
    result = qb.services.records.create_records(owner, "Note", [GOOD, BAD, GOOD], mode=mode)
    indexes, succeeded = EXPECTED[mode]
    assert [o.index for o in result.outcomes] == indexes
    assert [o.index for o in result.outcomes if o.ok] == succeeded
    assert isinstance(result.outcomes[1].error, ValidationError)
    assert set(result.outcomes[1].error.field_errors) == {"name"}
    assert qb.count("Note") == len(succeeded) == len(result.records)
    assert _kinds(qb) == ["record.created"] * len(succeeded)


def test_create_all_or_nothing_raises_with_the_outcomes_and_keeps_nothing(qb: QB, owner: Actor) -> None:
    with pytest.raises(BatchAbortedError) as raised:
        qb.services.records.create_records(owner, "Note", [GOOD, BAD, GOOD], mode=BatchMode.ALL_OR_NOTHING)
    assert [(o.index, o.ok) for o in raised.value.outcomes] == [(0, True), (1, False)]
    assert isinstance(raised.value.__cause__, ValidationError)
    assert qb.count("Note") == 0 and _kinds(qb) == []


def test_the_default_stays_all_or_nothing_without_outcomes(qb: QB, owner: Actor) -> None:
    with pytest.raises(ValidationError):
        qb.services.records.create_records(owner, "Note", [GOOD, BAD])
    assert qb.count("Note") == 0 and _kinds(qb) == []
    assert qb.services.records.create_records(owner, "Note", [GOOD]).outcomes == ()


@pytest.mark.parametrize("mode", list(EXPECTED), ids=lambda m: m.value)
def test_update_fails_a_missing_id_as_its_item(qb: QB, owner: Actor, mode: BatchMode) -> None:
    first, last = _ids(qb, owner, 2)
    changes = [RecordChange(i, [FieldChange("score", "set", 7)]) for i in (first, "0" * 24, last)]
    result = qb.services.records.update_records(owner, "Note", changes, mode=mode)
    indexes, succeeded = EXPECTED[mode]
    assert [o.index for o in result.outcomes] == indexes
    assert isinstance(result.outcomes[1].error, NotFoundError)
    scores = {r.id: r.values["score"] for r in qb.services.records.get_records(owner, "Note", [first, last]).records}
    assert scores == {first: 7, last: 7 if 2 in succeeded else None}
    assert _kinds(qb).count("record.updated") == len(succeeded)


def test_update_fails_a_denied_record_as_its_item(qb: QB, owner: Actor) -> None:
    theirs = _ids(qb, _user(qb, "other"), 1)[0]
    mine = _ids(qb, owner, 1)[0]
    changes = [RecordChange(i, [FieldChange("score", "set", 1)]) for i in (mine, theirs)]
    result = qb.services.records.update_records(owner, "Note", changes, mode=BatchMode.CONTINUE)
    assert result.outcomes[0].ok and isinstance(result.outcomes[1].error, PermissionDeniedError)
    assert _kinds(qb).count("record.updated") == 1


@pytest.mark.parametrize("mode", list(EXPECTED), ids=lambda m: m.value)
def test_delete_by_ids_follows_the_mode(qb: QB, owner: Actor, mode: BatchMode) -> None:
    first, last = _ids(qb, owner, 2)
    result = qb.services.records.delete_records(owner, "Note", [first, "0" * 24, last], mode=mode)
    indexes, succeeded = EXPECTED[mode]
    assert [o.index for o in result.outcomes] == indexes
    assert result.deleted == [[first, "", last][i] for i in succeeded]
    assert result.outcomes[0].result is not None and result.outcomes[0].result.values["name"] == "a"
    assert qb.count("Note") == 2 - len(succeeded)
    assert _kinds(qb).count("record.deleted") == len(succeeded)


def test_delete_all_or_nothing_rolls_back_the_deleted_prefix(qb: QB, owner: Actor) -> None:
    first, last = _ids(qb, owner, 2)
    with pytest.raises(BatchAbortedError):
        qb.services.records.delete_records(owner, "Note", [first, "0" * 24, last], mode=BatchMode.ALL_OR_NOTHING)
    assert qb.count("Note") == 2 and "record.deleted" not in _kinds(qb)


def test_by_criteria_writes_are_itemized(qb: QB, owner: Actor) -> None:
    _ids(qb, owner, 2)
    _ids(qb, _user(qb, "other"), 1)  # not the owner's: neither matched nor changed
    change = RecordChange("", [FieldChange("score", "inc", 2)])
    updated = qb.services.records.update_by_criteria(owner, "Note", ast.TRUE, change, mode=BatchMode.CONTINUE)
    assert [o.result.values["score"] for o in updated.outcomes if o.result] == [2, 2]
    deleted = qb.services.records.delete_by_criteria(owner, "Note", ast.TRUE, mode=BatchMode.STOP_KEEP_PREFIX,
                                                     allow_all=True)
    assert len(deleted.deleted) == 2 and qb.count("Note") == 1
    assert _kinds(qb).count("record.updated") == 2 and _kinds(qb).count("record.deleted") == 2


def test_delete_all_without_criteria_still_needs_allow_all(qb: QB, owner: Actor) -> None:
    _ids(qb, owner, 1)
    with pytest.raises(ValidationError):
        qb.services.records.delete_by_criteria(owner, "Note", ast.TRUE, mode=BatchMode.CONTINUE)
    assert qb.count("Note") == 1


def test_a_batch_with_a_mode_is_capped(qb: QB, owner: Actor) -> None:
    with pytest.raises(LimitExceededError):
        qb.services.records.create_records(owner, "Note", [GOOD] * (MAX_ITEMIZED_BATCH + 1),
                                           mode=BatchMode.CONTINUE)
    assert qb.count("Note") == 0


def test_a_rolled_back_savepoint_drops_its_after_commit_callbacks(qb: QB) -> None:
    called: list[str] = []

    def failing(tx: Transaction) -> None:
        with tx.savepoint():
            tx.after_commit(lambda: called.append("undone"))
            raise ValidationError.single("x", "invalid", "x")

    with qb.services.storage.transaction(write=True) as tx:
        tx.after_commit(lambda: called.append("kept"))
        with pytest.raises(ValidationError):
            failing(tx)
    assert called == ["kept"]
