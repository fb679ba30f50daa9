"""A class's workflow states: rows with database ids, kept by name when a class file is re-applied,
and the catalogue operations (add, rename, recolour, reorder, delete)."""

from __future__ import annotations

import pytest

from objectbase.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.schema import DEFAULT_STATE_COLOR
from tests.conftest import QB
from tests.core.workflow_helpers import TASK, actor_of, create, state_ids


def test_a_class_file_gives_states_ids_positions_colours_and_transitions(qb: QB) -> None:
    qb.apply_class(TASK)
    states = qb.services.classes.get_class(qb.admin, "Task").states
    ids = {s.name: s.id for s in states}
    assert [(s.name, s.position, s.color) for s in states] == [
        ("New", 0, DEFAULT_STATE_COLOR), ("Doing", 1, 0xFF00FF00), ("Done", 2, DEFAULT_STATE_COLOR)]
    assert len(set(ids.values())) == 3
    assert [s.transitions for s in states] == [(ids["Doing"],), (), (ids["New"],)]


def test_reapplying_a_class_file_keeps_state_ids_by_name(qb: QB) -> None:
    qb.apply_class(TASK)
    before = state_ids(qb)
    qb.apply_class({**TASK, "states": [{"name": "Done"}, {"name": "Review"}, {"name": "New"}, {"name": "Doing"}]})
    after = qb.services.classes.get_class(qb.admin, "Task").states
    assert [s.name for s in after] == ["Done", "Review", "New", "Doing"]
    assert {s.name: s.id for s in after if s.name != "Review"} == before
    assert "Review" in {s.name for s in after} and after[1].id not in before.values()
    # Colours given once stay when a later file leaves them out.
    assert next(s for s in after if s.name == "Doing").color == 0xFF00FF00


def test_a_state_colour_must_be_a_packed_argb_integer(qb: QB) -> None:
    for color in (-1, 2**32, "red", True):
        with pytest.raises(ValidationError):
            qb.apply_class({**TASK, "states": [{"name": "New", "color": color}]})
    with pytest.raises(NotFoundError):
        qb.services.classes.get_class(qb.admin, "Task")


def test_states_are_added_renamed_recoloured_reordered_and_deleted_keeping_ids(qb: QB) -> None:
    qb.apply_class(TASK)
    ids = state_ids(qb)
    classes = qb.services.classes
    added = classes.add_state(qb.admin, "Task", "Blocked", color=0xFFFF0000, position=1, transitions=[ids["New"]])
    assert (added.position, added.color, added.transitions) == (1, 0xFFFF0000, (ids["New"],))
    renamed = classes.update_state(qb.admin, "Task", ids["Doing"], name="Working", color=0xFF0000FF, position=0)
    assert (renamed.id, renamed.name, renamed.color, renamed.position) == (ids["Doing"], "Working", 0xFF0000FF, 0)
    states = classes.get_class(qb.admin, "Task").states
    assert [s.name for s in states] == ["Working", "New", "Blocked", "Done"]
    # New's move to the renamed state still points at it.
    assert next(s for s in states if s.name == "New").transitions == (ids["Doing"],)
    classes.delete_state(qb.admin, "Task", ids["Doing"])
    states = classes.get_class(qb.admin, "Task").states
    assert [(s.name, s.position) for s in states] == [("New", 0), ("Blocked", 1), ("Done", 2)]
    # New allowed only the deleted state, so it now allows any move.
    assert states[0].transitions == ()
    assert [e.kind for e in qb.events("Task")][-3:] == ["class.updated"] * 3


def test_swapping_two_state_names_keeps_each_id(qb: QB) -> None:
    qb.apply_class(TASK)
    ids = state_ids(qb)
    qb.services.classes.update_state(qb.admin, "Task", ids["New"], name="Done2")
    qb.services.classes.update_state(qb.admin, "Task", ids["Done"], name="New")
    qb.services.classes.update_state(qb.admin, "Task", ids["New"], name="Done")
    assert state_ids(qb) == {"Done": ids["New"], "Doing": ids["Doing"], "New": ids["Done"]}


def test_a_state_records_are_in_cannot_be_deleted(qb: QB) -> None:
    qb.apply_class(TASK)
    ids = state_ids(qb)
    create(qb, actor_of(qb, "ann"))
    with pytest.raises(ConflictError) as raised:
        qb.services.classes.delete_state(qb.admin, "Task", ids["New"])
    assert raised.value.code == "state_in_use"
    with pytest.raises(ConflictError):
        qb.apply_class({**TASK, "states": [{"name": "Doing"}, {"name": "Done"}]})
    assert state_ids(qb) == ids
    # An empty state goes.
    qb.services.classes.delete_state(qb.admin, "Task", ids["Done"])
    assert set(state_ids(qb)) == {"New", "Doing"}


def test_state_names_must_be_unique_and_only_admins_change_states(qb: QB) -> None:
    qb.apply_class(TASK)
    ids = state_ids(qb)
    with pytest.raises(ValidationError):
        qb.services.classes.add_state(qb.admin, "Task", "Done")
    with pytest.raises(ValidationError):
        qb.services.classes.update_state(qb.admin, "Task", ids["New"], name="")
    with pytest.raises(NotFoundError):
        qb.services.classes.update_state(qb.admin, "Task", 10**9, name="X")
    with pytest.raises(PermissionDeniedError):
        qb.services.classes.add_state(actor_of(qb, "bob"), "Task", "Other")
    assert state_ids(qb) == ids


def test_records_of_a_class_that_gains_states_enter_its_first_state(qb: QB) -> None:
    qb.apply_class({"name": "Task", "fields": TASK["fields"]})
    record = create(qb, actor_of(qb, "cat"))
    assert record.state_id is None
    qb.apply_class({"name": "Task", "fields": TASK["fields"], "states": [{"name": "Open"}, {"name": "Shut"}]})
    first = state_ids(qb)["Open"]
    found = qb.services.records.get_records(qb.admin, "Task", [record.id]).records
    assert found[0].state_id == first
