"""Batch modes and batch errors (contract §7.3) on both surfaces: what each mode keeps, the body."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.dreamfactory.support import DF, df  # noqa: F401  (the fixture)

TASK = {"name": "task", "fields": {"name": "String", "score": "Integer"}, "required": ["name"],
        "permissions": {"create": {"access": "open"}, "read": {"access": "open"},
                        "update": {"access": "owner"}, "delete": {"access": "owner"}}}
GOOD, BAD = {"name": "ok"}, {"score": 1}
NULL_NAME = "Field 'name' can not be NULL."
MISSING = "0" * 24


@pytest.fixture
def tasks(df: DF) -> DF:
    df.qb.apply_class(TASK)
    df.qb.make_user("owner")
    return df


def _item_error(tasks: DF, entry: Any, status: int, message: str) -> None:
    """A failed entry of the context: an error object on v2, the message string on legacy."""
    if tasks.v2:
        assert entry == {"code": status, "status_code": status, "context": None, "message": message}
    else:
        assert entry == message


def _batch_error(tasks: DF, response: Any, status: int, message: str) -> dict[str, Any]:
    error = tasks.error(response, status)
    assert error["message"] == message
    assert error["code"] == (1000 if tasks.v2 else status)
    context: dict[str, Any] = error["context"]
    assert set(context) == {"error", tasks.wrapper}
    return context


# mode params -> (kept items, entries in the context, message suffix)
MODES = {
    "default": ({}, [0], 2, ""),
    "continue": ({"continue": "true"}, [0, 2], 3, ""),
    "rollback": ({"rollback": "true"}, [], 2, " All changes rolled back."),
}


@pytest.mark.parametrize("mode", list(MODES))
def test_a_failed_create_keeps_what_the_mode_says(tasks: DF, mode: str) -> None:
    params, kept, entries, suffix = MODES[mode]
    response = tasks.send("POST", "task", params=params, json={tasks.wrapper: [GOOD, BAD, GOOD]})
    verb = "requested records" if tasks.v2 else "records"
    context = _batch_error(tasks, response, 400, f"Batch Error: Not all {verb} could be created.{suffix}")
    assert context["error"] == [1]
    results = context[tasks.wrapper]
    assert len(results) == entries
    _item_error(tasks, results[1], 400, NULL_NAME)
    # The successes' results, even those rolled back; items never reached are absent.
    assert all(list(results[i]) == ["_id"] for i in range(entries) if i != 1)
    rows = tasks.rows("task")
    assert sorted(rows) == sorted(results[i]["_id"] for i in kept)
    assert len(tasks.events("record.created")) == len(kept)


def test_a_failed_first_item(tasks: DF) -> None:
    """Legacy answers a failed first item with its own error; v2 reports it as a batch error."""
    response = tasks.send("POST", "task", json={tasks.wrapper: [BAD, GOOD]})
    if tasks.v2:
        context = _batch_error(tasks, response, 400, "Batch Error: Not all requested records could be created.")
        assert context == {"error": [0], "resource": [context["resource"][0]]}
        _item_error(tasks, context["resource"][0], 400, NULL_NAME)
    else:
        error = tasks.error(response, 400)
        assert (error["message"], error["context"], error["code"]) == (NULL_NAME, None, 400)
    assert tasks.rows("task") == {} and tasks.events() == []


def test_a_single_wrapped_item_that_fails(tasks: DF) -> None:
    response = tasks.send("POST", "task", params={"rollback": "true"}, json={tasks.wrapper: [{"name": "a",
                                                                                             "score": "high"}]})
    if tasks.v2:
        context = _batch_error(tasks, response, 400,
                               "Batch Error: Not all requested records could be created. All changes rolled back.")
        assert context["error"] == [0] and "score" in context["resource"][0]["message"]
    else:  # one item: `rollback` is ignored and the item's own error answers
        error = tasks.error(response, 400)
        assert "score" in error["message"] and error["context"] is None
    assert tasks.rows("task") == {}


def test_an_unwrapped_single_record_that_fails_is_a_plain_error(tasks: DF) -> None:
    error = tasks.error(tasks.send("POST", "task", json=BAD), 400)
    assert (error["message"], error["context"]) == (NULL_NAME, None)


@pytest.mark.parametrize("method, legacy_verb", [("PATCH", "patched"), ("PUT", "updated")])
def test_an_update_batch_with_a_missing_record(tasks: DF, method: str, legacy_verb: str) -> None:
    first, second = tasks.create("task", GOOD, GOOD)
    body = {tasks.wrapper: [{"_id": first, "score": 1}, {"_id": MISSING, "score": 2}, {"_id": second, "score": 3}]}
    response = tasks.send(method, "task", json=body)
    message = ("Batch Error: Not all requested records could be updated." if tasks.v2
               else f"Batch Error: Not all records could be {legacy_verb}.")
    # Legacy answers with the failing item's status.
    context = _batch_error(tasks, response, 400 if tasks.v2 else 404, message)
    assert context["error"] == [1] and context[tasks.wrapper][0] == {"_id": first}
    _item_error(tasks, context[tasks.wrapper][1], 404, f"Record with identifier '{MISSING}' not found.")
    rows = tasks.rows("task")
    assert (rows[first]["score"], rows[second]["score"]) == (1, None)
    assert len(tasks.events("record.updated")) == 1


def test_an_update_by_ids_continues(tasks: DF) -> None:
    first, second = tasks.create("task", GOOD, GOOD)
    response = tasks.send("PATCH", "task", params={"ids": f"{first},{MISSING},{second}", "continue": "1"},
                          json={"score": 5})
    context = _batch_error(tasks, response, 400, "Batch Error: Not all requested records could be updated."
                           if tasks.v2 else "Batch Error: Not all records could be patched.")
    assert context["error"] == [1] and [context[tasks.wrapper][i] for i in (0, 2)] == [{"_id": first},
                                                                                       {"_id": second}]
    assert [r["score"] for r in tasks.rows("task").values()] == [5, 5]


@pytest.mark.parametrize("mode", list(MODES))
def test_a_delete_batch_with_a_missing_record(tasks: DF, mode: str) -> None:
    params, kept, entries, suffix = MODES[mode]
    first, second = tasks.create("task", GOOD, GOOD)
    response = tasks.send("DELETE", "task", params={"ids": f"{first},{MISSING},{second}", **params})
    status = 400 if tasks.v2 or mode == "continue" else 404
    verb = "requested records" if tasks.v2 else "records"
    context = _batch_error(tasks, response, status, f"Batch Error: Not all {verb} could be deleted.{suffix}")
    assert context["error"] == [1] and len(context[tasks.wrapper]) == entries
    deleted = [[first, MISSING, second][i] for i in kept]
    assert sorted(tasks.rows("task")) == sorted({first, second} - set(deleted))
    assert len(tasks.events("record.deleted")) == len(deleted)


def test_rollback_of_an_update_leaves_the_history_as_it_was(tasks: DF) -> None:
    first, _ = tasks.create("task", GOOD, GOOD)
    before = tasks.state("task")
    body = {tasks.wrapper: [{"_id": first, "score": 9}, {"_id": MISSING, "score": 1}]}
    response = tasks.send("PUT", "task", params={"rollback": "true"}, json=body)
    error = tasks.error(response, 400 if tasks.v2 else 404)
    assert error["message"].endswith("All changes rolled back.")
    assert tasks.state("task") == before
