"""Hostile input straight into the core (issue 12, item 3), below every dialect's parser: for each
command kind — create, update by each operator, read and delete by id, sign-up — any value either
works or raises one of the core's own errors of the kind the input deserves, and a refused command
writes nothing (records and events counted before and after). A driver error or any other
exception would be a 500 in every dialect.

Strategies are those of the HTTP properties (tests/api/test_hostile_properties.py); examples are few."""

from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from objectbase.core.errors import (
    LimitExceededError, MalformedInputError, NotFoundError, ObjectbaseError, ValidationError,
)
from objectbase.core.records import NewRecord, RecordChange
from objectbase.core.services import Services
from objectbase.core.updates import FieldChange
from objectbase.core.users import NewUser
from tests.api.test_hostile_properties import FIELDS, HOSTILE_INT, HOSTILE_TEXT, NESTED, PROPERTY
from tests.conftest import QB

# What bad input may raise: a validation error (naming the field), malformed input, an id that
# names nothing, a limit. Not a permission error: the actor is the app's administrator.
INPUT_ERRORS = (ValidationError, MalformedInputError, NotFoundError, LimitExceededError)
OPS = ["set", "inc", "push", "add_to_set", "pull", "pull_all", "pop", "set_index"]


@pytest.fixture(scope="module")
def core(client: Any, services: Services) -> tuple[QB, str]:
    qb = QB(client, services, services.apps.create_app(f"hostile-core-{uuid.uuid4().hex[:8]}"))
    qb.apply_class()
    created = services.records.create_records(qb.admin, "ScoreTable", [NewRecord({"score_value": 1})])
    return qb, created.records[0].id


def _refused_or_done(qb: QB, command: Callable[[], object], *, writes: bool = True) -> None:
    before = (qb.count(), len(qb.events()))
    try:
        command()
    except ObjectbaseError as error:
        assert isinstance(error, INPUT_ERRORS), repr(error)
        assert (qb.count(), len(qb.events())) == before
    else:
        if not writes:
            assert (qb.count(), len(qb.events())) == before


@PROPERTY
@given(field=st.sampled_from(FIELDS), value=NESTED)
def test_create_any_value(core: tuple[QB, str], field: str, value: Any) -> None:
    qb, _ = core
    _refused_or_done(qb, lambda: qb.services.records.create_records(qb.admin, "ScoreTable",
                                                                    [NewRecord({field: value})]))


@PROPERTY
@given(field=st.sampled_from(FIELDS), op=st.sampled_from(OPS), value=NESTED, argument=HOSTILE_INT | NESTED)
def test_update_any_operator_and_value(core: tuple[QB, str], field: str, op: Any, value: Any,
                                       argument: Any) -> None:
    qb, record_id = core
    change = RecordChange(record_id, (FieldChange(field, op, value, argument if op == "set_index" else None),))
    _refused_or_done(qb, lambda: qb.services.records.update_records(qb.admin, "ScoreTable", [change]))


@PROPERTY
@given(ids=st.lists(HOSTILE_TEXT | HOSTILE_INT.map(str), min_size=0, max_size=4))
def test_read_and_delete_any_ids(core: tuple[QB, str], ids: list[str]) -> None:
    qb, record_id = core
    ids = [i for i in ids if i != record_id]
    _refused_or_done(qb, lambda: qb.services.records.get_records(qb.admin, "ScoreTable", ids), writes=False)
    _refused_or_done(qb, lambda: qb.services.records.delete_records(qb.admin, "ScoreTable", ids), writes=False)


@PROPERTY
@given(name=HOSTILE_TEXT, value=NESTED)
def test_any_class_name(core: tuple[QB, str], name: str, value: Any) -> None:
    qb, _ = core
    _refused_or_done(qb, lambda: qb.services.records.create_records(qb.admin, name, [NewRecord({"x": value})]),
                     writes=False)


@PROPERTY
@given(login=HOSTILE_TEXT, email=HOSTILE_TEXT, tag=HOSTILE_TEXT)
def test_sign_up_any_profile(core: tuple[QB, str], login: str, email: str, tag: str) -> None:
    qb, _ = core

    def sign_up() -> None:
        qb.services.users.create_user(qb.admin, NewUser({"login": login + uuid.uuid4().hex[:6], "email": email},
                                                        "password1", (tag,)))

    _refused_or_done(qb, sign_up)
