"""Datum rows: stable, database-drawn ids of field values across QuickBlox writes, restarts and the
core's datum commands."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.datum_service import FieldDatum
from objectbase.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.services import Services
from objectbase.storage import open_storage
from tests.conftest import QB, TEST_SECRETS
from tests.core.record_helpers import create, put, user, with_owner_and_other

CLASS = {"name": "Game", "fields": {"score": "Integer", "name": "String", "tags": "String[]"}}


@pytest.fixture
def game(qb: QB) -> QB:
    return with_owner_and_other(qb, CLASS)


def datums(qb: QB, record_id: str, services: Services | None = None) -> list[tuple[str, int, Any, int]]:
    """(field, position, value, datum id) of the record."""
    found = (services or qb.services).datum_values.datum_list(qb.admin, "Game", record_id)
    return [(d.field.name, d.datum.position, d.datum.value, d.datum.id) for d in found]


def ids(rows: list[tuple[str, int, Any, int]]) -> dict[tuple[str, Any], int]:
    return {(name, value): datum_id for name, _, value, datum_id in rows}


def test_quickblox_writes_keep_datum_ids_of_the_values_that_remain(game: QB) -> None:
    headers = game.headers("owner")
    record_id = create(game, headers, score=1, name="g", tags=["a", "b", "c"])
    first = datums(game, record_id)
    assert [(n, p, v) for n, p, v, _ in first] == [
        ("score", 0, 1), ("name", 0, "g"), ("tags", 0, "a"), ("tags", 1, "b"), ("tags", 2, "c")]
    assert len({i for *_, i in first}) == 5
    before = ids(first)

    put(game, record_id, headers, {"score": 5})  # a scalar changing value keeps its datum
    assert ids(datums(game, record_id))[("score", 5)] == before[("score", 1)]

    put(game, record_id, headers, {"push": {"tags": "d"}})
    pushed = datums(game, record_id)
    assert [(v, i) for n, _, v, i in pushed if n == "tags"][:3] == [
        ("a", before[("tags", "a")]), ("b", before[("tags", "b")]), ("c", before[("tags", "c")])]
    new_id = ids(pushed)[("tags", "d")]
    assert new_id > max(before.values())

    put(game, record_id, headers, {"pull": {"tags": "b"}})
    pulled = [(p, v, i) for n, p, v, i in datums(game, record_id) if n == "tags"]
    assert pulled == [(0, "a", before[("tags", "a")]), (1, "c", before[("tags", "c")]), (2, "d", new_id)]

    put(game, record_id, headers, {"add_to_set": {"tags": ["a", "e"]}, "score": None})
    rows = datums(game, record_id)
    assert "score" not in {n for n, *_ in rows}
    assert [v for n, _, v, _ in rows if n == "tags"] == ["a", "c", "d", "e"]

    put(game, record_id, headers, {"score": 7})  # null -> value: a new datum
    assert ids(datums(game, record_id))[("score", 7)] not in before.values()


def test_datum_ids_are_the_same_after_a_restart(game: QB, database_url: str) -> None:
    record_id = create(game, game.headers("owner"), score=3, tags=["x", "y"])
    storage = open_storage(database_url, secrets=TEST_SECRETS)
    try:
        assert datums(game, record_id, Services.build(storage)) == datums(game, record_id)
    finally:
        storage.close()


def test_batch_update_and_delete_keep_datum_rows_in_step(game: QB) -> None:
    headers = game.headers("owner")
    one, two = create(game, headers, tags=["a"]), create(game, headers, tags=["b"])
    response = game.client.put("/data/Game/by_criteria.json", headers=headers,
                               json={"search_criteria": {"_id": {"in": [one, two]}}, "push": {"tags": "z"}})
    assert response.status_code == 200, response.text
    assert [v for _, _, v, _ in datums(game, one)] == ["a", "z"]
    assert [v for _, _, v, _ in datums(game, two)] == ["b", "z"]
    seqs = [game.services.records.get_records(game.admin, "Game", [i]).records[0].seq for i in (one, two)]
    cls = game.services.classes.get_class(game.admin, "Game")
    response = game.client.delete(f"/data/Game/{one},{two}.json", headers=headers)
    assert response.status_code == 200, response.text
    with game.services.storage.transaction(write=False) as tx:
        assert [tx.select_datum_rows(cls.id, s) for s in seqs if s is not None] == [[], []]


def _one(found: list[FieldDatum], value: Any) -> FieldDatum:
    return next(d for d in found if d.datum.value == value)


def test_datum_commands_go_through_the_update_path(game: QB) -> None:
    record_id = create(game, game.headers("owner"), name="n", tags=["a", "b"])
    owner, other = user(game, "owner"), user(game, "other")
    service = game.services.datum_values

    added = service.add_datum(owner, "Game", record_id, "tags", "c")
    assert (added.field.name, added.datum.position, added.datum.value) == ("tags", 2, "c")
    scalar = service.add_datum(owner, "Game", record_id, "score", "4")  # cast like any update
    assert scalar.datum.value == 4
    with pytest.raises(ValidationError):
        service.add_datum(owner, "Game", record_id, "score", 5)  # a scalar holds one datum

    b = _one(service.datum_list(owner, "Game", record_id, "tags"), "b")
    changed = service.change_datum(owner, b.datum.id, "B")
    assert (changed.datum.id, changed.datum.position, changed.datum.value) == (b.datum.id, 1, "B")
    with pytest.raises(ValidationError):
        service.change_datum(owner, scalar.datum.id, "not a number")

    service.remove_datum(owner, _one(service.datum_list(owner, "Game", record_id), "a").datum.id)
    left = service.datum_list(owner, "Game", record_id, "tags")
    assert [(d.datum.value, d.datum.position) for d in left] == [("B", 0), ("c", 1)]
    assert left[0].datum.id == b.datum.id
    record = game.services.records.get_records(game.admin, "Game", [record_id]).records[0]
    assert record.values["tags"] == ["B", "c"]
    updates = [e for e in game.events(record_id) if e.kind == "record.updated"]
    assert len(updates) == 4  # add, add, change, remove: each a normal update with its event

    # Default ACL: others may read but not update.
    with pytest.raises(PermissionDeniedError):
        service.change_datum(other, b.datum.id, "x")
    with pytest.raises(PermissionDeniedError):
        service.remove_datum(other, b.datum.id)
    assert _one(service.datum_list(other, "Game", record_id), "B").datum.id == b.datum.id


def test_datums_of_records_the_actor_cannot_read_are_not_found(game: QB) -> None:
    response = game.client.post("/data/Game.json", headers=game.headers("owner"),
                                json={"tags": ["s"], "permissions": {"read": {"access": "owner"}}})
    record_id = response.json()["_id"]
    secret = datums(game, record_id)[0][3]
    other = user(game, "other")
    with pytest.raises(NotFoundError):
        game.services.datum_values.datum_list(other, "Game", record_id)
    with pytest.raises(NotFoundError):
        game.services.datum_values.get_datum(other, secret)
    with pytest.raises(NotFoundError):
        game.services.datum_values.remove_datum(other, secret)
    with pytest.raises(NotFoundError):
        game.services.datum_values.get_datum(game.admin, 10**12)
