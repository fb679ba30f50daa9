"""Duplicating a record: its field values (overrides replace whole fields) and state, fresh automatic
values and owner, no archive or trash marks, one `record.duplicated` event."""

from __future__ import annotations

import pytest

from objectbase.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.permissions import Access, Action, Permission
from tests.conftest import QB
from tests.core.workflow_helpers import TASK, TASK_REQUIRING_DONE_BY, actor_of, create, kinds, signed_in, state_ids, stored


def test_a_duplicate_copies_values_and_state_with_fresh_automatic_values(qb: QB) -> None:
    qb.apply_class(TASK)
    ids = state_ids(qb)
    ann, bob = actor_of(qb, "ann"), actor_of(qb, "bob")
    original = create(qb, ann, {"title": "plan", "estimate": 3}, state_id=ids["Doing"])
    qb.services.records.archive(ann, "Task", original.id)
    copy = qb.services.records.duplicate(bob, "Task", original.id, {"estimate": "5"})
    assert copy.id != original.id and copy.seq != original.seq
    assert (copy.values["title"], copy.values["estimate"], copy.state_id) == ("plan", 5, ids["Doing"])
    assert (copy.user_id, copy.archived_at, copy.removed_at) == (bob.user_id, None, None)
    assert stored(qb, copy.id) == copy
    event = qb.events(copy.id)
    assert [(e.kind, e.new, e.record_seq) for e in event] == [
        ("record.duplicated", {"original_seq": original.seq, "original_id": original.id, "_state_id": ids["Doing"]},
         copy.seq)]
    # The original is untouched.
    assert kinds(qb, original.id) == ["record.created", "record.archived"]


def test_a_duplicate_may_start_in_another_state_if_its_fields_allow(qb: QB) -> None:
    qb.apply_class(TASK)
    ids = state_ids(qb)
    ann = actor_of(qb, "ann")
    original = create(qb, ann, state_id=ids["Doing"])
    qb.apply_class(TASK_REQUIRING_DONE_BY)
    ann = signed_in(qb, "ann")
    events = len(qb.events())
    # In the original's (later) state the required field must have a value, so this copy is refused…
    with pytest.raises(ValidationError) as raised:
        qb.services.records.duplicate(ann, "Task", original.id)
    assert raised.value.code == "required_fields_missing"
    assert len(qb.events()) == events
    # …but one in the first state, or with the value given, is not.
    assert qb.services.records.duplicate(ann, "Task", original.id, state_id=ids["New"]).state_id == ids["New"]
    assert qb.services.records.duplicate(ann, "Task", original.id, {"done_by": "ann"}).state_id == ids["Doing"]
    with pytest.raises(ValidationError):
        qb.services.records.duplicate(ann, "Task", original.id, state_id=10**9)


def test_only_a_readable_record_not_in_the_trash_is_duplicated(qb: QB) -> None:
    qb.apply_class(TASK)
    ann, bob = actor_of(qb, "ann"), actor_of(qb, "bob")
    private = create(qb, ann, permissions={Action.READ: Permission(Access.OWNER)})
    removed = create(qb, ann)
    qb.services.records.remove(ann, "Task", removed.id)
    count = qb.count("Task")
    for actor, record_id in ((bob, private.id), (qb.admin, removed.id), (ann, "not-an-id")):
        with pytest.raises(NotFoundError):
            qb.services.records.duplicate(actor, "Task", record_id)
    with pytest.raises(ValidationError):
        qb.services.records.duplicate(ann, "Task", private.id, {"estimate": "many"})
    assert qb.count("Task") == count


def test_a_duplicate_needs_the_create_permission(qb: QB) -> None:
    qb.apply_class({**TASK, "permissions": {"create": {"access": "not_allowed"}}})
    original = create(qb, qb.admin)
    with pytest.raises(PermissionDeniedError):
        qb.services.records.duplicate(actor_of(qb, "ann"), "Task", original.id)
