"""Seed 002 (`shared/seeds/002_6927a2d4342d1905.txt`): create with the `record` wrapper and unwrapped.

The seed sends `X-Application-Name: Admin` and a logged-in DSP session (its `PHPSESSID` cookie). We
send the app's `auth_key` as `X-Application-Name` and a user's session token for the cookie: the
application alone may not write (401, tested below). The identifier is `_id`, a 24-hex string (§2),
where the seed shows `"id": "1"`; the asked fields come first, in the order asked, then `_id`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.dreamfactory.support import DF, df  # noqa: F401  (the fixture)

CONTACT = {"name": "contact", "fields": {"first_name": "String", "last_name": "String", "email": "String"}}
QUERY = "fields=first_name%2Clast_name"
JOE = {"first_name": "Joe", "last_name": "Smith"}
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@pytest.fixture
def seeded(df: DF) -> DF:
    df.qb.apply_class(CONTACT)
    df.qb.make_user("owner")
    return df


def _post(seeded: DF, body: Any, *, session: bool = True) -> Any:
    headers = {"X-Application-Name": seeded.qb.credentials.auth_key, "Accept": "application/json",
               "Content-Type": "application/json; charset=UTF-8"}
    if session:
        headers["X-DreamFactory-Session-Token"] = seeded.qb.token("owner")
    return seeded.qb.client.post(f"{seeded.url('contact')}?{QUERY}", json=body, headers=headers)


def _is_joe(seeded: DF, result: Any) -> None:
    assert list(result) == ["first_name", "last_name", "_id"]
    assert {k: result[k] for k in JOE} == JOE and OBJECT_ID.match(result["_id"])
    record = seeded.qb.services.records.get_records(seeded.qb.admin, "contact", [result["_id"]]).records[0]
    assert (record.values["first_name"], record.values["last_name"], record.values["email"]) == ("Joe", "Smith", None)


def test_multiple_records(seeded: DF) -> None:
    response = _post(seeded, {seeded.wrapper: [dict(JOE)]})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == [seeded.wrapper] and len(body[seeded.wrapper]) == 1
    _is_joe(seeded, body[seeded.wrapper][0])
    assert len(seeded.events("record.created")) == 1


def test_single_record(seeded: DF) -> None:
    response = _post(seeded, dict(JOE))
    assert response.status_code == 200, response.text
    _is_joe(seeded, response.json())
    assert len(seeded.events("record.created")) == 1


def test_the_application_alone_may_not_write(seeded: DF) -> None:
    response = _post(seeded, dict(JOE), session=False)
    assert seeded.error(response, 401)["message"] == "Unauthorized. User is not authenticated."
    assert seeded.rows("contact") == {} and seeded.events() == []
