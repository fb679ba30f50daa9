"""Archive and trash: who may set and clear each mark, what each hides from whom, that marked
records are frozen, and that a purge deletes for good but keeps the history."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from objectbase.core.actor import Actor
from objectbase.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from objectbase.core.query import ast
from objectbase.core.records import NewRecord, RecordChange
from objectbase.core.updates import FieldChange
from tests.conftest import QB
from tests.core.workflow_helpers import TASK, actor_of, create, kinds, last_event, stored


def _listed(qb: QB, actor: Actor, **query: Any) -> list[str]:
    found = qb.services.records.find_records(actor, "Task", ast.Query(**query))
    return [r.id for r in found.records]


def test_archived_records_leave_lists_and_counts_unless_asked_for(qb: QB) -> None:
    qb.apply_class(TASK)
    ann = actor_of(qb, "ann")
    kept, archived = create(qb, ann), create(qb, ann)
    done = qb.services.records.archive(ann, "Task", archived.id)
    assert done.archived_at is not None and stored(qb, archived.id).archived_at == done.archived_at  # type: ignore[union-attr]
    assert _listed(qb, ann) == [kept.id]
    assert _listed(qb, ann, archived="include") == [kept.id, archived.id]
    assert _listed(qb, ann, archived="only") == [archived.id]
    records = qb.services.records
    assert records.count_records(ann, "Task", ast.TRUE) == 1
    assert records.count_records(ann, "Task", ast.TRUE, archived="include") == 2
    # Still readable by id.
    assert [r.id for r in records.get_records(ann, "Task", [archived.id]).records] == [archived.id]
    unarchived = records.unarchive(ann, "Task", archived.id)
    assert unarchived.archived_at is None and _listed(qb, ann) == [kept.id, archived.id]
    assert kinds(qb, archived.id) == ["record.created", "record.archived", "record.unarchived"]
    assert last_event(qb, archived.id).old == {"archived_at": done.archived_at, "removed_at": None}


def test_removed_records_are_seen_only_by_admins(qb: QB) -> None:
    qb.apply_class(TASK)
    ann, boss = actor_of(qb, "ann"), actor_of(qb, "boss", admin=True)
    kept, removed = create(qb, ann), create(qb, ann)
    qb.services.records.remove(ann, "Task", removed.id)
    records = qb.services.records
    for actor in (ann, boss, qb.admin):
        assert _listed(qb, actor) == [kept.id]  # lists show the trash only when asked
        assert records.count_records(actor, "Task", ast.TRUE) == 1
    assert records.get_records(ann, "Task", [removed.id]).not_found == [removed.id]
    with pytest.raises(NotFoundError):
        records.transitions(ann, "Task", removed.id)
    with pytest.raises(PermissionDeniedError):
        _listed(qb, ann, removed="only")
    for admin in (boss, qb.admin):
        assert [r.id for r in records.get_records(admin, "Task", [removed.id]).records] == [removed.id]
        assert _listed(qb, admin, removed="only") == [removed.id]
        assert records.count_records(admin, "Task", ast.TRUE, removed="include") == 2


def test_removed_records_are_hidden_as_children_and_parents(qb: QB) -> None:
    qb.apply_class(TASK)
    ann = actor_of(qb, "ann")
    parent = create(qb, ann)
    child = create(qb, ann, parent_id=parent.id)
    qb.services.records.remove(ann, "Task", child.id)
    related = qb.services.records.find_children(ann, "Task", [parent.id], "Task", ast.Query(limit=10))
    assert related.by_record == {parent.id: []}
    qb.services.records.remove(ann, "Task", parent.id)
    with pytest.raises(NotFoundError):
        qb.services.records.create_records(ann, "Task", [NewRecord({}, parent_id=parent.id)], parent_class="Task")


def test_removed_records_cannot_be_written_by_id_by_others(qb: QB) -> None:
    qb.apply_class(TASK)
    ann = actor_of(qb, "ann")
    removed = create(qb, ann)
    qb.services.records.remove(ann, "Task", removed.id)
    change = RecordChange(removed.id, (FieldChange("title", "set", "x"),))
    assert qb.services.records.update_records(ann, "Task", [change]).not_found == [removed.id]
    assert qb.services.records.delete_records(ann, "Task", [removed.id]).not_found == [removed.id]
    with pytest.raises(NotFoundError):
        qb.services.records.unarchive(ann, "Task", removed.id)


@pytest.mark.parametrize("mark, code", [("archive", "record_archived"), ("remove", "record_removed")])
def test_marked_records_values_cannot_change(qb: QB, mark: str, code: str) -> None:
    qb.apply_class(TASK)
    ann = actor_of(qb, "ann")
    record = create(qb, ann, {"title": "a"})
    getattr(qb.services.records, mark)(ann, "Task", record.id)
    events = len(qb.events())
    with pytest.raises(ConflictError) as raised:
        qb.services.records.update_records(qb.admin, "Task", [RecordChange(record.id, (FieldChange("title", "set", "b"),))])
    assert raised.value.code == code
    # Updates by criteria skip them, as lists do.
    changed = qb.services.records.update_by_criteria(qb.admin, "Task", ast.TRUE,
                                                     RecordChange("", (FieldChange("title", "set", "c"),)))
    assert changed.total == 0
    assert stored(qb, record.id).values["title"] == "a"  # type: ignore[union-attr]
    assert len(qb.events()) == events


def test_marks_are_refused_where_they_do_not_apply(qb: QB) -> None:
    qb.apply_class(TASK)
    ann = actor_of(qb, "ann")
    record = create(qb, ann)
    records = qb.services.records
    checks: list[tuple[Callable[..., object], str]] = [
        (records.unarchive, "record_not_archived"), (records.restore, "record_not_removed"),
        (records.purge, "record_not_removed")]
    for operation, code in checks:
        with pytest.raises(ConflictError) as raised:
            operation(qb.admin, "Task", record.id)
        assert raised.value.code == code
    records.archive(ann, "Task", record.id)
    with pytest.raises(ConflictError):
        records.archive(ann, "Task", record.id)
    records.remove(ann, "Task", record.id)  # an archived record may go to the trash
    with pytest.raises(ConflictError) as raised:
        records.remove(qb.admin, "Task", record.id)
    assert raised.value.code == "record_removed"
    assert kinds(qb, record.id) == ["record.created", "record.archived", "record.removed"]


def test_archive_and_remove_need_the_update_permission_restore_and_purge_an_admin(qb: QB) -> None:
    qb.apply_class(TASK)
    ann, bob, boss = actor_of(qb, "ann"), actor_of(qb, "bob"), actor_of(qb, "boss", admin=True)
    record = create(qb, ann)
    records = qb.services.records
    for operation in (records.archive, records.remove):
        with pytest.raises(PermissionDeniedError):
            operation(bob, "Task", record.id)
    records.remove(ann, "Task", record.id)
    admin_only: list[Callable[[Actor, str, str], object]] = [records.restore, records.purge]
    for refused in admin_only:
        with pytest.raises(PermissionDeniedError):
            refused(ann, "Task", record.id)  # the owner is no admin
    restored = records.restore(boss, "Task", record.id)
    assert restored.removed_at is None and _listed(qb, ann) == [record.id]
    assert kinds(qb, record.id)[-1] == "record.restored"


def test_a_purge_deletes_the_record_and_its_children_and_keeps_the_events(qb: QB) -> None:
    qb.apply_class(TASK)
    ann = actor_of(qb, "ann")
    record = create(qb, ann)
    child = create(qb, ann, parent_id=record.id)
    qb.services.records.remove(ann, "Task", record.id)
    result = qb.services.records.purge(qb.admin, "Task", record.id)
    assert (result.deleted, result.cascaded) == ([record.id], 1)
    assert stored(qb, record.id) is None and stored(qb, child.id) is None
    assert kinds(qb, record.id) == ["record.created", "record.removed", "record.deleted"]
    assert kinds(qb, child.id) == ["record.created", "record.deleted"]
