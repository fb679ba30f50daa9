"""Issue 12, defect 6: each action's permission stands on its own (contract §4.7).

The whole matrix, for every pair of record actions and every level of each: owner, open,
not_allowed (a class-level ACL: records cannot be not_allowed), users (the member's id) and groups
(the member's tag). Three callers try both actions: the owner, the member and an outsider. A
caller who may update or delete a record it may not read can do so; the response then shows only
`_id` and the values it sent (docs/permissions.md). A refused write changes nothing.

One app per database serves every row (its users and sessions are made once); each row makes its
own records, and a class per set of class-level not_allowed actions."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.testclient import TestClient

from objectbase.core.services import Services
from tests.conftest import QB

LEVELS = ("owner", "open", "not_allowed", "users", "groups")
PAIRS = (("read", "update"), ("read", "delete"), ("update", "delete"))
CALLERS = ("owner", "member", "outsider")
ROWS = [(pair, levels) for pair in PAIRS for levels in itertools.product(LEVELS, LEVELS)]


@dataclass
class World:
    qb: QB
    member_id: int
    headers: dict[str, dict[str, str]]
    classes: dict[frozenset[str], str] = field(default_factory=dict)

    def class_closing(self, closed: frozenset[str]) -> str:
        """A class whose class-level ACL refuses the `closed` actions to everyone (but the API key)."""
        if closed not in self.classes:
            name = "Rec" + "".join(sorted(a.title() for a in closed))
            self.qb.apply_class({"name": name, "fields": {"score": "Integer", "note": "String"},
                                 "permissions": {a: {"access": "not_allowed"} for a in closed},
                                 "use_class_permissions": {a: True for a in closed}})
            self.classes[closed] = name
        return self.classes[closed]


@pytest.fixture(scope="module")
def world(client: TestClient, services: Services) -> World:
    qb = QB(client, services, services.apps.create_app(f"matrix-{uuid.uuid4().hex[:8]}"))
    member_id = qb.make_user("member", tags="crew")
    qb.make_user("owner")
    qb.make_user("outsider", tags="other")
    return World(qb, member_id, {who: qb.headers(who) for who in CALLERS})


def _acl(level: str, member_id: int) -> dict[str, Any]:
    acls: dict[str, dict[str, Any]] = {"owner": {"access": "owner"}, "open": {"access": "open"},
            "users": {"access": "open_for_users_ids", "ids": [str(member_id)]},
            "groups": {"access": "open_for_groups", "user_groups": ["crew"]}}
    return acls[level]


def _allows(level: str, caller: str) -> bool:
    return {"owner": caller == "owner", "open": True, "not_allowed": False,
            "users": caller == "member", "groups": caller == "member"}[level]


@pytest.mark.parametrize("pair, levels", ROWS, ids=[f"{a}-{la}+{b}-{lb}" for (a, b), (la, lb) in ROWS])
def test_access_matrix(world: World, pair: tuple[str, str], levels: tuple[str, str]) -> None:
    qb = world.qb
    level = dict(zip(pair, levels))
    level.setdefault("read", "open")  # the pair (update, delete): everyone may read
    closed = frozenset(a for a, lv in level.items() if lv == "not_allowed")
    cls = world.class_closing(closed)
    acl = {a: _acl(lv, world.member_id) for a, lv in level.items() if lv != "not_allowed"}
    for caller in CALLERS:
        created = qb.client.post(f"/data/{cls}.json", json={"score": 1, "note": "secret", "permissions": acl},
                                 headers=world.headers["owner"])
        assert created.status_code == 201, created.text
        record_id = created.json()["_id"]
        url = f"/data/{cls}/{record_id}.json"
        headers = world.headers[caller]
        readable = _allows(level["read"], caller)
        where = (caller, level)
        for action in pair:
            allowed = _allows(level[action], caller)
            refused = 403 if readable else 404  # an unreadable record is never revealed
            if action == "read":
                response = qb.client.get(url, headers=headers)
                assert response.status_code == (200 if allowed else 404), where
            elif action == "update":
                response = qb.client.put(url, json={"score": 2}, headers=headers)
                assert response.status_code == (200 if allowed else refused), (where, response.text)
                if allowed and not readable and caller != "owner":
                    assert response.json() == {"_id": record_id, "score": 2}, where
                elif allowed:
                    assert response.json()["note"] == "secret" and "permissions" in response.json(), where
            else:
                response = qb.client.delete(url, headers=headers)
                assert response.status_code == (200 if allowed else refused), (where, response.text)
        stored = qb.services.records.get_records(qb.admin, cls, [record_id]).records
        deleted = "delete" in pair and _allows(level["delete"], caller)
        updated = "update" in pair and _allows(level["update"], caller)
        assert [r.values["score"] for r in stored] == ([] if deleted else [2 if updated else 1]), where
